"""Expose the active body (set by body-scoped views) to every template."""

from territoires.tenancy import access
from territoires.tenancy.navigation import service_links


def active_body(request):
    body = getattr(request, "active_body", None)
    if body is None:
        return {"active_body": None}
    user = request.user
    perms = access.body_permissions(user, body)
    return {
        "active_body": body,
        "active_services": service_links(body, access.active_services(body)),
        "can_manage_agents": "body.manage_agents" in perms,
        "can_read_journal": "body.read_journal" in perms,
        "body_perms": perms,
        "nav_current": "",  # the menu entry of the page; a view names its own
    }

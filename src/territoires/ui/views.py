"""Platform-wide pages: entry point, legal and accessibility pages, errors."""

from django.shortcuts import redirect, render

from territoires.tenancy.access import platform_permissions
from territoires.tenancy.selectors import bodies_for_user


def root(request):
    """Send a logged-in user to their last body, or to the body chooser."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "ui/landing.html")
    if user.last_body_id:
        last_siren = (
            bodies_for_user(user=user).filter(pk=user.last_body_id).values_list("siren", flat=True).first()
        )
        if last_siren:  # still a member of the body used last
            return redirect("tenancy:home", last_siren)
    bodies = list(bodies_for_user(user=user)[:2])
    if len(bodies) == 1:
        return redirect("tenancy:home", bodies[0].siren)
    if not bodies and user.company_memberships.exists():
        return redirect("marches_company:home")
    if not bodies and "platform.view" in platform_permissions(user):
        return redirect("backoffice:dashboard")
    return redirect("tenancy:switch")


def accessibility(request):
    return render(request, "ui/accessibility.html")


def legal(request):
    return render(request, "ui/legal.html")


def error_403(request, exception=None):
    return render(request, "ui/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "ui/404.html", status=404)


def csrf_failure(request, reason=""):
    """Our own page: say what happened and that going back and resubmitting works."""
    return render(request, "ui/csrf.html", status=403)

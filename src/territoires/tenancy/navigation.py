"""Where each subscribed service lives, for menus and the agent home.

A service app registers its body-scoped entry URL name here; services not
built yet land on a placeholder page, so menus already follow subscriptions.
"""

from collections.abc import Callable

from django.urls import reverse

from territoires.tenancy.models import Body, Service

SERVICE_URL_NAMES: dict[str, str] = {
    Service.ACTES: "actes:list",
    Service.MARCHES: "marches:list",
    Service.FORMATIONS: "formations:body_home",
}


def service_links(body: Body, services: list[str]) -> list[dict]:
    links = []
    for code in Service.values:
        if code in services:
            name = SERVICE_URL_NAMES.get(code)
            url = (
                reverse(name, args=[body.siren])
                if name
                else reverse("tenancy:service", args=[body.siren, code])
            )
            # A plain string: the layout's menu is cached by these links' values.
            links.append({"code": code, "label": str(Service(code).label), "url": url})
    return links


# service code → callable(user, body) returning [{"label", "url"}]: what awaits the user.
PENDING_PROVIDERS: dict[str, Callable] = {}


def pending_work(user, body: Body, services: list[str]) -> list[dict]:
    """Pending work of every subscribed service that registered a provider (agent home)."""
    items = []
    for code in services:
        if provider := PENDING_PROVIDERS.get(code):
            items.extend(provider(user, body))
    return items

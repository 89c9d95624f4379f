"""Where each subscribed service lives, for menus and the agent home.

A service app registers its body-scoped entry URL name here; services not
built yet land on a placeholder page, so menus already follow subscriptions.
"""

from django.urls import reverse

from territoires.tenancy.models import Body, Service

SERVICE_URL_NAMES: dict[str, str] = {
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
            links.append({"code": code, "label": Service(code).label, "url": url})
    return links

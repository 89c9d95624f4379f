"""`{% proconnect_login_url as url %}`: the ProConnect button's link, or "" when disabled.

A tag rather than a context processor so that only the pages showing the button
pay for it, and so the include needs no variable from its caller (unknown
variables fail the tests).
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from territoires.accounts import oidc

register = template.Library()


@register.simple_tag(takes_context=True)
def proconnect_login_url(context) -> str:
    if not oidc.is_enabled():
        return ""
    url = reverse("oidc:login")
    next_url = context.get("next")
    if isinstance(next_url, str) and next_url and next_url != "/":
        url = f"{url}?{urlencode({'next': next_url})}"
    return url

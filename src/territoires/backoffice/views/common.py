"""The door to every back-office page, and the list-page helper."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from territoires.tenancy.access import platform_permissions, require_platform_perm
from territoires.ui.pagination import paginate

PAGE_SIZE = 50


def operator_view(perm: str):
    """Log-in first, then the platform permission (403 otherwise).

    The user's platform permissions are put on the request for the menu and
    for showing only the actions the operator may take.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_platform_perm(request.user, perm)
            request.platform_perms = platform_permissions(request.user)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def wants_fragment(request) -> bool:
    """An htmx request that will swap the results only (not a history restore)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_list(request, *, template: str, fragment: str, queryset, context: dict, row=None):
    """Render a paginated, filterable list: the whole page, or only its results for htmx.

    `row`, if given, turns each object of the page into what the template shows.
    """
    page, query_string = paginate(request, queryset, per_page=PAGE_SIZE)
    rows = [row(obj) for obj in page] if row else list(page)
    context = {**context, "page": page, "rows": rows, "query_string": query_string}
    response = render(request, fragment if wants_fragment(request) else template, context)
    # The same URL answers a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response

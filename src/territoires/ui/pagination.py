"""One way to paginate a list page: the page and the query string its links keep."""

from django.core.paginator import Page, Paginator


def paginate(request, queryset, *, per_page: int) -> tuple[Page, str]:
    """The requested page of `queryset`, and the other GET parameters to carry along."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()

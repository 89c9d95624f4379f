"""Full-text search over the portal's notices.

PLACEHOLDER: the interface below is final; the implementation (stemmed French
full text on SQLite FTS5 and PostgreSQL) replaces this plain ORM version.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from territoires.interop.cpv import fold


def notice_document(notice) -> str:
    """Accent-free lower-case text of the notice's searchable fields."""
    return fold(" ".join(filter(None, [notice.title, notice.description, notice.buyer_name])))


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    cpv: str = ""  # CPV prefix: a division ("45") or longer
    departement: str = ""
    nuts: str = ""
    procedure: str = ""
    nature: str = ""
    buyer: str = ""
    closing_after: date | None = None
    closing_before: date | None = None
    open_only: bool = False
    sort: str = "deadline"  # deadline | published | relevance

    @classmethod
    def from_query(cls, query) -> tuple["SearchParams", dict[str, str]]:
        """Parse a query string (QueryDict or dict); returns the params and French errors by field."""
        values, errors = {}, {}
        for f in fields(cls):
            raw = (query.get(f.name) or "").strip() if hasattr(query, "get") else ""
            if not raw:
                continue
            if f.name in ("closing_after", "closing_before"):
                try:
                    values[f.name] = date.fromisoformat(raw)
                except ValueError:
                    errors[f.name] = "Date invalide : utilisez le format AAAA-MM-JJ."
            elif f.name == "open_only":
                values[f.name] = raw in ("1", "true", "on", "oui")
            else:
                values[f.name] = raw
        return cls(**values), errors

    def to_query(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in ("", None, False) or (f.name == "sort" and value == "deadline"):
                continue
            out[f.name] = "1" if value is True else str(value)
        return out


@dataclass(frozen=True)
class SearchPage:
    items: list
    total: int
    capped: bool  # total is a lower bound ("plus de N résultats")


def notice_search(params: SearchParams, *, offset: int = 0, limit: int = 20,
                  imported_since: datetime | None = None) -> SearchPage:
    from territoires.marches.models import Notice

    qs = Notice.objects.all()
    for word in fold(params.q).split():
        qs = qs.filter(search_document__contains=word)
    if params.cpv:
        qs = qs.filter(cpv_main__startswith=params.cpv)
    if params.departement:
        qs = qs.filter(departement=params.departement)
    if params.nuts:
        qs = qs.filter(nuts__startswith=params.nuts)
    if params.procedure:
        qs = qs.filter(procedure=params.procedure)
    if params.nature:
        qs = qs.filter(nature=params.nature)
    if params.buyer:
        qs = qs.filter(buyer_name__icontains=params.buyer)
    if params.open_only:
        qs = qs.filter(Q(deadline__gt=timezone.now()), state="active")
    if imported_since:
        qs = qs.filter(imported_at__gte=imported_since)
    qs = qs.order_by("-published_on" if params.sort == "published" else "deadline", "pk")
    return SearchPage(items=list(qs[offset:offset + limit]), total=qs.count(), capped=False)

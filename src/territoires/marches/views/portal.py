"""The public portal: one search over our consultations and imported notices, notice pages, Atom.

No login anywhere here. Notices are public by construction (a draft
consultation never gets one); the notice pages still refuse a notice whose
consultation is a draft, in case a future write path forgets that rule.

Validation of the criteria lives in `SearchParams.from_query`, shared with the
API and the daily digest; the form below only renders the fields and puts
those French errors beside them, keeping what was typed.
"""

import math
from functools import lru_cache
from html import escape as _escape

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from territoires.core.files import stored_file_response
from territoires.marches.models import Nature, Notice, NoticeSource, NoticeState, Procedure, Status
from territoires.marches.reference import cpv_catalogue, nuts_catalogue
from territoires.marches.search import COUNT_CAP, SearchParams, notice_search

PER_PAGE = 20
MAX_PAGE = COUNT_CAP // PER_PAGE  # deeper pages are not offered: refine the search instead
FEED_SIZE = 50
SORT_LABELS = {
    "deadline": gettext_lazy("Date limite la plus proche"),
    "published": gettext_lazy("Publication la plus récente"),
    "relevance": gettext_lazy("Pertinence"),
}


@lru_cache(maxsize=1)
def _division_choices() -> list[tuple[str, str]]:
    return [("", _("Toutes les divisions")),
            *((code, f"{code} – {label}") for code, label in cpv_catalogue().divisions())]


@lru_cache(maxsize=1)
def _departement_choices() -> list[tuple[str, str]]:
    return [("", _("Toute la région")),
            *((entry.departement, f"{entry.departement} – {entry.label_fr}")
              for entry in sorted(nuts_catalogue().nuts3(), key=lambda entry: entry.departement))]


def _attributes(attrs: dict) -> str:
    """`flatatt` with the standard library's escape (no lazy-string wrapper): True gives a bare
    attribute, False and None none."""
    return "".join(f" {key}" if value is True else f' {key}="{_escape(str(value))}"'
                   for key, value in attrs.items() if value is not False and value is not None)


class QuickSelect(forms.Select):
    """A <select> written in Python: the form has ~80 options, and rendering each through the
    widget templates cost more than the search itself (a few milliseconds per page)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = "" if value is None else str(value)
        options = "".join(
            html.replace(">", " selected>", 1) if code == selected else html
            for code, html in _options_html(tuple((str(code), str(label)) for code, label in self.choices)))
        return mark_safe(  # noqa: S308 (options escaped once in _options_html, the rest in _attributes)
            f'<select name="{_escape(name)}"{_attributes(self.build_attrs(self.attrs, attrs))}>{options}</select>')


@lru_cache(maxsize=64)
def _options_html(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Each option escaped once per process (the lists are fixed), not on every page."""
    return tuple((code, str(format_html('<option value="{}">{}</option>', code, label))) for code, label in choices)


class QuickInput(forms.TextInput):
    """An <input> written in Python, for the same reason (text, date and checkbox alike)."""

    def __init__(self, input_type: str = "text", attrs=None):
        super().__init__(attrs)
        self.input_type = input_type

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.input_type == "checkbox":
            if value not in (None, False, "", "0", "false", "off"):
                final["checked"] = True
        elif value not in (None, ""):
            final["value"] = str(value)
        return mark_safe(  # noqa: S308 (escaped in _attributes)
            f'<input type="{self.input_type}" name="{_escape(name)}"{_attributes(final)}>')

    def value_from_datadict(self, data, files, name):
        if self.input_type == "checkbox":
            return forms.CheckboxInput().value_from_datadict(data, files, name)
        return super().value_from_datadict(data, files, name)


class Checkbox(QuickInput):
    """Named so that `form_field` lays it out as a checkbox (its widget_type is 'checkbox')."""

    def __init__(self, attrs=None):
        super().__init__("checkbox", attrs)


def _keep_unknown(choices: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    """An unknown value (from an edited URL) stays selected, so the error shows what was sent."""
    if value and value not in {code for code, _label in choices}:
        return [*choices, (value, value)]
    return choices


class NoticeSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Mots-clés"), required=False, max_length=200, widget=QuickInput,
                        help_text=gettext_lazy("Objet, description, acheteur ou code CPV ; "
                                               "accents et pluriels sont ignorés."))
    cpv = forms.CharField(label=gettext_lazy("Domaine (division CPV)"), required=False, widget=QuickSelect)
    departement = forms.CharField(label=gettext_lazy("Département"), required=False, widget=QuickSelect)
    procedure = forms.CharField(label=gettext_lazy("Procédure"), required=False, widget=QuickSelect(
        choices=[("", gettext_lazy("Toutes les procédures")), *Procedure.choices]))
    nature = forms.CharField(label=gettext_lazy("Nature du marché"), required=False, widget=QuickSelect(
        choices=[("", gettext_lazy("Toutes les natures")), *Nature.choices]))
    closing_after = forms.CharField(label=gettext_lazy("Date limite à partir du"), required=False,
                                    widget=QuickInput("date"))
    closing_before = forms.CharField(label=gettext_lazy("Date limite jusqu'au"), required=False,
                                     widget=QuickInput("date"))
    buyer = forms.CharField(label=gettext_lazy("Acheteur"), required=False, max_length=200, widget=QuickInput)
    open_only = forms.BooleanField(label=gettext_lazy("Consultations en cours seulement"), required=False,
                                   widget=Checkbox)
    sort = forms.CharField(label=gettext_lazy("Trier par"), required=False, widget=QuickSelect(
        choices=list(SORT_LABELS.items())))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else {}
        self.fields["cpv"].widget.choices = _keep_unknown(_division_choices(), data.get("cpv", ""))
        self.fields["departement"].widget.choices = _keep_unknown(
            _departement_choices(), data.get("departement", ""))
        for name in ("procedure", "nature", "sort"):
            widget = self.fields[name].widget
            widget.choices = _keep_unknown(list(widget.choices), data.get(name, ""))

    def search(self) -> SearchParams:
        """The valid criteria (invalid ones are errors beside their field and are left out)."""
        params, errors = SearchParams.from_query(self.data)
        self.is_valid()  # lengths; the rest is SearchParams' job
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        return params


def _page_number(request) -> int:
    raw = request.GET.get("page", "")
    return min(max(int(raw), 1), MAX_PAGE) if raw.isdigit() and len(raw) < 6 else 1


def _public_url(path: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + path


def notice_path_prefix() -> str:
    """`/marches/avis/`: a notice page's path is this and `<pk>/` (one reverse per list, not per row)."""
    return reverse("marches_public:notice", args=[0]).removesuffix("0/")


def result_rows(notices) -> list[dict]:
    """What the list shows of each notice, computed here rather than by template tags.

    The list is the hot path of the portal: 20 rows through template tags cost
    about 2 ms per page (a fifth of the request), written with format_html
    about 0.3 ms. `html` is the row's <li>; the other keys serve the notice page.
    """
    cpv, nuts = cpv_catalogue(), nuts_catalogue()
    base = notice_path_prefix()
    # Escaped once per list, not once per row.
    labels = {key: _escape(label) for key, label in (
        ("buyer", _("Acheteur")), ("cpv", _("CPV")), ("place", _("Lieu")), ("deadline", _("Date limite")),
        ("none", _("non précisée")), ("ours", _("Territoires")), ("cancelled", _("Annulé")))}
    sources = {code: _escape(str(label)) for code, label in NoticeSource.choices}
    rows = []
    for notice in notices:
        entry = cpv.get(notice.cpv_main) if notice.cpv_main else None
        place = nuts.get(notice.nuts) if notice.nuts else None
        deadline = timezone.localtime(notice.deadline) if notice.deadline else None
        row = {
            "notice": notice,
            "url": f"{base}{notice.pk}/",
            "cpv_label": entry.label_fr if entry else "",
            "place": place.label_fr if place else notice.nuts,
            "deadline_iso": deadline.isoformat() if deadline else "",
            "deadline_text": deadline.strftime("%d/%m/%Y à %H:%M") if deadline else "",
            "cancelled": notice.state == NoticeState.CANCELLED,
            "ours": notice.source == NoticeSource.TERRITOIRES,
        }
        row["html"] = _row_html(row, labels, sources)
        rows.append(row)
    return rows


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _row_html(row: dict, labels: dict, sources: dict) -> str:
    """One result as HTML; every value from the notice goes through `_escape` (plain strings only:
    the standard library's, without Django's lazy-string wrapper, a tenth of the page's time).
    `labels` and `sources` come escaped; the URL and the dates are built here from a number and
    a datetime, and hold no character to escape."""
    notice = row["notice"]
    if row["ours"]:
        badges = f'<span class="badge badge-success">{labels["ours"]}</span>'
    else:
        badges = f'<span class="badge">{sources.get(notice.source) or _escape(notice.source)}</span>'
    if row["cancelled"]:
        badges += f' <span class="badge badge-danger">{labels["cancelled"]}</span>'
    details = []
    if notice.buyer_name:
        details.append((labels["buyer"], _escape(notice.buyer_name)))
    if notice.cpv_main:
        code = _escape(notice.cpv_main) + (f" – {_escape(row['cpv_label'])}" if row["cpv_label"] else "")
        details.append((labels["cpv"], code))
    if row["place"]:
        details.append((labels["place"], _escape(row["place"])))
    if row["deadline_text"]:
        when = f'<time datetime="{row["deadline_iso"]}">{row["deadline_text"]}</time>'
    else:
        when = labels["none"]
    details.append((labels["deadline"], when))
    summary = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in details)
    return mark_safe(  # noqa: S308 (every piece is escaped above)
        f'<li class="card">\n    <h3><a href="{row["url"]}">{_escape(_truncate(notice.title, 200))}'
        f'</a></h3>\n    <p>{badges}</p>\n    <dl class="summary">{summary}</dl>\n  </li>'
    )


@require_safe
def notice_list(request):
    """GET /marches/: the search page (or only its results for an htmx swap)."""
    # A first visit shows what companies look for: tenders still open.
    data = request.GET if request.GET else {"open_only": "1"}
    form = NoticeSearchForm(data)
    params = form.search()
    number = _page_number(request)
    result = notice_search(params, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    known_pages = math.ceil(result.total / PER_PAGE) if not result.capped else None
    query = params.to_query()
    query_string = urlencode(query)
    context = {
        "form": form,
        "rows": result_rows(result.items),
        "total": result.total,
        "capped": result.capped,
        "first": (number - 1) * PER_PAGE + 1,
        "number": number,
        "pages": known_pages,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": (number + 1 if (result.capped or number < (known_pages or 0)) and number < MAX_PAGE
                      else None),
        "query_string": query_string,
        "search_query": query,
        "searched": bool(request.GET),
        "feed_url": reverse("marches_public:feed") + (f"?{query_string}" if query_string else ""),
    }
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, "marches/portal/_results.html" if fragment else "marches/portal/search.html",
                      context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _notice(pk: int) -> Notice:
    notice = Notice.objects.select_related("consultation", "source_file").filter(pk=pk).first()
    if notice is None or (notice.consultation_id and notice.consultation.status == Status.DRAFT):
        raise Http404
    return notice


@require_safe
def notice_detail(request, pk: int):
    """GET /marches/avis/<pk>/: our own consultations have their own page, which we send to."""
    notice = _notice(pk)
    if notice.consultation_id:
        # `Consultation.get_absolute_url` belongs to the consultation pages; without it the notice shows.
        get_url = getattr(notice.consultation, "get_absolute_url", None)
        if callable(get_url):
            return redirect(get_url())
    row = result_rows([notice])[0]
    cpv_entry = cpv_catalogue().get(notice.cpv_main) if notice.cpv_main else None
    return render(request, "marches/portal/notice.html", {
        **row,
        "cpv_entry": cpv_entry,
        "procedure_label": Procedure(notice.procedure).label if notice.procedure in Procedure.values
        else notice.procedure,
        "nature_label": Nature(notice.nature).label if notice.nature in Nature.values else notice.nature,
        "source_label": NoticeSource(notice.source).label if notice.source in NoticeSource.values
        else notice.source,
        "kind_label": notice.get_kind_display(),
    })


@require_safe
def notice_xml(request, pk: int):
    """The notice as it was imported (eForms or BOAMP XML), for the company's own tools."""
    notice = _notice(pk)
    if notice.source_file is None:
        raise Http404
    name = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in f"{notice.source}-{notice.source_id}")
    return stored_file_response(notice.source_file, f"avis-{name}.xml", content_type="application/xml")


@require_safe
def notice_feed(request):
    """GET /marches/avis.atom?<the search page's criteria>: the newest matching notices.

    Feed readers poll: newest first whatever sort the page used, one page only.
    """
    params, _errors = SearchParams.from_query(request.GET)  # invalid criteria are left out, as on the page
    query = params.to_query()
    query.pop("sort", None)
    params = SearchParams.from_query({**query, "sort": "published"})[0]
    items = notice_search(params, limit=FEED_SIZE).items
    query_string = urlencode(query)
    search_url = _public_url(reverse("marches_public:search") + (f"?{query_string}" if query_string else ""))
    feed = Atom1Feed(
        title=_("Salle des marchés – avis"),
        link=search_url,
        description=_("Avis de marchés publics de Bourgogne-Franche-Comté correspondant à la recherche."),
        language="fr",
        feed_url=_public_url(request.get_full_path()),
        feed_guid=search_url,
    )
    cpv = cpv_catalogue()
    for notice in items:
        url = _public_url(reverse("marches_public:notice", args=[notice.pk]))
        entry = cpv.get(notice.cpv_main) if notice.cpv_main else None
        lines = [notice.buyer_name, f"CPV {notice.cpv_main} – {entry.label_fr}" if entry else notice.cpv_main]
        if notice.deadline:
            lines.append(_("Date limite : %(d)s") % {
                "d": timezone.localtime(notice.deadline).strftime("%d/%m/%Y %H:%M")})
        if notice.state == NoticeState.CANCELLED:
            lines.append(_("Annulé"))
        feed.add_item(
            title=notice.title, link=url, unique_id=url, description=" · ".join(filter(None, lines)),
            updateddate=notice.updated_at, author_name=notice.buyer_name or None,
            categories=[notice.cpv_main] if notice.cpv_main else None,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


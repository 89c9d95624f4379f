"""The public register of acts: no login, read only, one body per URL.

Every read goes through `actes.register`, which only ever returns the body's
published acts; these views add nothing to the scoping, they only render.
"""

import re
from datetime import date

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from territoires.actes import register, rules, scdl
from territoires.actes.models import Acte
from territoires.actes.public_forms import RegisterSearchForm
from territoires.core.files import stored_file_response
from territoires.tenancy.models import Body
from territoires.ui.pagination import paginate

PER_PAGE = 25


def _body(siren: str) -> Body:
    try:
        return register.register_body(siren)
    except Body.DoesNotExist:
        raise Http404 from None


@require_safe
def acte_list(request, siren: str):
    body = _body(siren)
    classification = rules.current_classification(body)
    form = RegisterSearchForm(request.GET or None, classification=classification)
    form.is_valid()  # an invalid criterion is reported beside its field; the others still apply
    filters = form.filters() if form.is_bound else {}
    page, query_string = paginate(request, register.published_actes(body, **filters), per_page=PER_PAGE)
    labels = {m["code"]: m["label"] for m in classification.data["matieres"]} if classification else {}
    for acte in page.object_list:
        acte.matiere_label = labels.get(acte.matiere_code, "")
    return render(request, "actes/public/list.html", {
        "body": body, "form": form, "page": page, "query_string": query_string, "searched": bool(filters),
    })


def _acte(body: Body, pk: int) -> Acte:
    try:
        return register.published_acte(body, pk)
    except Acte.DoesNotExist:
        raise Http404 from None


@require_safe
def acte_detail(request, siren: str, pk: int):
    body = _body(siren)
    acte = _acte(body, pk)
    votes = [(label, value) for label, value in (
        (_("Membres en exercice"), acte.vote_effectif), (_("Votants"), acte.vote_reel),
        (_("Voix pour"), acte.vote_pour), (_("Voix contre"), acte.vote_contre),
        (_("Abstentions"), acte.vote_abstention),
    ) if value is not None]
    return render(request, "actes/public/detail.html", {
        "body": body, "acte": acte, "matiere_label": acte.classification.matiere_label(acte.matiere_code),
        "votes": votes,
    })


@require_safe
def acte_pdf(request, siren: str, pk: int):
    """The frozen published file, shown in the browser; its name is the ACTES identifier."""
    body = _body(siren)
    acte = _acte(body, pk)
    if acte.published_file is None:
        raise Http404
    response = stored_file_response(acte.published_file, f"{acte.id_acte}.pdf", content_type="application/pdf",
                                    inline=True)
    # The published file is never replaced (content-addressed), so caches may keep it.
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def session_list(request, siren: str):
    body = _body(siren)
    page, query_string = paginate(request, register.sessions(body), per_page=PER_PAGE)
    return render(request, "actes/public/sessions.html", {
        "body": body, "page": page, "query_string": query_string,
    })


@require_safe
def session_detail(request, siren: str, day: date):
    body = _body(siren)
    deliberations = register.session_deliberations(body, day)
    if not deliberations:
        raise Http404
    return render(request, "actes/public/session.html", {
        "body": body, "day": day, "deliberations": deliberations,
    })


@require_safe
def deliberations_csv(request, siren: str):
    """SCDL « Délibérations » 2.1.5: one row per published délibération, optionally one year."""
    body = _body(siren)
    year_param = request.GET.get("annee", "")
    if year_param and not re.fullmatch(r"\d{4}", year_param):
        return HttpResponseBadRequest(
            _("Paramètre « annee » invalide : indiquez une année sur quatre chiffres, par exemple 2026."),
            content_type="text/plain; charset=utf-8",
        )
    if not body.siret:
        # COLL_SIRET is required by the SCDL: a file without it would be rejected by the portals.
        return render(request, "actes/public/csv_unavailable.html", {"body": body}, status=409)
    year = int(year_param) if year_param else None
    fields = scdl.scdl_fields(settings.REFERENCE_DATA_DIR)
    rows = scdl.deliberation_rows(register.published_deliberations(body, year=year))
    response = HttpResponse(scdl.rows_csv(rows, fields), content_type="text/csv; charset=utf-8")
    suffix = f"-{year}" if year else ""
    response["Content-Disposition"] = f'attachment; filename="deliberations-{body.siren}{suffix}.csv"'
    return response

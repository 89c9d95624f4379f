"""The buyer's essential data (DECP v2): complete, publish, export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.marches import essential
from territoires.marches.forms import DecpConcessionForm, DecpForm
from territoires.marches.models import Decp
from territoires.marches.views.buyer import MANAGE, page_context
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors


def _record(body: Body, decp_id: int) -> Decp:
    return get_object_or_404(Decp.objects.select_related("consultation"), pk=decp_id, consultation__body=body)


@body_view(MANAGE, Service.MARCHES)
def decp_list(request, body: Body):
    records = Decp.objects.filter(consultation__body=body).select_related("consultation").order_by("-year", "decp_id")
    years = sorted({r.year for r in records if r.published_at}, reverse=True)
    return render(request, "marches/buyer/decp_list.html", {**page_context(body), "records": records,
                                                             "years": years})


@body_view(MANAGE, Service.MARCHES)
def decp_edit(request, body: Body, decp_id: int):
    record = _record(body, decp_id)
    form_class = DecpConcessionForm if essential.is_concession(record) else DecpForm
    form = form_class(request.POST or None, initial=record.data)
    if record.published_at is None and request.method == "POST" and form.is_valid():
        try:
            essential.decp_update(actor=request.user, record=record, values=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Données essentielles enregistrées."))
            return redirect("marches:decp_edit", body.siren, record.pk)
    return render(request, "marches/buyer/decp_form.html", {
        **page_context(body), "record": record, "form": form, "problems": essential.decp_problems(record),
    }, status=400 if form.is_bound and form.errors else 200)


@require_POST
@body_view(MANAGE, Service.MARCHES)
def decp_publish(request, body: Body, decp_id: int):
    record = _record(body, decp_id)
    try:
        essential.decp_publish(actor=request.user, record=record)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Données essentielles publiées."))
    return redirect("marches:decp_edit", body.siren, record.pk)


@body_view(MANAGE, Service.MARCHES)
def decp_export(request, body: Body, year: int):
    records = list(essential.decp_published(body=body, year=year))
    if not records:
        raise Http404
    response = HttpResponse(essential.decp_export(records), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="decp-{body.siren}-{year}.json"'
    return response

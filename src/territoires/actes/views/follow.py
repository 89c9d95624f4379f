"""After sending: the stamped act, the acknowledgement receipt, sending again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.actes import documents, services
from territoires.actes.forms import NotifyForm, PublishForm
from territoires.actes.views.drafts import _acte, detail_page
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@body_view("actes.view", Service.ACTES)
def stamped(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    try:
        data = documents.acte_stamped_pdf(acte)
    except ValueError:
        raise Http404 from None
    return _pdf(data, f"{acte.id_acte}-tamponne.pdf")


@body_view("actes.view", Service.ACTES)
def receipt(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    try:
        data = documents.acte_receipt_pdf(acte)
    except ValueError:
        raise Http404 from None
    return _pdf(data, f"{acte.id_acte}-accuse-reception.pdf")


@require_POST
@body_view("actes.transmit", Service.ACTES)
def retransmit(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    try:
        services.acte_retransmit(actor=request.user, acte=acte)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'archive de l'acte est renvoyée à la préfecture."))
    return redirect("actes:detail", body.siren, acte.pk)


@require_POST
@body_view("actes.publish", Service.ACTES)
def publish(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    form = PublishForm(request.POST, prefix="publish")
    if form.is_valid():
        try:
            services.acte_publish(actor=request.user, acte=acte, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Acte publié : il figure désormais au registre public de l'organisme."))
            return redirect("actes:detail", body.siren, acte.pk)
    return detail_page(request, body, acte, publish_form=form)


@require_POST
@body_view("actes.publish", Service.ACTES)
def notify(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    form = NotifyForm(request.POST, prefix="notify")
    if form.is_valid():
        try:
            services.acte_notify(actor=request.user, acte=acte, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Date de notification enregistrée."))
            return redirect("actes:detail", body.siren, acte.pk)
    return detail_page(request, body, acte, notify_form=form)

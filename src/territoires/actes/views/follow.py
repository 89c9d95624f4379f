"""After sending: the stamped act, the acknowledgement receipt, sending again."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.actes import documents, services
from territoires.actes.forms import NotifyForm, PublishForm
from territoires.actes.views.drafts import _acte, act_command, act_form
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view


@body_view("actes.view", Service.ACTES)
def stamped(request, body: Body, acte_id: int):
    return documents.download_response(_acte(request, body, acte_id), "stamped")


@body_view("actes.view", Service.ACTES)
def receipt(request, body: Body, acte_id: int):
    return documents.download_response(_acte(request, body, acte_id), "receipt")


@require_POST
@body_view("actes.transmit", Service.ACTES)
def retransmit(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_command(request, body, acte, lambda: services.acte_retransmit(actor=request.user, acte=acte),
                       _("L'archive de l'acte est renvoyée à la préfecture."))


@require_POST
@body_view("actes.publish", Service.ACTES)
def publish(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_form(request, body, acte, PublishForm(request.POST, prefix="publish"),
                    lambda **data: services.acte_publish(actor=request.user, acte=acte, **data),
                    _("Acte publié : il figure désormais au registre public de l'organisme."), "publish_form")


@require_POST
@body_view("actes.publish", Service.ACTES)
def notify(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_form(request, body, acte, NotifyForm(request.POST, prefix="notify"),
                    lambda **data: services.acte_notify(actor=request.user, acte=acte, **data),
                    _("Date de notification enregistrée."), "notify_form")

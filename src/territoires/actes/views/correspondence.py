"""Prefecture letters on the act's page, answers, cancellation, and the dashboard of what awaits."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.actes import correspondence, selectors, simulator
from territoires.actes.forms import ReplyForm
from territoires.actes.models import IncomingFile, IncomingMessage, Status
from territoires.actes.transmission import emitter_of, poll_soon
from territoires.actes.views.drafts import _acte, act_command, page_context
from territoires.core.files import stored_file_response
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view


def reply_choices(letter: IncomingMessage) -> list:
    return [(code, f"{code} – {correspondence.ANSWER_LABELS[code]}") for code in correspondence.answers_open(letter)]


@body_view("actes.view", Service.ACTES)
def letter_file(request, body: Body, acte_id: int, file_id: int):
    acte = _acte(request, body, acte_id)
    item = get_object_or_404(IncomingFile.objects.select_related("stored"), pk=file_id, message__acte=acte)
    return stored_file_response(item.stored, item.name)


@require_POST
@body_view("actes.transmit", Service.ACTES)
def reply(request, body: Body, acte_id: int, message_id: int):
    acte = _acte(request, body, acte_id)
    letter = get_object_or_404(IncomingMessage, pk=message_id, acte=acte)
    form = ReplyForm(request.POST, request.FILES, choices=reply_choices(letter), prefix=f"reply-{letter.pk}")
    if form.is_valid():
        documents = [(f.name, f.read()) for f in form.cleaned_data["documents"]]
        try:
            correspondence.courrier_reply(actor=request.user, letter=letter, code=form.cleaned_data["code"],
                                          documents=documents)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Réponse envoyée à la préfecture."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("actes:detail", body.siren, acte.pk)


@require_POST
@body_view("actes.transmit", Service.ACTES)
def cancel(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_command(request, body, acte, lambda: correspondence.acte_cancel(actor=request.user, acte=acte),
                       _("Demande d'annulation envoyée à la préfecture."))


@body_view("actes.view", Service.ACTES)
def dashboard(request, body: Body):
    """What needs an agent: acts to sign, letters to answer, refused or failed acts, acts without AR for 4 hours."""
    actes = selectors.actes_of_body(actor=request.user, body=body)
    return render(request, "actes/dashboard.html", {
        **page_context(),
        "letters": correspondence.letters_awaiting_answer(body=body),
        "to_sign": actes.filter(status=Status.DRAFT, signature_requested_at__isnull=False),
        "refused": actes.filter(status__in=[Status.ANOMALY, Status.ERROR]),
        "late": actes.filter(status=Status.TRANSMITTED, sent_at__lt=timezone.now() - timedelta(hours=4)),
        "labels": correspondence.LETTER_LABELS,
    })


@require_POST
@body_view("actes.transmit", Service.ACTES)
def simulate_letter(request, body: Body, acte_id: int):
    """Demo only: play the prefecture writing about an acknowledged act."""
    if settings.ACTES_TRANSPORT != "simulator":
        raise Http404
    acte = _acte(request, body, acte_id)
    code = request.POST.get("code", "")
    if code not in correspondence.LETTER_LABELS or acte.status != Status.ACKNOWLEDGED:
        messages.error(request, _("Ce courrier ne peut pas être simulé pour cet acte."))
        return redirect("actes:detail", body.siren, acte.pk)
    delay = settings.ACTES_SIMULATOR_DELAY
    simulator.letter(code, id_acte=acte.id_acte, emitter=emitter_of(body), folder=settings.ACTES_SIMULATOR_DIR,
                     now=timezone.now(), today=timezone.localdate(), delay=delay)
    poll_soon(timezone.now() + timedelta(seconds=delay + 1))
    messages.success(request, _("La préfecture simulée écrit : le courrier arrive dans quelques secondes."))
    return redirect("actes:detail", body.siren, acte.pk)

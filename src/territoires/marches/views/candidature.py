"""The simplified candidature: the company's form and DUME; the commission's reading."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from territoires.core.files import stored_file_response
from territoires.marches import candidatures
from territoires.marches.forms import CandidatureForm
from territoires.marches.models import Candidature, Consultation
from territoires.marches.views.buyer import MANAGE, body_consultation_or_404
from territoires.marches.views.public import public_consultation_or_404
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors


@login_required
def candidature_form(request, consultation_id: int):
    consultation = public_consultation_or_404(consultation_id)
    try:
        candidature = candidatures.candidature_start(actor=request.user, consultation=consultation)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(consultation.get_absolute_url())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(consultation.get_absolute_url())
    grounds = candidatures.exclusion_grounds()
    form = CandidatureForm(request.POST or None, consultation=consultation, grounds=grounds,
                           initial=CandidatureForm.initial_from(candidature.data))
    if request.method == "POST" and form.is_valid():
        try:
            candidatures.candidature_update(actor=request.user, candidature=candidature, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("DUME généré : téléchargez-le, il sera joint à votre dépôt.")
                             if candidature.espd_id else _("Candidature enregistrée. Certifiez-la pour générer "
                                                            "le DUME."))
            return redirect("marches_public:candidature", consultation.pk)
    return render(request, "marches/public/candidature.html", {
        "consultation": consultation, "candidature": candidature, "form": form,
        "operator": candidature.data["operator"], "simulation": candidature.data.get("source") == "simulator",
        "ground_fields": [(form[f"exclusion_{g.code}"], form[f"exclusion_{g.code}_description"]) for g in grounds],
        "turnover_fields": [(form[f"turnover_year_{i}"], form[f"turnover_amount_{i}"])
                            for i in range(1, CandidatureForm.TURNOVER_YEARS + 1)],
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
def candidature_dume(request, consultation_id: int):
    try:
        candidature = Candidature.objects.select_related("espd").get(
            consultation_id=consultation_id, company__memberships__user=request.user, espd__isnull=False)
    except Candidature.DoesNotExist:
        raise Http404 from None
    return stored_file_response(candidature.espd, f"DUME-{candidature.consultation_id}-{candidature.company.siret}.xml")


@body_view("marches.open_bids", Service.MARCHES)
def candidature_dume_for_buyer(request, body: Body, consultation_id: int, candidature_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    try:
        candidature = candidatures.candidature_dume_for_buyer(actor=request.user, consultation=consultation,
                                                              candidature_id=candidature_id)
    except Candidature.DoesNotExist:
        raise Http404 from None
    return stored_file_response(candidature.espd, f"DUME-{consultation.pk}-{candidature.company.siret}.xml")


@body_view(MANAGE, Service.MARCHES)
def espd_request(request, body: Body, consultation_id: int):
    """The buyer's DUME request, for buyers who publish it beside the notice."""
    consultation = body_consultation_or_404(body, consultation_id)
    response = HttpResponse(candidatures.espd_request_xml(consultation), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="DUME-acheteur-{consultation.pk}.xml"'
    return response


def buyer_context(request, consultation: Consultation) -> dict:
    """The candidatures section of the buyer's page: only for the commission, after the deadline."""
    try:
        rows = list(candidatures.candidatures_for_opening(actor=request.user, consultation=consultation))
    except PermissionDenied:
        return {"candidatures": None}
    return {"candidatures": rows}

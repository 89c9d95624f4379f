"""Public pages: the catalogue and a session's detail; the certificate download."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from territoires.formations import selectors
from territoires.formations.certificates import certificate_pdf
from territoires.formations.forms import CatalogueFilterForm
from territoires.formations.models import Registration, RegistrationStatus, TrainingSession
from territoires.tenancy import access
from territoires.tenancy.models import Service
from territoires.tenancy.selectors import bodies_for_user


def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    service = form.cleaned_data["service"] if form.is_valid() else ""
    return render(request, "formations/catalogue.html", {
        "form": form,
        "sessions": selectors.sessions_upcoming(service=service),
        "can_manage": "platform.manage_training" in access.platform_permissions(request.user),
    })


def session_detail(request, session_id: int):
    try:
        session = selectors.session_get(session_id=session_id)
    except TrainingSession.DoesNotExist:
        raise Http404 from None
    user = request.user
    registered = user.is_authenticated and Registration.objects.filter(
        session=session, agent=user, status=RegistrationStatus.CONFIRMED).exists()
    can_manage = "platform.manage_training" in access.platform_permissions(user)
    bodies = [
        body for body in bodies_for_user(user=user)
        if Service.FORMATIONS in access.active_services(body)
    ]
    return render(request, "formations/session_detail.html", {
        "session": session,
        "show_connection": session.is_remote and (registered or can_manage),
        "registered": registered,
        "can_manage": can_manage,
        "bodies": bodies,
        "closed_reason": session.registration_closed_reason(),
    })


@login_required
def certificate(request, registration_id: int):
    try:
        registration = selectors.registration_for_certificate(
            actor=request.user, registration_id=registration_id)
    except Registration.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(certificate_pdf(registration), content_type="application/pdf")
    filename = f"attestation-{registration.certificate_number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""The body's training page: its registrations, and registering its agents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.formations import selectors, services
from territoires.formations.forms import RegistrationForm
from territoires.formations.models import RegistrationStatus
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors


def _registered_message(registration) -> str:
    name = registration.agent.get_full_name() or registration.agent.email
    if registration.status == RegistrationStatus.WAITING:
        return _(
            "La session est complète : %(name)s est inscrit(e) sur la liste d'attente "
            "(position %(position)s). Une place libérée lui sera attribuée automatiquement."
        ) % {"name": name, "position": selectors.waiting_position(registration)}
    return _("Inscription confirmée pour %(name)s.") % {"name": name}


@body_view(service=Service.FORMATIONS)
def body_home(request, body: Body):
    can_register = access.has_perm(request.user, body, "formations.register")
    sessions = selectors.sessions_open_for_registration()
    agents = selectors.body_agents(body=body) if can_register else None
    initial = {"session": request.GET.get("session")} if request.method == "GET" else None
    form = RegistrationForm(request.POST or None, sessions=sessions, agents=agents,
                            initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                actor=request.user, body=body, session=form.cleaned_data["session"],
                agent=form.cleaned_data.get("agent") or request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            level = messages.WARNING if registration.status == RegistrationStatus.WAITING else messages.SUCCESS
            messages.add_message(request, level, _registered_message(registration))
            return redirect("formations:body_home", body.siren)
    visible = selectors.registrations_visible(actor=request.user, body=body)
    mine = [r for r in visible if r.agent_id == request.user.pk]
    return render(request, "formations/body_home.html", {
        "form": form,
        "can_register": can_register,
        "mine": mine,
        "registrations": visible if can_register else [],
        "nav_current": Service.FORMATIONS,
        "now": timezone.now(),
    })


@require_POST
@body_view(service=Service.FORMATIONS)
def registration_cancel(request, body: Body, registration_id: int):
    registration = get_object_or_404(
        selectors.registrations_visible(actor=request.user, body=body), pk=registration_id)
    try:
        promoted = services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Inscription annulée."))
        if promoted:
            # The promoted agent may belong to another body: never name them here.
            messages.info(request, _("La place libérée est attribuée à la première personne "
                                     "de la liste d'attente."))
    return redirect("formations:body_home", body.siren)

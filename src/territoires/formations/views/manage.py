"""Operator pages: create, edit and cancel sessions; participants and attendance.

Every page requires the platform permission "platform.manage_training"
(PermissionDenied, hence 403, for anybody else).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from territoires.formations import selectors, services
from territoires.formations.forms import AttendanceForm, TrainingSessionForm
from territoires.formations.models import RegistrationStatus, TrainingSession
from territoires.tenancy.access import require_platform_perm
from territoires.ui.forms import add_service_errors


def manager_view(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, session_id: int | None = None, **kwargs):
        require_platform_perm(request.user, services.MANAGE)
        if session_id is not None:
            try:
                kwargs["session"] = selectors.session_get(session_id=session_id)
            except TrainingSession.DoesNotExist:
                raise Http404 from None
        return view(request, *args, **kwargs)

    return wrapper


@manager_view
def session_list(request):
    return render(request, "formations/manage/list.html",
                  {"sessions": selectors.sessions_for_operator(actor=request.user)})


@manager_view
def session_create(request):
    form = TrainingSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.training_session_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session « %(title)s » créée.") % {"title": session.title})
            return redirect("formations:manage_participants", session.pk)
    return render(request, "formations/manage/form.html", {"form": form, "session": None})


@manager_view
def session_edit(request, session: TrainingSession):
    form = TrainingSessionForm(request.POST or None,
                               initial=TrainingSessionForm.initial_from(session))
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                services.training_session_update(actor=request.user, session=session, **changed)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session mise à jour."))
            return redirect("formations:manage_participants", session.pk)
    return render(request, "formations/manage/form.html", {"form": form, "session": session})


@manager_view
def session_cancel(request, session: TrainingSession):
    if request.method == "POST":
        try:
            services.training_session_cancel(actor=request.user, session=session)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Session annulée ; les personnes inscrites sont prévenues."))
        return redirect("formations:manage_participants", session.pk)
    return render(request, "formations/manage/cancel.html", {"session": session})


@manager_view
def session_participants(request, session: TrainingSession):
    registrations = list(selectors.session_participants(actor=request.user, session=session))
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITING]
    form = AttendanceForm(request.POST or None, registrations=confirmed)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, session=session,
                                       attended=form.attended())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Présences enregistrées."))
            return redirect("formations:manage_participants", session.pk)
    return render(request, "formations/manage/participants.html", {
        "session": session, "confirmed": confirmed, "waiting": waiting, "form": form,
    })

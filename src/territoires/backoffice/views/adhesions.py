"""Membership requests (adhésions): list, detail, approval and refusal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.backoffice import selectors
from territoires.backoffice.forms import RejectForm, RequestFilterForm
from territoires.backoffice.views.common import operator_view, render_list
from territoires.tenancy import services
from territoires.tenancy.models import MembershipRequestStatus, Service

PERM = "platform.approve_memberships"


@operator_view(PERM)
def request_list(request):
    # Pending requests are what the operator has to act on: shown by default.
    data = request.GET if "status" in request.GET else {"status": MembershipRequestStatus.PENDING}
    form = RequestFilterForm(data)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return render_list(
        request,
        template="backoffice/requests.html",
        fragment="backoffice/_request_results.html",
        queryset=selectors.membership_requests(actor=request.user, status=status),
        context={"form": form, "nav_current": "requests"},
    )


def _get(request, request_id: int):
    return get_object_or_404(selectors.membership_requests(actor=request.user), pk=request_id)


def _detail(request, adhesion, reject_form=None):
    labels = dict(Service.choices)
    return render(
        request,
        "backoffice/request_detail.html",
        {
            "adhesion": adhesion,
            "services": [labels.get(code, code) for code in adhesion.services],
            "is_pending": adhesion.status == MembershipRequestStatus.PENDING,
            "reject_form": reject_form or RejectForm(),
            "nav_current": "requests",
        },
    )


@operator_view(PERM)
def request_detail(request, request_id: int):
    return _detail(request, _get(request, request_id))


@operator_view(PERM)
@require_POST
def request_approve(request, request_id: int):
    adhesion = _get(request, request_id)
    try:
        body = services.membership_request_approve(actor=request.user, request=adhesion)
    except ValidationError as error:
        for message in error.messages:
            messages.error(
                request, _("La demande n'a pas pu être acceptée : %(reason)s") % {"reason": message}
            )
        return redirect("backoffice:request_detail", adhesion.pk)
    messages.success(
        request,
        _(
            "Adhésion acceptée : l'organisme %(name)s est créé et une invitation d'administrateur "
            "est envoyée à %(email)s."
        )
        % {"name": body.name, "email": adhesion.contact_email},
    )
    return redirect("backoffice:body_detail", body.siren)


@operator_view(PERM)
@require_POST
def request_reject(request, request_id: int):
    adhesion = _get(request, request_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.membership_request_reject(
                actor=request.user, request=adhesion, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("backoffice:request_detail", adhesion.pk)
        else:
            messages.success(
                request,
                _("Demande refusée : %(email)s est prévenu par courriel.")
                % {"email": adhesion.contact_email},
            )
            return redirect("backoffice:request_list")
    return _detail(request, adhesion, reject_form=form)

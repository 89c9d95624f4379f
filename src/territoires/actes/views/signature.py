"""Signing an act, and the signatory's certificate page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.actes import signing
from territoires.actes.forms import CredentialImportForm, SignForm
from territoires.actes.views.drafts import _acte, detail_page, page_context
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors


@require_POST
@body_view("actes.sign", Service.ACTES)
def sign(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    form = SignForm(request.POST, prefix="sign")
    if form.is_valid():
        try:
            signing.acte_sign(actor=request.user, acte=acte, password=form.cleaned_data["password"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Acte signé électroniquement."))
            return redirect("actes:detail", body.siren, acte.pk)
    return detail_page(request, body, acte, sign_form=form)


@require_POST
@body_view("actes.draft", Service.ACTES)
def request_signature(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    try:
        signing.acte_request_signature(actor=request.user, acte=acte)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Les signataires de l'organisme sont prévenus."))
    return redirect("actes:detail", body.siren, acte.pk)


@body_view("actes.sign", Service.ACTES)
def credential(request, body: Body):
    form = CredentialImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "issue":
                signing.credential_issue_for(actor=request.user)
                messages.success(request, _("Votre certificat de signature est créé."))
                return redirect("actes:credential", body.siren)
            if form.is_valid():
                signing.credential_import(actor=request.user, data=form.cleaned_data["file"].read(),
                                          password=form.cleaned_data["password"])
                messages.success(request, _("Votre certificat est importé."))
                return redirect("actes:credential", body.siren)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "actes/credential.html", {
        **page_context(), "credential": signing.credential_of(request.user), "form": form,
    })

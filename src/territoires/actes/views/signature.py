"""Signing an act, and the signatory's certificate page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.actes import signing
from territoires.actes.forms import CredentialImportForm, SignForm
from territoires.actes.views.drafts import _acte, act_command, act_form, page_context
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors


@require_POST
@body_view("actes.sign", Service.ACTES)
def sign(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_form(request, body, acte, SignForm(request.POST, prefix="sign"),
                    lambda password: signing.acte_sign(actor=request.user, acte=acte, password=password),
                    _("Acte signé électroniquement."), "sign_form")


@require_POST
@body_view("actes.draft", Service.ACTES)
def request_signature(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_command(request, body, acte, lambda: signing.acte_request_signature(actor=request.user, acte=acte),
                       _("Les signataires de l'organisme sont prévenus."))


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

"""The company space under /entreprise/: registration by SIRET, company card,
colleagues, document safe and e-mail alerts.

Every page but registration, invitation links and the alert button goes through
`company_view`, which resolves the user's company (the one chosen last when they
belong to several). Objects are then looked up inside that company only, so
another company's document, colleague or alert is a 404.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from territoires.accounts.flow import PASSWORD_BACKEND, login_begin
from territoires.accounts.invitations import InvitationFlow, invitation_page
from territoires.accounts.models import CompanyMembership
from territoires.core.files import stored_file_response
from territoires.core.throttle import client_address
from territoires.marches import companies, entreprise
from territoires.marches.forms_company import (
    AlertForm,
    ColleagueInviteForm,
    DocumentForm,
    RegisterForm,
    SiretForm,
)
from territoires.marches.models import CompanyInvitation
from territoires.marches.search import SearchParams
from territoires.ui.forms import add_service_errors

SESSION_COMPANY = "marches_company_id"
SESSION_PREVIEW = "marches_company_preview"


def company_view(admin: bool = False):
    """Resolve the logged-in user's company (else a French 403 page) and pass its membership."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = companies.membership_for_user(request.user, request.session.get(SESSION_COMPANY))
            if membership is None:
                return render(request, "marches/company/not_company.html", status=403)
            if admin and not membership.is_admin:
                raise PermissionDenied
            request.company_membership = membership
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


def _context(membership: CompanyMembership, **extra) -> dict:
    return {
        "company": membership.company,
        "membership": membership,
        "simulation": entreprise.is_simulation(),
        **extra,
    }


# --- Registration -------------------------------------------------------------------------


def register(request):
    """Two steps on one URL: the SIRET (company data shown from API Entreprise), then the account."""
    if request.user.is_authenticated and companies.is_company_user(request.user):
        return redirect("marches_company:home")
    step = request.POST.get("step") if request.method == "POST" else None
    context = {"simulation": entreprise.is_simulation(), "demo_sirets": _demo_sirets()}
    if step == "account":
        form = RegisterForm(request.POST)
        info = _preview_from_session(request, request.POST.get("siret", ""))
        if info is None:  # session lost (expired, other tab): look the company up again
            try:
                info = companies.company_preview(siret=request.POST.get("siret", ""),
                                                 requester=client_address(request))
            except ValidationError as error:
                siret_form = SiretForm(request.POST)
                siret_form.is_valid()
                add_service_errors(siret_form, error)
                return render(request, "marches/company/register.html", {**context, "siret_form": siret_form})
        if form.is_valid():
            try:
                user, company = companies.company_register(**form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session.pop(SESSION_PREVIEW, None)
                messages.success(request, _("Bienvenue ! Le compte de %(company)s est créé.") % {"company": company.name})
                return login_begin(request, user, backend=PASSWORD_BACKEND, method="password",
                                   next_url=reverse("marches_company:home"))
        return render(request, "marches/company/register.html", {**context, "info": info, "form": form})
    siret_form = SiretForm(request.POST if step == "siret" else None)
    if step == "siret" and siret_form.is_valid():
        try:
            info = companies.company_preview(siret=siret_form.cleaned_data["siret"],
                                             requester=client_address(request))
        except ValidationError as error:
            add_service_errors(siret_form, error)
        else:
            request.session[SESSION_PREVIEW] = info.to_data()
            form = RegisterForm(initial={"siret": info.siret})
            return render(request, "marches/company/register.html", {**context, "info": info, "form": form})
    return render(request, "marches/company/register.html", {**context, "siret_form": siret_form})


def _preview_from_session(request, siret: str) -> entreprise.CompanyInfo | None:
    data = request.session.get(SESSION_PREVIEW)
    if not data or data.get("siret") != siret.replace(" ", ""):
        return None
    return entreprise.CompanyInfo.from_data(data)


def _demo_sirets() -> list[dict]:
    if entreprise.backend_name() != "simulator":
        return []
    return [{"siret": s, "name": row["name"], "active": row["is_active"]}
            for s, row in entreprise.demo_directory().items()]


# --- Company home -------------------------------------------------------------------------


@company_view()
def home(request, membership: CompanyMembership):
    company = membership.company
    documents = [
        {"document": d, "state": companies.document_state(d)}
        for d in companies.documents_for_company(company)
    ]
    return render(request, "marches/company/home.html", _context(
        membership,
        info=companies.company_info(company),
        profile=getattr(company, "profile", None),
        colleagues=companies.colleagues_for_company(company),
        invitations=companies.invitations_pending(company) if membership.is_admin else [],
        documents=documents,
        alerts=companies.saved_searches_for_user(request.user),
        other_companies=[c for c in companies.companies_for_user(request.user) if c.pk != company.pk],
        invite_form=ColleagueInviteForm() if membership.is_admin else None,
    ))


@require_POST
@login_required
def switch(request):
    membership = companies.membership_for_user(request.user, _int(request.POST.get("company")))
    if membership is None or str(membership.company_id) != request.POST.get("company"):
        raise Http404
    request.session[SESSION_COMPANY] = membership.company_id
    return redirect("marches_company:home")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@company_view()
def refresh(request, membership: CompanyMembership):
    try:
        companies.company_refresh(actor=request.user, company=membership.company)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La fiche de l'entreprise est à jour."))
    return redirect("marches_company:home")


# --- Colleagues ---------------------------------------------------------------------------


@company_view(admin=True)
def colleague_invite(request, membership: CompanyMembership):
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            companies.colleague_invite(actor=request.user, company=membership.company,
                                       email=form.cleaned_data["email"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("marches_company:home")
    return render(request, "marches/company/colleague_invite.html", _context(membership, form=form))


@require_POST
@company_view(admin=True)
def colleague_remove(request, membership: CompanyMembership, membership_id: int):
    target = get_object_or_404(CompanyMembership.objects.select_related("user"),
                               pk=membership_id, company=membership.company)
    try:
        companies.colleague_remove(actor=request.user, company=membership.company, membership=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'accès de %(email)s est retiré.") % {"email": target.user.email})
    return redirect("marches_company:home")


@require_POST
@company_view(admin=True)
def invitation_revoke(request, membership: CompanyMembership, invitation_id: int):
    invitation = get_object_or_404(CompanyInvitation, pk=invitation_id, company=membership.company)
    try:
        companies.colleague_invitation_revoke(actor=request.user, company=membership.company, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'invitation de %(email)s est annulée.") % {"email": invitation.email})
    return redirect("marches_company:home")


@require_POST
@company_view(admin=True)
def colleague_admin(request, membership: CompanyMembership, membership_id: int):
    target = get_object_or_404(CompanyMembership.objects.select_related("user"),
                               pk=membership_id, company=membership.company)
    make_admin = request.POST.get("is_admin") == "1"
    try:
        companies.colleague_set_admin(actor=request.user, company=membership.company, membership=target,
                                      is_admin=make_admin)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = (_("%(email)s est désormais administrateur du compte.") if make_admin
                   else _("%(email)s n'est plus administrateur du compte."))
        messages.success(request, message % {"email": target.user.email})
    return redirect("marches_company:home")


def _colleague_joined(request, invitation, membership) -> str:
    request.session[SESSION_COMPANY] = membership.company_id
    return reverse("marches_company:home")


COLLEAGUE_FLOW = InvitationFlow(
    get=lambda token: companies.colleague_invitation_get(token=token),
    accept=companies.colleague_accept,
    error=companies.InvitationError,
    template="marches/company/colleague_accept.html",
    invalid_template="marches/company/invitation_invalid.html",
    joined=_colleague_joined,
    joined_message=lambda invitation: _("Vous avez rejoint %(company)s.") % {"company": invitation.company.name},
)


def colleague_accept(request, token: str):
    """Public page of an invitation link: create the account or join with the current one."""
    return invitation_page(request, token, COLLEAGUE_FLOW)


# --- Document safe ------------------------------------------------------------------------


@company_view()
def document_upload(request, membership: CompanyMembership):
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = companies.document_add(
                actor=request.user, company=membership.company, kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"], valid_until=form.cleaned_data["valid_until"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("« %(name)s » est dans le coffre-fort.") % {"name": document.name})
            return redirect("marches_company:home")
    return render(request, "marches/company/document_upload.html", _context(
        membership, form=form, max_mb=companies.MAX_DOCUMENT_BYTES // (1024 * 1024)))


@company_view()
def document_download(request, membership: CompanyMembership, document_id: int):
    document = get_object_or_404(companies.documents_for_company(membership.company), pk=document_id)
    response = stored_file_response(document.stored, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@company_view()
def document_delete(request, membership: CompanyMembership, document_id: int):
    document = get_object_or_404(companies.documents_for_company(membership.company), pk=document_id)
    companies.document_delete(actor=request.user, company=membership.company, document=document)
    messages.success(request, _("« %(name)s » est supprimé du coffre-fort.") % {"name": document.name})
    return redirect("marches_company:home")


@require_POST
@company_view()
def attestations_fetch(request, membership: CompanyMembership):
    try:
        added = companies.company_attestations_fetch(actor=request.user, company=membership.company)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if added:
            messages.success(request, _("%(n)s attestation(s) ajoutée(s) au coffre-fort.") % {"n": len(added)})
        else:
            messages.info(request, _("Aucune nouvelle attestation n'est disponible pour le moment."))
    return redirect("marches_company:home")


# --- Alerts -------------------------------------------------------------------------------


@company_view()
def alerts(request, membership: CompanyMembership):
    items = [{"alert": a, "url": _portal_url(a.params)} for a in companies.saved_searches_for_user(request.user)]
    return render(request, "marches/company/alerts.html", _context(membership, items=items))


def _portal_url(query: dict) -> str:
    try:
        path = reverse("marches_public:search")
    except NoReverseMatch:
        path = "/marches/"
    return path + (f"?{urlencode(query)}" if query else "")


def alert_create(request):
    """Save a portal search as an alert. POST from the search page's button; GET shows the
    form (where a visitor lands after logging in, with the search in the query string)."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            params = request.POST.get("params", "")
            target = reverse("marches_company:alert_create") + (f"?{params}" if params else "")
        else:
            target = request.get_full_path()
        return redirect_to_login(target)
    if not companies.is_company_user(request.user):
        return render(request, "marches/company/not_company.html", {"for_alerts": True}, status=403)
    if request.method == "POST":
        form = AlertForm(request.POST)
    else:
        query = request.GET.copy()
        name = query.pop("name", [""])[-1]
        form = AlertForm(initial={"name": name or _default_name(query), "params": query.urlencode()})
    if request.method == "POST" and form.is_valid():
        try:
            saved = companies.saved_search_create(actor=request.user, name=form.cleaned_data["name"],
                                                  params=form.cleaned_data["params"])
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            return render(request, "marches/company/not_company.html", {"for_alerts": True, "error": str(error)},
                          status=403)
        else:
            messages.success(request, _("L'alerte « %(name)s » est créée : vous recevrez chaque jour les "
                                        "nouveaux avis correspondants.") % {"name": saved.name})
            return redirect("marches_company:alerts")
    params_text = form["params"].value() or ""
    return render(request, "marches/company/alert_create.html", {
        "form": form, "criteria": _criteria(QueryDict(params_text)), "search_url": _portal_url(
            {k: v for k, v in QueryDict(params_text).items()}),
    })


def _default_name(query) -> str:
    params, _errors = SearchParams.from_query(query)
    return (params.q or params.cpv or params.departement or _("Ma recherche"))[:100]


CRITERIA_LABELS = {
    "q": gettext_lazy("Mots-clés"), "cpv": gettext_lazy("Code CPV"), "departement": gettext_lazy("Département"),
    "nuts": gettext_lazy("Code NUTS"), "procedure": gettext_lazy("Procédure"), "nature": gettext_lazy("Nature"),
    "buyer": gettext_lazy("Acheteur"), "closing_after": gettext_lazy("Clôture après le"),
    "closing_before": gettext_lazy("Clôture avant le"), "open_only": gettext_lazy("Consultations ouvertes seulement"),
}


def _criteria(query) -> list[dict]:
    params, _errors = SearchParams.from_query(query)
    out = []
    for key, value in params.to_query().items():
        if key == "sort":
            continue
        out.append({"label": CRITERIA_LABELS.get(key, key), "value": _("oui") if key == "open_only" else value})
    return out


@require_POST
@company_view()
def alert_delete(request, membership: CompanyMembership, alert_id: int):
    saved = get_object_or_404(companies.saved_searches_for_user(request.user), pk=alert_id)
    companies.saved_search_delete(actor=request.user, saved_search=saved)
    messages.success(request, _("L'alerte « %(name)s » est supprimée.") % {"name": saved.name})
    return redirect("marches_company:alerts")


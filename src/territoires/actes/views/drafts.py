"""Listing, drafting and posting acts."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.actes import correspondence, documents, rules, selectors, services, signing
from territoires.actes.forms import (
    ActeCreateForm,
    ActeFilterForm,
    ActeForm,
    FileForm,
    NotifyForm,
    PublishForm,
    ReplyForm,
    SignForm,
    kept_file_load,
    kept_file_token,
    typology_choices,
)
from territoires.actes.models import Acte, ActeFile, FileRole, Status
from territoires.core.files import stored_file_response
from territoires.core.models import StoredFile
from territoires.interop.actes.codes import BY_CODE, BY_ROOT
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.commands import page_command, page_form
from territoires.ui.forms import add_service_errors
from territoires.ui.pagination import paginate


def page_context() -> dict:
    """What every e-actes agent page shows: the menu entry, and whether the prefecture is simulated."""
    return {"nav_current": Service.ACTES, "actes_simulation": settings.ACTES_TRANSPORT == "simulator"}


def _acte(request, body: Body, acte_id: int) -> Acte:
    try:
        return selectors.acte_of_body(actor=request.user, body=body, acte_id=acte_id)
    except Acte.DoesNotExist:
        raise Http404 from None


def default_typology(classification, nature: str) -> str:
    """The nature's generic typology (99_DE, 99_AI…), the one most acts use."""
    codes = [code for code, _label in typology_choices(classification, nature)]
    return next((c for c in codes if c.startswith("99_") and c != "99_SE"), codes[0] if codes else "")


def _classification_context(body: Body) -> dict:
    """The body's classification, and a fresh 7-1 request when it is missing or stale."""
    from territoires.actes.classification import classification_is_stale, classification_request

    stale = classification_is_stale(body)
    if stale and body.departement:
        classification_request(body=body)  # no-op while a request is on its way
    return {"classification": rules.current_classification(body), "classification_stale": stale}


@body_view("actes.view", Service.ACTES)
def acte_list(request, body: Body):
    filters = ActeFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    actes = selectors.actes_of_body(actor=request.user, body=body, q=values.get("q", ""),
                                    status=values.get("status", ""), nature=values.get("nature", ""))
    page, query_string = paginate(request, actes, per_page=25)
    return render(request, "actes/list.html", {
        **page_context(), "filters": filters, "page": page, "query_string": query_string,
        "can_draft": access.has_perm(request.user, body, "actes.draft"),
        "can_transmit": access.has_perm(request.user, body, "actes.transmit"),
        **_classification_context(body),
    })


def _kept_main(request) -> tuple[StoredFile | None, str]:
    kept = kept_file_load(request.POST.get("kept_main", ""), request.user.pk)
    stored = StoredFile.objects.filter(pk=kept["id"]).first() if kept else None
    return stored, (kept["name"] if stored else "")


def _draft_from_form(request, body: Body, form: ActeCreateForm) -> tuple[Acte | None, StoredFile | None, str]:
    """Store the main document first, then create the draft; the file survives other errors."""
    stored, name = _kept_main(request)
    upload = form.cleaned_data.get("main_document")
    if upload is not None:
        try:
            stored = services.acte_file_store(name=upload.name, data=upload, role=FileRole.MAIN,
                                              nature=form.cleaned_data["nature"])
            name = upload.name
        except ValidationError as error:
            form.add_error("main_document", error.message_dict["file"])
            return None, stored, name
    fields = {k: form.cleaned_data[k] for k in services.DRAFT_FIELDS}
    try:
        with transaction.atomic():
            acte = services.acte_create(actor=request.user, body=body, **fields)
            if stored is not None:
                services.acte_file_attach(actor=request.user, acte=acte, stored=stored, name=name,
                                          role=FileRole.MAIN,
                                          typology=default_typology(acte.classification, acte.nature))
    except ValidationError as error:
        add_service_errors(form, error)
        return None, stored, name
    return acte, stored, name


@body_view("actes.draft", Service.ACTES)
def acte_create(request, body: Body):
    classification = rules.current_classification(body)
    form = ActeCreateForm(request.POST or None, request.FILES or None, classification=classification)
    stored, name = _kept_main(request) if request.method == "POST" else (None, "")
    if request.method == "POST" and form.is_valid():
        acte, stored, name = _draft_from_form(request, body, form)
        if acte is not None:
            messages.success(request, _("Brouillon enregistré. Vérifiez-le puis transmettez-le."))
            return redirect("actes:detail", body.siren, acte.pk)
    return render(request, "actes/create.html", {
        **page_context(), **_classification_context(body), "form": form, "kept_name": name,
        "kept_token": kept_file_token(stored.pk, name, request.user.pk) if stored else "",
    })


def _exchanges(request, acte: Acte) -> list[dict]:
    """Every message received about the act, with its files, our answers and a reply form."""
    from territoires.actes.views.correspondence import reply_choices

    can_answer = access.has_perm(request.user, acte.body, "actes.transmit")
    rows = []
    for message in selectors.acte_messages(acte=acte).prefetch_related("files", "answers__files"):
        choices = reply_choices(message) if can_answer else []
        rows.append({
            "message": message,
            "label": BY_ROOT[message.root].label if message.root in BY_ROOT else message.root,
            "answers": [(a, BY_CODE[a.code].label) for a in message.answers.all()],
            "form": ReplyForm(choices=choices, prefix=f"reply-{message.pk}") if choices else None,
        })
    return rows


def detail_page(request, body: Body, acte: Acte, **forms):
    """The act's page; `forms` carries a bound form that failed, so what was typed stays."""
    files = list(acte.files.select_related("stored"))
    can_draft = access.has_perm(request.user, body, "actes.draft") and acte.is_editable
    can_publish = access.has_perm(request.user, body, "actes.publish") and acte.status not in {
        Status.DRAFT, Status.CANCELLED}
    return render(request, "actes/detail.html", {
        **page_context(), "acte": acte, "files": files,
        "matiere_label": acte.classification.matiere_label(acte.matiere_code),
        "problems": rules.acte_problems(acte) if acte.status == Status.DRAFT else [],
        "can_draft": can_draft,
        "can_transmit": access.has_perm(request.user, body, "actes.transmit"),
        "file_form": FileForm(typologies=typology_choices(acte.classification, acte.nature)) if can_draft else None,
        "exchanges": _exchanges(request, acte),
        "window": correspondence.acte_window(acte),
        "can_cancel": acte.status == Status.ACKNOWLEDGED and access.has_perm(request.user, body, "actes.transmit"),
        "simulated_letters": list(correspondence.LETTER_LABELS.items()),
        "has_main": any(f.role == FileRole.MAIN for f in files),
        "stamped_available": documents.stamped_available(acte),
        "receipt_available": acte.status in documents.RECEIVED,
        "publish_form": forms.get("publish_form") or (
            PublishForm(prefix="publish", initial={"published_on": timezone.localdate()})
            if can_publish and not acte.published_on else None),
        "signatures": signing.signatures_of(acte),
        "sign_form": forms.get("sign_form") or (
            SignForm(prefix="sign") if acte.status == Status.DRAFT and access.has_perm(request.user, body, "actes.sign")
            and any(f.role == FileRole.MAIN and f.extension == "pdf" for f in files) else None),
        "notify_form": forms.get("notify_form") or (
            NotifyForm(prefix="notify", initial={"notified_on": timezone.localdate()})
            if can_publish and acte.nature == "AI" and not acte.notified_on else None),
    }, status=400 if forms else 200)


def act_command(request, body: Body, acte: Acte, command, success: str) -> HttpResponse:
    """A button on the act's page (see `ui.commands.page_command`)."""
    return page_command(request, command, success, reverse("actes:detail", args=[body.siren, acte.pk]))


def act_form(request, body: Body, acte: Acte, form, action, success: str, key: str) -> HttpResponse:
    """A form posted from the act's page; on an error the page again with the bound form under `key`."""
    return page_form(request, form, action, success, reverse("actes:detail", args=[body.siren, acte.pk]),
                     lambda bound: detail_page(request, body, acte, **{key: bound}))


@body_view("actes.view", Service.ACTES)
def acte_detail(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    correspondence.letters_mark_read(actor=request.user, body=body, acte=acte)
    return detail_page(request, body, acte)


@body_view("actes.draft", Service.ACTES)
def acte_edit(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    if not acte.is_editable:
        messages.error(request, _("Seul un brouillon peut être modifié."))
        return redirect("actes:detail", body.siren, acte.pk)
    classification = rules.current_classification(body)
    initial = {name: getattr(acte, name) for name in services.DRAFT_FIELDS}
    form = ActeForm(request.POST or None, initial=initial, classification=classification)
    if request.method == "POST" and form.is_valid():
        try:
            services.acte_update(actor=request.user, acte=acte, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Brouillon mis à jour."))
            return redirect("actes:detail", body.siren, acte.pk)
    return render(request, "actes/edit.html", {**page_context(), "form": form, "acte": acte})


@require_POST
@body_view("actes.draft", Service.ACTES)
def file_add(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    role = FileRole.MAIN if request.POST.get("role") == FileRole.MAIN else FileRole.ANNEX
    form = FileForm(request.POST, request.FILES, typologies=typology_choices(acte.classification, acte.nature))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = services.acte_file_store(name=upload.name, data=upload, role=role, nature=acte.nature)
            services.acte_file_attach(actor=request.user, acte=acte, stored=stored, name=upload.name,
                                      role=role, typology=form.cleaned_data["typology"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{upload.name} : {message}")
        else:
            messages.success(request, _("Fichier « %(name)s » ajouté.") % {"name": upload.name})
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect("actes:detail", body.siren, acte.pk)


@require_POST
@body_view("actes.draft", Service.ACTES)
def file_remove(request, body: Body, acte_id: int, file_id: int):
    acte = _acte(request, body, acte_id)
    item = get_object_or_404(ActeFile, pk=file_id, acte=acte)
    return act_command(request, body, acte, lambda: services.acte_file_remove(actor=request.user, item=item),
                       _("Fichier « %(name)s » retiré.") % {"name": item.name})


@body_view("actes.view", Service.ACTES)
def file_download(request, body: Body, acte_id: int, file_id: int):
    acte = _acte(request, body, acte_id)
    item = get_object_or_404(ActeFile.objects.select_related("stored"), pk=file_id, acte=acte)
    return stored_file_response(item.stored, item.name)


@require_POST
@body_view("actes.transmit", Service.ACTES)
def acte_post(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_command(request, body, acte, lambda: services.acte_post(actor=request.user, acte=acte),
                       _("Acte déposé : il part vers la préfecture dans quelques instants."))


@require_POST
@body_view("actes.transmit", Service.ACTES)
def acte_redraft(request, body: Body, acte_id: int):
    acte = _acte(request, body, acte_id)
    return act_command(request, body, acte, lambda: services.acte_back_to_draft(actor=request.user, acte=acte),
                       _("L'acte est redevenu un brouillon : corrigez-le puis transmettez-le de nouveau."))


@require_POST
@body_view("actes.transmit", Service.ACTES)
def acte_post_batch(request, body: Body):
    ids = [int(v) for v in request.POST.getlist("acte") if v.isdigit()]
    actes = list(selectors.actes_of_body(actor=request.user, body=body).filter(pk__in=ids))
    if not actes:
        messages.error(request, _("Cochez au moins un acte à transmettre."))
        return redirect("actes:list", body.siren)
    posted, refused = services.actes_post_batch(actor=request.user, body=body, actes=actes)
    if posted:
        messages.success(request, _("%(n)s acte(s) déposé(s) pour transmission.") % {"n": len(posted)})
    by_id = {a.pk: a for a in actes}
    for acte_id, reasons in refused.items():
        messages.error(request, _("%(numero)s non transmis : %(reasons)s") % {
            "numero": by_id[acte_id].numero_interne, "reasons": " ".join(reasons)})
    return redirect("actes:list", body.siren)

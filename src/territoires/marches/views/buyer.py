"""The buyer's pages: consultations of the active body, from draft to outcome."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.core.files import stored_file_response
from territoires.core.uploads import UploadError, upload_claim
from territoires.interop.eforms.errors import NoticeError
from territoires.marches import eforms_notices, selectors, services
from territoires.marches.forms import (
    AmendForm,
    AnswerForm,
    AwardForm,
    CancelForm,
    ConsultationForm,
    DceFilesForm,
    LotForm,
    with_cpv_suggestions,
)
from territoires.marches.models import Consultation, DceFile, Lot, Question, Status
from territoires.marches.reference import cpv_catalogue
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service
from territoires.tenancy.views import body_view
from territoires.ui.commands import page_command, page_form
from territoires.ui.forms import add_service_errors
from territoires.ui.pagination import paginate

MANAGE = "marches.manage"


def page_context(body: Body) -> dict:
    return {"nav_current": Service.MARCHES, "cpv_url": reverse("marches:cpv", args=[body.siren])}


def body_consultation_or_404(body: Body, consultation_id: int) -> Consultation:
    try:
        return selectors.consultation_of_body(body=body, consultation_id=consultation_id)
    except Consultation.DoesNotExist:
        raise Http404 from None


def _back(body: Body, consultation: Consultation):
    return redirect("marches:detail", body.siren, consultation.pk)


@body_view("body.view", Service.MARCHES)
def consultation_list(request, body: Body):
    """The service's entry page: every agent of a subscribed body reaches it from the menu;
    only buyers see the consultations (the others are told which role they need)."""
    if not access.has_perm(request.user, body, MANAGE):
        return render(request, "marches/buyer/no_role.html", page_context(body), status=403)
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    page, query_string = paginate(request, selectors.consultations_of_body(body=body, status=status), per_page=25)
    return render(request, "marches/buyer/list.html", {
        **page_context(body), "page": page, "query_string": query_string, "status": status,
        "statuses": Status.choices,
    })


@body_view(MANAGE, Service.MARCHES)
def consultation_create(request, body: Body):
    form = with_cpv_suggestions(ConsultationForm(request.POST or None), page_context(body)["cpv_url"])
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Consultation enregistrée en brouillon. Ajoutez les lots et le DCE, "
                                        "puis publiez-la."))
            return _back(body, consultation)
    return render(request, "marches/buyer/form.html", {**page_context(body), "form": form, "consultation": None})


@body_view(MANAGE, Service.MARCHES)
def consultation_edit(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    if consultation.status != Status.DRAFT:
        messages.error(request, _("Une consultation publiée se modifie par un modificatif."))
        return _back(body, consultation)
    form = with_cpv_suggestions(
        ConsultationForm(request.POST or None, initial=ConsultationForm.initial_from(consultation)),
        page_context(body)["cpv_url"])
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(actor=request.user, consultation=consultation,
                                         **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Consultation mise à jour."))
            return _back(body, consultation)
    return render(request, "marches/buyer/form.html", {**page_context(body), "form": form,
                                                        "consultation": consultation})


def detail_page(request, body: Body, consultation: Consultation, **forms) -> HttpResponse:
    """The consultation's page; `forms` carries a bound form that failed, so what was typed stays."""
    from territoires.marches.views import candidature as candidature_views

    status = consultation.status
    draft = services.dce_draft(consultation)
    questions = list(consultation.questions.select_related("company").order_by("answered_at", "asked_at"))
    lots = list(consultation.lots.all())
    cpv_url = page_context(body)["cpv_url"]
    editable_dce = status in (Status.DRAFT, Status.PUBLISHED)
    return render(request, "marches/buyer/detail.html", {
        **page_context(body), "consultation": consultation, "lots": lots,
        "cpv_label": _cpv_label(consultation.cpv_main),
        "cpv_additional": [(code, _cpv_label(code)) for code in consultation.cpv_additional],
        "versions": list(consultation.dce_versions.filter(published_at__isnull=False)
                         .prefetch_related("files__stored").order_by("-number")),
        "draft": draft, "draft_files": list(draft.files.select_related("stored")) if draft else [],
        "problems": services.publication_problems(consultation) if status == Status.DRAFT else [],
        "lot_form": forms.get("lot_form") or (with_cpv_suggestions(LotForm(prefix="lot"), cpv_url)
                                              if status == Status.DRAFT else None),
        "dce_form": DceFilesForm(prefix="dce") if editable_dce else None,
        "amend_form": forms.get("amend_form") or (AmendForm(prefix="amend") if status == Status.PUBLISHED else None),
        "cancel_form": forms.get("cancel_form") or (
            CancelForm(prefix="cancel") if status in (Status.PUBLISHED, Status.CLOSED) else None),
        "questions": [(q, forms.get(f"answer_form_{q.pk}") or AnswerForm(prefix=f"answer-{q.pk}",
                                                                         initial={"answer": q.answer}))
                      for q in questions],
        "can_answer": status in (Status.PUBLISHED, Status.CLOSED),
        "retraits": list(consultation.retraits.select_related("version", "company", "user")[:200]),
        "retraits_count": consultation.retraits.count(),
        "awards": list(consultation.awards.select_related("lot").order_by("lot__number")),
        "award_form": forms.get("award_form") or (
            AwardForm(prefix="award", consultation=consultation) if status == Status.CLOSED else None),
        "decp": list(consultation.decp.all()),
        **candidature_views.buyer_context(request, consultation),
        "above_threshold": eforms_notices.is_above_threshold(consultation),
    }, status=400 if forms else 200)


def _cpv_label(code: str) -> str:
    entry = cpv_catalogue().get(code) if code else None
    return f"{entry.full} – {entry.label_fr}" if entry else code


@body_view(MANAGE, Service.MARCHES)
def consultation_detail(request, body: Body, consultation_id: int):
    return detail_page(request, body, body_consultation_or_404(body, consultation_id))


def _command(request, body: Body, consultation: Consultation, command, success: str) -> HttpResponse:
    """A button of the consultation page (see `ui.commands.page_command`)."""
    return page_command(request, command, success, consultation.get_buyer_url())


def _form(request, body: Body, consultation: Consultation, form, action, success: str, key: str) -> HttpResponse:
    """A form of the consultation page; on an error the page again with the bound form under `key`."""
    return page_form(request, form, action, success, consultation.get_buyer_url(),
                     lambda bound: detail_page(request, body, consultation, **{key: bound}))


@require_POST
@body_view(MANAGE, Service.MARCHES)
def lot_add(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    form = with_cpv_suggestions(LotForm(request.POST, prefix="lot"), page_context(body)["cpv_url"])
    return _form(request, body, consultation, form,
                 lambda **data: services.lot_save(actor=request.user, consultation=consultation, **data),
                 _("Lot ajouté."), "lot_form")


@require_POST
@body_view(MANAGE, Service.MARCHES)
def lot_delete(request, body: Body, consultation_id: int, lot_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    lot = get_object_or_404(Lot, pk=lot_id, consultation=consultation)
    return _command(request, body, consultation, lambda: services.lot_delete(actor=request.user, lot=lot),
                    _("Lot supprimé."))


def _incoming_files(request, form):
    """The files sent with the form, then the finished resumable uploads it names (each
    claimed while it is used, and gone afterwards; see `core.uploads.upload_claim`)."""
    yield from form.cleaned_data["files"]
    for upload_id in form.cleaned_data["uploads"]:
        try:
            with upload_claim(request.user, upload_id, purpose="marches.dce") as upload:
                yield upload
        except UploadError as error:
            messages.error(request, error.message)


@require_POST
@body_view(MANAGE, Service.MARCHES)
def dce_upload(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    form = DceFilesForm(request.POST, request.FILES, prefix="dce")
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return _back(body, consultation)
    added = 0
    for upload in _incoming_files(request, form):
        try:
            services.dce_file_add(actor=request.user, consultation=consultation, name=upload.name, data=upload,
                                  content_type=upload.content_type or "application/octet-stream")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{upload.name} : {message}")
        else:
            added += 1
    if added:
        messages.success(request, _("%(n)s fichier(s) ajouté(s) au DCE en préparation.") % {"n": added})
    return _back(body, consultation)


@require_POST
@body_view(MANAGE, Service.MARCHES)
def dce_remove(request, body: Body, consultation_id: int, file_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    item = get_object_or_404(DceFile, pk=file_id, version__consultation=consultation)
    return _command(request, body, consultation,
                    lambda: services.dce_file_remove(actor=request.user, consultation=consultation, item=item),
                    _("Fichier retiré du DCE en préparation."))


@body_view(MANAGE, Service.MARCHES)
def dce_file(request, body: Body, consultation_id: int, file_id: int):
    """The buyer's own copy of any DCE file, published or in preparation (no retrait recorded)."""
    consultation = body_consultation_or_404(body, consultation_id)
    item = get_object_or_404(DceFile.objects.select_related("stored"), pk=file_id, version__consultation=consultation)
    return stored_file_response(item.stored, item.name)


@require_POST
@body_view(MANAGE, Service.MARCHES)
def publish(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    return _command(request, body, consultation,
                    lambda: services.consultation_publish(actor=request.user, consultation=consultation),
                    _("Consultation publiée sur le portail. Le DCE est en ligne."))


@require_POST
@body_view(MANAGE, Service.MARCHES)
def amend(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    return _form(request, body, consultation, AmendForm(request.POST, prefix="amend"),
                 lambda **data: services.dce_amend(actor=request.user, consultation=consultation, **data),
                 _("Modificatif publié ; les entreprises identifiées sont prévenues par courriel."), "amend_form")


@require_POST
@body_view(MANAGE, Service.MARCHES)
def cancel(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    return _form(request, body, consultation, CancelForm(request.POST, prefix="cancel"),
                 lambda **data: services.consultation_cancel(actor=request.user, consultation=consultation, **data),
                 _("Procédure déclarée sans suite."), "cancel_form")


@require_POST
@body_view(MANAGE, Service.MARCHES)
def answer(request, body: Body, consultation_id: int, question_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    question = get_object_or_404(Question, pk=question_id, consultation=consultation)
    form = AnswerForm(request.POST, prefix=f"answer-{question.pk}")
    return _form(request, body, consultation, form,
                 lambda **data: services.question_answer(actor=request.user, question=question, **data),
                 _("Réponse publiée et envoyée aux entreprises identifiées."), f"answer_form_{question.pk}")


@require_POST
@body_view(MANAGE, Service.MARCHES)
def award(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    form = AwardForm(request.POST, prefix="award", consultation=consultation)

    def save(**data):
        data.setdefault("lot", None)
        services.award_save(actor=request.user, consultation=consultation, **data)

    return _form(request, body, consultation, form, save, _("Attribution enregistrée."), "award_form")


@require_POST
@body_view(MANAGE, Service.MARCHES)
def conclude(request, body: Body, consultation_id: int):
    consultation = body_consultation_or_404(body, consultation_id)
    outcome = request.POST.get("outcome", "")
    success = (_("Consultation attribuée : complétez et publiez les données essentielles.")
               if outcome == Status.AWARDED else _("Consultation déclarée infructueuse."))
    return _command(request, body, consultation,
                    lambda: services.consultation_conclude(actor=request.user, consultation=consultation,
                                                           outcome=outcome), success)


@body_view(MANAGE, Service.MARCHES)
def notice_xml(request, body: Body, consultation_id: int, kind: str):
    """The eForms XML to hand to TED or BOAMP."""
    consultation = body_consultation_or_404(body, consultation_id)
    if consultation.status == Status.DRAFT and kind != "avis":
        raise Http404
    try:
        if kind == "avis":
            xml = eforms_notices.contract_notice_xml(consultation)
        elif kind == "attribution" and consultation.status == Status.AWARDED:
            xml = eforms_notices.award_notice_xml(consultation)
        else:
            raise Http404
    except NoticeError as error:
        messages.error(request, str(error))
        return _back(body, consultation)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{consultation.pk}.xml"'
    return response


@body_view(MANAGE, Service.MARCHES)
def retraits_csv(request, body: Body, consultation_id: int):
    """The register of downloads, for the file of the procedure (A8)."""
    import csv

    consultation = body_consultation_or_404(body, consultation_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="retraits-{consultation.reference}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Date et heure"), _("Version du DCE"), _("Entreprise"), _("SIRET"), _("Nom"), _("Courriel")])
    for r in consultation.retraits.select_related("version", "company", "user").order_by("downloaded_at"):
        writer.writerow([timezone.localtime(r.downloaded_at).strftime("%d/%m/%Y %H:%M:%S"), r.version.number,
                         r.company.name if r.company else "", r.company.siret if r.company else "", r.name,
                         r.email or (r.user.email if r.user else "")])
    return response


@body_view(MANAGE, Service.MARCHES)
def cpv_suggestions(request, body: Body):
    """`<option>`s for the CPV datalist, from the words or digits typed."""
    query = request.GET.get("cpv_main") or request.GET.get("cpv_additional") or request.GET.get("lot-cpv_main") \
        or request.GET.get("q") or ""
    last = query.split(",")[-1].strip()
    matches = cpv_catalogue().search(last, limit=20) if len(last) >= 2 else []
    return render(request, "marches/buyer/_cpv_options.html", {"matches": matches})

"""Public pages of a consultation: details, DCE download (free, direct, identification
optional), questions and answers, awarded contracts and their essential data."""

import tempfile
import zipfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.core.files import stored_file_response
from territoires.marches import essential, selectors, services
from territoires.marches.companies import is_company_user
from territoires.marches.forms import DownloadForm, QuestionForm
from territoires.marches.models import Consultation, DceFile
from territoires.marches.reference import cpv_catalogue
from territoires.ui.forms import add_service_errors
from territoires.ui.pagination import paginate

ZIP_SPOOL_BYTES = 16 * 1024 * 1024


def public_consultation_or_404(consultation_id: int) -> Consultation:
    try:
        return selectors.consultation_public(consultation_id)
    except Consultation.DoesNotExist:
        raise Http404 from None


def consultation_page(request, consultation: Consultation, **forms) -> HttpResponse:
    version = services.dce_published(consultation)
    catalogue = cpv_catalogue()
    entry = catalogue.get(consultation.cpv_main)
    return render(request, "marches/public/consultation.html", {
        "consultation": consultation, "lots": list(consultation.lots.all()),
        "cpv_label": f"{entry.full} – {entry.label_fr}" if entry else consultation.cpv_main,
        "version": version, "files": list(version.files.select_related("stored")) if version else [],
        "amendments": list(consultation.dce_versions.filter(published_at__isnull=False, number__gt=1)
                           .order_by("number")),
        "answers": list(selectors.answered_questions(consultation)),
        "download_form": forms.get("download_form") or DownloadForm(prefix="dl"),
        "question_form": forms.get("question_form") or (
            QuestionForm(prefix="q") if consultation.is_open() and is_company_user(request.user) else None),
        "is_open": consultation.is_open(),
        "awards": list(consultation.awards.select_related("lot").order_by("lot__number"))
        if consultation.status == "awarded" else [],
    }, status=400 if forms else 200)


def consultation_detail(request, consultation_id: int):
    return consultation_page(request, public_consultation_or_404(consultation_id))


def _zip_response(consultation: Consultation, files: list[DceFile]) -> FileResponse:
    """All files of the version in one zip, built in a spooled temporary file (a large DCE
    goes to disk, not to memory)."""
    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            with item.stored.content.open("rb") as source, archive.open(item.name, "w", force_zip64=True) as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
    spool.seek(0)
    name = f"DCE-{slugify(consultation.reference) or consultation.pk}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


def dce_download(request, consultation_id: int, file_id: int | None = None):
    """GET: direct download, no questions asked (D1). POST: the same, with the optional
    name and e-mail that subscribe the downloader to amendments and answers."""
    consultation = public_consultation_or_404(consultation_id)
    version = services.dce_published(consultation)
    if version is None:
        raise Http404
    name = email = ""
    if request.method == "POST":
        form = DownloadForm(request.POST, prefix="dl")
        if not form.is_valid():
            return consultation_page(request, consultation, download_form=form)
        name, email = form.cleaned_data["name"], form.cleaned_data["email"]
    files = list(version.files.select_related("stored"))
    if file_id is not None:
        files = [f for f in files if f.pk == file_id]
        if not files:
            raise Http404
    services.retrait_record(consultation=consultation, user=request.user, name=name, email=email)
    if len(files) == 1:
        return stored_file_response(files[0].stored, files[0].name)
    return _zip_response(consultation, files)


@require_POST
def question_ask(request, consultation_id: int):
    consultation = public_consultation_or_404(consultation_id)
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?next={consultation.get_absolute_url()}")
    form = QuestionForm(request.POST, prefix="q")
    if form.is_valid():
        try:
            services.question_ask(actor=request.user, consultation=consultation, **form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, str(error) or _("Seul un compte entreprise peut poser une question."))
            return redirect(consultation.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Question envoyée à l'acheteur. La réponse sera publiée ici et vous "
                                        "sera envoyée par courriel."))
            return redirect(consultation.get_absolute_url())
    return consultation_page(request, consultation, question_form=form)


def _login_url() -> str:
    return reverse("accounts:login")


def test_consultation(request):
    """The permanent rehearsal consultation (B6)."""
    consultation = selectors.test_consultation()
    if consultation is None:
        raise Http404
    return redirect(consultation.get_absolute_url())


def awarded_list(request):
    """Awarded contracts of the region's buyers (B4, B11)."""
    page, query_string = paginate(request, essential.awarded_public(), per_page=25)
    years = sorted(set(essential.decp_published().values_list("year", flat=True)), reverse=True)
    return render(request, "marches/public/awarded.html", {"page": page, "query_string": query_string,
                                                           "years": years})


def decp_year(request, year: int):
    """The year's published essential data, DECP v2 JSON (what data.gouv.fr consolidates)."""
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    records = list(essential.decp_published(year=year))
    if not records:
        raise Http404
    response = HttpResponse(essential.decp_export(records), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="decp-{year}.json"'
    return response


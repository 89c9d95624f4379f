"""HTTP side of resumable uploads (`core.uploads`): the tus 1.0 core protocol.

Errors are plain French text the browser script shows as they are, with the
status a tus client expects (409 with the true `Upload-Offset` to resync).
"""

import base64
import binascii

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from territoires.core import uploads

TUS_VERSION = "1.0.0"


def _response(status: int, text: str = "", **headers) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = str(value)
    return response


def _refusal(error: uploads.UploadError) -> HttpResponse:
    headers = {} if error.offset is None else {"Upload_Offset": error.offset}
    return _response(error.status, error.message, **headers)


def _integer_header(request, name: str) -> int | None:
    raw = request.headers.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _metadata(request) -> dict[str, str]:
    """`Upload-Metadata: filename <base64>,filetype <base64>,purpose <base64>`."""
    values = {}
    for pair in request.headers.get("Upload-Metadata", "").split(","):
        key, _sep, encoded = pair.strip().partition(" ")
        if key:
            try:
                values[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                values[key] = ""
    return values


def _signed_in(request) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return _response(403, _("Connectez-vous pour téléverser un fichier."))
    return None


@require_http_methods(["POST"])
def upload_create(request):
    """POST /televersements/ with Upload-Length and Upload-Metadata: 201 and the upload's address."""
    if refused := _signed_in(request):
        return refused
    length = _integer_header(request, "Upload-Length")
    if length is None:
        return _response(400, _("Taille du fichier manquante (en-tête Upload-Length)."))
    meta = _metadata(request)
    try:
        upload = uploads.upload_create(request.user, purpose=meta.get("purpose", ""),
                                       filename=meta.get("filename", ""), content_type=meta.get("filetype", ""),
                                       length=length)
    except uploads.UploadError as error:
        return _refusal(error)
    return _response(201, Location=reverse("core:upload", args=[upload.pk]), Upload_Offset=0)


@require_http_methods(["HEAD", "PATCH", "DELETE"])
def upload_resource(request, upload_id):
    """HEAD: how much arrived; PATCH: the next piece; DELETE: give up."""
    if refused := _signed_in(request):
        return refused
    try:
        if request.method == "HEAD":
            upload = uploads.upload_get(request.user, upload_id)
            return _response(200, Upload_Offset=upload.offset, Upload_Length=upload.length)
        if request.method == "DELETE":
            uploads.upload_delete(request.user, upload_id)
            return _response(204)
        if request.content_type != "application/offset+octet-stream":
            return _response(415, _("Type de contenu attendu : application/offset+octet-stream."))
        offset, size = _integer_header(request, "Upload-Offset"), _integer_header(request, "Content-Length")
        if offset is None or size is None:
            return _response(400, _("En-têtes Upload-Offset et Content-Length attendus."))
        new_offset = uploads.upload_append(request.user, upload_id, offset=offset, stream=request, size=size)
    except uploads.UploadError as error:
        return _refusal(error)
    return _response(204, Upload_Offset=new_offset)

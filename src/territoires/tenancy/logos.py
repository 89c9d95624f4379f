"""Checking and storing a body's logo.

Only PNG and JPEG are accepted (no SVG: it can carry scripts), at most 1 MB,
and the image is decoded by Pillow so a renamed file or a corrupted image is
refused with a clear French message. The stored name is derived from the
content hash, so a new logo never overwrites a file another page still shows.
"""

import hashlib
import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 1024 * 1024
FORMATS = {"PNG": "png", "JPEG": "jpg"}


def logo_checked(upload) -> ContentFile:
    """Validate an uploaded logo and return it as a content-named file."""
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError({"logo": _("Le logo dépasse 1 Mo : réduisez sa taille.")})
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError({"logo": _("Ce fichier n'est pas une image lisible.")}) from None
    if kind not in FORMATS:
        raise ValidationError({"logo": _("Le logo doit être une image PNG ou JPEG.")})
    digest = hashlib.sha256(data).hexdigest()[:16]
    return ContentFile(data, name=f"{digest}.{FORMATS[kind]}")


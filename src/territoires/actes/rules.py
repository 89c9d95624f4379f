"""The protocol's rules, checked before anything is sent.

Each rule gives a French message a commune secretary can act on; they are
the rejections users complain about most in other tools (stale
classification, file formats, sizes, corrupted PDF, wrong number). The form
checks a file as it is uploaded (`file_error`); `acte_problems` re-checks
the whole act just before it is posted, because the classification may have
changed since the draft was written.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.actes.models import Acte, Classification, FileRole
from territoires.interop.actes.naming import numero_interne_error
from territoires.interop.pdf.check import image_check, pdf_check
from territoires.interop.pdf.errors import ImageError, PdfError

MAX_TOTAL_BYTES = 150 * 1024 * 1024
MAX_ANNEXES = 99

# Formats the cahier des charges allows (annex 1 §3.2, arrêté of 13 Oct 2011 for XML).
MAIN_FORMATS = {"pdf", "jpg", "png"}
ANNEX_FORMATS = {"pdf", "jpg", "png", "xml"}
BUDGET_MAIN_FORMATS = MAIN_FORMATS | {"xml"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "xml": "application/xml"}
EXTENSION_ALIASES = {"jpeg": "jpg"}


def extension_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSION_ALIASES.get(ext, ext)


def allowed_formats(role: str, nature: str) -> set[str]:
    if role == FileRole.ANNEX:
        return ANNEX_FORMATS
    return BUDGET_MAIN_FORMATS if nature == "BF" else MAIN_FORMATS


def _content_error(ext: str, data: bytes) -> str | None:
    if ext == "pdf":
        try:
            info = pdf_check(data)
        except PdfError as error:
            return str(error)
        if info.encrypted:
            # It opens, but it cannot be stamped or signed, and every act is stamped.
            return _("Ce PDF est protégé contre la modification : enregistrez-en une copie sans protection, "
                     "puis déposez cette copie.")
        return None
    if ext in {"jpg", "png"}:
        try:
            kind, _w, _h = image_check(data)
        except ImageError as error:
            return str(error)
        if {"jpg": "jpeg", "png": "png"}[ext] != kind:
            return _("Le contenu ne correspond pas à l'extension .%(ext)s du fichier.") % {"ext": ext}
        return None
    if ext == "xml":
        from territoires.interop.actes.schema import parse_xml

        try:
            parse_xml(data)
        except Exception:
            return _("Ce fichier XML est illisible ou mal formé.")
    return None


def file_error(*, name: str, data: bytes, role: str, nature: str) -> str | None:
    """None if the file may be sent as `role` of an act of `nature`, else why not."""
    ext = extension_of(name)
    formats = allowed_formats(role, nature)
    if ext not in formats:
        return _("Le format .%(ext)s n'est pas accepté par la préfecture ; formats possibles : %(formats)s.") % {
            "ext": ext or "?", "formats": ", ".join(sorted(formats)),
        }
    if not data:
        return _("Le fichier est vide.")
    if len(data) > MAX_TOTAL_BYTES:
        return _("Le fichier dépasse 150 Mo, la limite de la préfecture pour un acte.")
    return _content_error(ext, data)


def current_classification(body) -> Classification | None:
    return Classification.objects.filter(body=body).order_by("-date").first()


def matiere_error(classification: Classification | None, code: str) -> str | None:
    if classification is None:
        return _("La classification de la préfecture n'a pas encore été reçue pour cet organisme.")
    codes = {m["code"] for m in classification.data["matieres"]}
    if code not in codes:
        return _("La matière %(code)s n'existe pas dans la classification du %(date)s.") % {
            "code": code, "date": classification.date.strftime("%d/%m/%Y"),
        }
    if code.count(".") == 0:
        return _("Choisissez une matière de niveau 2 au moins (par exemple 7.1).")
    return None


def typology_error(classification: Classification, nature: str, typology: str) -> str | None:
    allowed = {code for code, _label in classification.typologies(nature)}
    if typology not in allowed:
        return _("La typologie %(code)s n'est pas prévue pour cette nature d'acte.") % {"code": typology}
    return None


def acte_problems(acte: Acte) -> list[str]:
    """Every reason the prefecture would refuse this act, in French; [] when ready."""
    problems = []
    if error := numero_interne_error(acte.numero_interne):
        problems.append(error)
    if len(acte.objet) > 500:
        problems.append(_("L'objet dépasse 500 caractères."))
    if acte.decision_date > timezone.localdate():
        problems.append(_("La date de décision est dans le futur."))
    if not (acte.body.departement and acte.body.siren):
        problems.append(_("Le département de l'organisme n'est pas renseigné : demandez-le à l'opérateur."))
    current = current_classification(acte.body)
    if current is not None and acte.classification.date < current.date:
        problems.append(
            _(
                "La classification utilisée (%(old)s) n'est plus à jour : la préfecture a transmis "
                "celle du %(new)s. Choisissez de nouveau la matière."
            ) % {"old": acte.classification.date.strftime("%d/%m/%Y"), "new": current.date.strftime("%d/%m/%Y")}
        )
    elif error := matiere_error(acte.classification, acte.matiere_code):
        problems.append(error)
    files = list(acte.files.select_related("stored"))
    mains = [f for f in files if f.role == FileRole.MAIN]
    if not mains:
        problems.append(_("Ajoutez le document principal de l'acte."))
    annexes = [f for f in files if f.role == FileRole.ANNEX]
    if len(annexes) > MAX_ANNEXES:
        problems.append(_("Un acte ne peut pas compter plus de %(n)s annexes.") % {"n": MAX_ANNEXES})
    if sum(f.stored.size for f in files) > MAX_TOTAL_BYTES:
        problems.append(_("L'ensemble des fichiers dépasse 150 Mo, la limite de la préfecture pour un acte."))
    for item in files:
        if extension_of(item.name) not in allowed_formats(item.role, acte.nature):
            problems.append(_("Le fichier « %(name)s » n'est pas dans un format accepté.") % {"name": item.name})
        if error := typology_error(acte.classification, acte.nature, item.typology):
            problems.append(f"« {item.name} » : {error}")
    return problems

"""PDFs handed to agents and citizens: the stamped act and the acknowledgement receipt.

The stamp carries S²LOW's four lines (Envoyé / Reçu / Publié / ID), with
"Publié le" since the 2022 publication reform. It is added as an incremental
update (`interop.pdf.pdf_stamp`), so a signed act keeps a valid signature.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from territoires.actes.models import Acte, FileRole, Status
from territoires.core.pdf import latin1
from territoires.interop.pdf.stamp import pdf_stamp

RECEIVED = {Status.ACKNOWLEDGED, Status.CANCEL_REQUESTED, Status.CANCELLED}


def _day(value) -> str:
    return formats.date_format(value, "d/m/Y")


def stamp_lines(acte: Acte) -> list[str]:
    lines = []
    if acte.sent_at:
        lines.append(_("Envoyé en préfecture le %(date)s") % {"date": _day(timezone.localtime(acte.sent_at))})
    if acte.received_on:
        lines.append(_("Reçu en préfecture le %(date)s") % {"date": _day(acte.received_on)})
    if acte.published_on:
        lines.append(_("Publié le %(date)s") % {"date": _day(acte.published_on)})
    lines.append(_("ID : %(id)s") % {"id": acte.id_acte})
    return lines


def stamped_available(acte: Acte) -> bool:
    main = acte.files.filter(role=FileRole.MAIN).first()
    return acte.status in RECEIVED and main is not None and main.extension == "pdf"


def acte_stamped_pdf(acte: Acte) -> bytes:
    """The main document with the prefecture stamp; ValueError before the AR or for an image."""
    if not stamped_available(acte):
        raise ValueError("no stamped PDF before the acknowledgement, nor for an image")
    main = acte.files.select_related("stored").get(role=FileRole.MAIN)
    return pdf_stamp(main.stored.read(), stamp_lines(acte))


def _image_as_pdf(data: bytes) -> bytes:
    """A JPG/PNG act on one A4 page, so every published act is a PDF."""
    import io

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(data), x=10, y=10, w=190, keep_aspect_ratio=True, h=277)
    return bytes(pdf.output())


def publication_pdf(acte: Acte) -> bytes:
    """The file published for citizens: the act, stamped, naming its signatory (2022 reform)."""
    main = acte.files.select_related("stored").get(role=FileRole.MAIN)
    data = main.stored.read()
    if main.extension != "pdf":
        data = _image_as_pdf(data)
    signatory = _("Signé par %(name)s, %(title)s") % {
        "name": acte.publication_signatory, "title": acte.publication_signatory_title}
    return pdf_stamp(data, [*stamp_lines(acte), signatory])


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(55, 6, latin1(label))
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")


def acte_receipt_pdf(acte: Acte) -> bytes:
    """The accusé de réception: what was sent, when, and what the prefecture acknowledged."""
    if acte.status not in RECEIVED:
        raise ValueError("no receipt before the acknowledgement")
    ar = acte.incoming.filter(root="ARActe").order_by("-received_at").first()
    title = _("Accusé de réception de la préfecture")
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(settings.OPERATOR_NAME))
    pdf.set_creation_date(ar.received_at if ar else timezone.now())
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 9, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, latin1(_("Contrôle de légalité – télétransmission @CTES")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    nature = Acte._meta.get_field("nature")
    rows = [
        (_("Organisme"), f"{acte.body.name} (SIREN {acte.body.siren})"),
        (_("Identifiant de l'acte"), acte.id_acte),
        (_("Nature"), str(dict(nature.choices)[acte.nature])),
        (_("Matière"), f"{acte.matiere_code} {acte.classification.matiere_label(acte.matiere_code)}"),
        (_("Objet"), acte.objet),
        (_("Date de décision"), _day(acte.decision_date)),
        (_("Envoyé en préfecture le"), formats.date_format(timezone.localtime(acte.sent_at), "d/m/Y H:i")),
        (_("Reçu en préfecture le"), _day(acte.received_on)),
    ]
    if ar is not None:
        rows.append((_("Message de la préfecture"), ar.file_name))
    for label, value in rows:
        _row(pdf, label, value)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, latin1(_("Documents transmis")), new_x="LMARGIN", new_y="NEXT")
    for item in acte.files.select_related("stored"):
        _row(pdf, f"{item.get_role_display()} ({item.typology})", f"{item.name}\nSHA-256 : {item.stored.sha256}")
    return bytes(pdf.output())


# Downloads offered for an act, by name: (builder, file name after the IDActe).
DOWNLOADS = {"stamped": (acte_stamped_pdf, "tamponne"), "receipt": (acte_receipt_pdf, "accuse-reception")}


def download_response(acte: Acte, name: str) -> HttpResponse:
    """The PDF `name` of the act as an attachment, for the agent pages and the API; 404 when not available."""
    build, suffix = DOWNLOADS[name]
    try:
        data = build(acte)
    except ValueError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{acte.id_acte}-{suffix}.pdf"'
    return response

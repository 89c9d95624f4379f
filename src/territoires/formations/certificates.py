"""Attendance certificates (attestations de présence) as PDF, with fpdf2."""

from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from territoires.core.pdf import latin1
from territoires.formations.models import Registration


def operator_name() -> str:
    return settings.OPERATOR_NAME


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j F Y")


def _hours(value: Decimal) -> str:
    text = f"{value.normalize():f}".replace(".", ",")
    return _("%(hours)s heure") % {"hours": text} if value <= 1 else _("%(hours)s heures") % {
        "hours": text}


def certificate_pdf(registration: Registration) -> bytes:
    """The certificate of an attended registration; ValueError otherwise."""
    if not registration.attended:
        raise ValueError("no certificate without attendance")
    session = registration.session
    agent = registration.agent
    start, end = session.starts_at, session.ends_at
    if timezone.localdate(start) == timezone.localdate(end):
        dates = _("le %(date)s") % {"date": _date(start)}
    else:
        dates = _("du %(start)s au %(end)s") % {"start": _date(start), "end": _date(end)}
    issued = registration.certificate_issued_at or timezone.now()

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(_("Attestation de présence")))
    pdf.set_author(latin1(operator_name()))
    pdf.set_creation_date(issued)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, latin1(operator_name()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, latin1(_("Attestation de présence")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, latin1(_("N° %(number)s") % {"number": registration.certificate_number}),
             align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("Helvetica", "", 12)
    body_text = _(
        "Le %(operator)s atteste que %(name)s, de l'organisme %(body)s, a suivi la formation "
        "« %(title)s » %(dates)s, d'une durée de %(hours)s."
    ) % {
        "operator": operator_name(),
        "name": agent.get_full_name() or agent.email,
        "body": registration.body.name,
        "title": session.title,
        "dates": dates,
        "hours": _hours(session.hours),
    }
    pdf.multi_cell(0, 7, latin1(body_text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 7, latin1(_("Formateur ou formatrice : %(name)s") % {
        "name": session.trainer_name}), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.multi_cell(0, 7, latin1(_("Fait le %(date)s.") % {"date": _date(issued)}),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

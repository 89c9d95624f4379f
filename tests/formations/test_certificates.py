import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from territoires.formations import services
from territoires.formations.certificates import certificate_pdf, latin1
from tests.factories import UserFactory, membership
from tests.formations.factories import TrainingSessionFactory

PARIS = ZoneInfo("Europe/Paris")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def attended(body, trainer):
    agent = UserFactory(first_name="Hélène", last_name="Lefèvre")
    membership(agent, body, ["agent"])
    with time_machine.travel(datetime(2030, 3, 1, 10, tzinfo=PARIS)):
        session = TrainingSessionFactory(
            title="Écrire une délibération – l’essentiel…",
            starts_at=datetime(2030, 3, 12, 9, 0, tzinfo=PARIS),
            ends_at=datetime(2030, 3, 12, 12, 30, tzinfo=PARIS),
        )
        registration = services.registration_create(actor=agent, body=body, session=session,
                                                     agent=agent)
    with time_machine.travel(datetime(2030, 3, 12, 13, 0, tzinfo=PARIS)):
        services.attendance_record(actor=trainer, session=session, attended={registration.pk: True})
    registration.refresh_from_db()
    return registration


def test_certificate_text(attended, body):
    text = pdf_text(certificate_pdf(attended))
    flat = " ".join(text.split())
    assert "Attestation de présence" in flat
    assert "Hélène Lefèvre" in flat
    assert body.name in flat
    assert "Écrire une délibération - l'essentiel..." in flat
    assert "le 12 mars 2030" in flat
    assert "3,5 heures" in flat
    assert "GIP Territoires numériques" in flat
    assert f"N° FORM-2030-{attended.pk:06d}" in flat
    assert "Fait le 12 mars 2030." in flat


def test_no_certificate_without_attendance(attended):
    attended.attended = False
    with pytest.raises(ValueError):
        certificate_pdf(attended)


def test_latin1_mapping_keeps_accents():
    assert latin1("Œuvre – « été » … ’") == "OEuvre - « été » ... '"

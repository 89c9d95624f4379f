"""Daily e-mails of the company space: saved-search digests and document expiry reminders."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from territoires.core import schedule
from territoires.marches import alerts
from territoires.marches.models import CompanyDocument, SavedSearch
from tests.marches.factories_company import (
    CompanyDocumentFactory,
    CompanyUserFactory,
    SavedSearchFactory,
    company_with_admin,
    member,
    notice_imported,
)

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=PARIS)  # searches are created then


@pytest.fixture
def send(django_capture_on_commit_callbacks, run_tasks):
    """Run a job with its e-mails really sent; returns what the job returned."""

    def run(job, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = job(**kwargs)
        run_tasks()
        return result

    return run


def company_user():
    company, user = company_with_admin()
    return user


# --- Digest -------------------------------------------------------------------------------


def test_digest_groups_each_users_searches_in_one_email(send):
    lucie, marc = company_user(), company_user()
    SavedSearchFactory(user=lucie, name="Voirie", params={"q": "voirie"}, created_at=T0)
    SavedSearchFactory(user=lucie, name="Nettoyage", params={"q": "nettoyage"}, created_at=T0)
    SavedSearchFactory(user=marc, name="Écoles", params={"q": "ecole"}, created_at=T0)
    notice_imported("Réfection de la voirie communale", at=T0 + timedelta(hours=2))
    notice_imported("Nettoyage des locaux de la mairie", at=T0 + timedelta(hours=3))
    notice_imported("Construction d'une école maternelle", at=T0 + timedelta(hours=4))
    notice_imported("Fourniture de repas", at=T0 + timedelta(hours=5))  # matches nobody

    assert send(alerts.alerts_send_digest, now=T0 + timedelta(days=1)) == 2
    by_user = {m.to[0]: m for m in mail.outbox}
    assert set(by_user) == {lucie.email, marc.email}
    body = by_user[lucie.email].body
    assert "== Nettoyage (1 nouvel avis) ==" in body and "== Voirie (1 nouvel avis) ==" in body
    assert "Réfection de la voirie communale" in body and "Nettoyage des locaux" in body
    assert "école maternelle" not in body and "Fourniture de repas" not in body
    assert "Commune de Beaune" in body and "/marches/avis/" in body and "/marches/?q=voirie" in body
    assert by_user[lucie.email].subject.startswith("2 nouveaux avis")
    assert "Construction d'une école maternelle" in by_user[marc.email].body
    assert all(s.last_digest_at == T0 + timedelta(days=1) for s in SavedSearch.objects.all())


def test_digest_only_lists_notices_new_since_last_time(send):
    user = company_user()
    search = SavedSearchFactory(user=user, name="Voirie", params={"q": "voirie"}, created_at=T0)
    notice_imported("Voirie imported before the alert", at=T0 - timedelta(hours=1))
    notice_imported("Voirie du premier jour", at=T0 + timedelta(hours=1))
    send(alerts.alerts_send_digest, now=T0 + timedelta(days=1))
    first = mail.outbox[0].body
    assert "Voirie du premier jour" in first and "before the alert" not in first
    notice_imported("Voirie du deuxième jour", at=T0 + timedelta(days=1, hours=1))
    send(alerts.alerts_send_digest, now=T0 + timedelta(days=2))
    assert len(mail.outbox) == 2
    second = mail.outbox[1].body
    assert "Voirie du deuxième jour" in second and "premier jour" not in second
    search.refresh_from_db()
    assert search.last_digest_at == T0 + timedelta(days=2)


def test_a_notice_matching_two_searches_is_counted_once(send):
    user = company_user()
    SavedSearchFactory(user=user, name="Voirie", params={"q": "voirie"}, created_at=T0)
    SavedSearchFactory(user=user, name="Côte-d'Or", params={"departement": "21"}, created_at=T0)
    notice_imported("Voirie de Beaune", at=T0 + timedelta(hours=1))
    send(alerts.alerts_send_digest, now=T0 + timedelta(days=1))
    (message,) = mail.outbox
    assert message.subject.startswith("1 nouvel avis")
    assert message.body.count("Voirie de Beaune") == 2  # listed under each search


def test_nothing_new_sends_nothing(send):
    user = company_user()
    search = SavedSearchFactory(user=user, params={"q": "voirie"}, created_at=T0)
    notice_imported("Nettoyage de bâtiments", at=T0 + timedelta(hours=1))
    assert send(alerts.alerts_send_digest, now=T0 + timedelta(days=1)) == 0
    assert mail.outbox == []
    search.refresh_from_db()
    assert search.last_digest_at == T0 + timedelta(days=1)


def test_digest_is_idempotent(send):
    user = company_user()
    SavedSearchFactory(user=user, params={"q": "voirie"}, created_at=T0)
    notice_imported("Voirie", at=T0 + timedelta(hours=1))
    now = T0 + timedelta(days=1)
    assert send(alerts.alerts_send_digest, now=now) == 1
    assert send(alerts.alerts_send_digest, now=now) == 0  # the same run again (a retried task)
    assert send(alerts.alerts_send_digest, now=now + timedelta(minutes=5)) == 0  # a second worker
    assert len(mail.outbox) == 1


def test_digest_skips_inactive_searches_and_users_without_company(send):
    user = company_user()
    SavedSearchFactory(user=user, params={"q": "voirie"}, created_at=T0, is_active=False)
    former = CompanyUserFactory()  # left their company: no membership any more
    SavedSearchFactory(user=former, params={"q": "voirie"}, created_at=T0)
    notice_imported("Voirie", at=T0 + timedelta(hours=1))
    assert send(alerts.alerts_send_digest, now=T0 + timedelta(days=1)) == 0
    assert mail.outbox == []


def test_digest_notice_imported_during_the_run_waits_for_the_next(send):
    user = company_user()
    SavedSearchFactory(user=user, params={"q": "voirie"}, created_at=T0)
    now = T0 + timedelta(days=1)
    notice_imported("Voirie tardive", at=now + timedelta(seconds=1))
    assert send(alerts.alerts_send_digest, now=now) == 0
    assert send(alerts.alerts_send_digest, now=now + timedelta(days=1)) == 1
    assert "Voirie tardive" in mail.outbox[0].body


def test_digest_says_when_there_are_more(send, monkeypatch):
    monkeypatch.setattr(alerts, "DIGEST_LIMIT", 2)
    user = company_user()
    SavedSearchFactory(user=user, params={"q": "voirie"}, created_at=T0)
    for n in range(3):
        notice_imported(f"Voirie {n}", at=T0 + timedelta(hours=n + 1))
    send(alerts.alerts_send_digest, now=T0 + timedelta(days=1))
    assert "D'autres avis correspondent" in mail.outbox[0].body


# --- Document reminders -------------------------------------------------------------------


def at_day(days: int):
    """Noon, `days` days after T0's date."""
    return datetime(2026, 11, 2, 12, 0, tzinfo=PARIS) + timedelta(days=days)


def test_reminders_at_30_and_7_days_once_each(send):
    company, admin = company_with_admin(name="Menuiseries Exemple")
    colleague = member(company)
    expiry = at_day(30).date()
    document = CompanyDocumentFactory(company=company, kind="social", valid_until=expiry)
    company_b, _admin_b = company_with_admin()
    CompanyDocumentFactory(company=company_b, valid_until=expiry + timedelta(days=60))

    assert send(alerts.documents_remind, now=at_day(0)) == 1
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([admin.email, colleague.email])
    assert "Attestation de vigilance URSSAF" in message.body and "dans 30 jours" in message.body
    assert "Menuiseries Exemple" in message.subject
    document.refresh_from_db()
    assert document.reminded_at == at_day(0)

    for day in (0, 1, 10, 22):  # same day again, then every day until the 7-day mark
        assert send(alerts.documents_remind, now=at_day(day)) == 0
    assert send(alerts.documents_remind, now=at_day(23)) == 1
    assert "dans 7 jours" in mail.outbox[-1].body
    for day in (23, 24, 29, 30, 31):
        assert send(alerts.documents_remind, now=at_day(day)) == 0
    assert len(mail.outbox) == 2


def test_document_added_late_is_reminded_at_once_then_at_7_days(send):
    company, _admin = company_with_admin()
    CompanyDocumentFactory(company=company, valid_until=at_day(20).date())
    assert send(alerts.documents_remind, now=at_day(0)) == 1
    assert "dans 20 jours" in mail.outbox[0].body
    assert send(alerts.documents_remind, now=at_day(12)) == 0
    assert send(alerts.documents_remind, now=at_day(13)) == 1
    assert len(mail.outbox) == 2


def test_no_reminder_far_from_expiry_nor_once_expired_nor_without_date(send):
    company, _admin = company_with_admin()
    CompanyDocumentFactory(company=company, valid_until=at_day(31).date())
    CompanyDocumentFactory(company=company, valid_until=at_day(-1).date())
    CompanyDocumentFactory(company=company, valid_until=None)
    assert send(alerts.documents_remind, now=at_day(0)) == 0
    assert mail.outbox == []
    assert not CompanyDocument.objects.filter(reminded_at__isnull=False).exists()


def test_one_email_per_company_listing_its_documents(send):
    company, admin = company_with_admin()
    CompanyDocumentFactory(company=company, kind="fiscal", valid_until=at_day(30).date())
    CompanyDocumentFactory(company=company, kind="kbis", valid_until=at_day(5).date())
    assert send(alerts.documents_remind, now=at_day(0)) == 2
    (message,) = mail.outbox
    assert message.to == [admin.email]
    assert "Attestation de régularité fiscale" in message.body and "Extrait Kbis" in message.body
    assert "dans 5 jours" in message.body


# --- Periodic tasks -----------------------------------------------------------------------


def test_daily_jobs_are_registered_and_run(send):
    names = {job.name: job for job in schedule.JOBS.values()}
    digest = names["territoires.marches.alerts.send_alert_digests"]
    reminders = names["territoires.marches.alerts.remind_expiring_documents"]
    assert digest.every == reminders.every == timedelta(days=1)
    assert alerts.send_alert_digests.call() == 0
    assert alerts.remind_expiring_documents.call() == 0

"""A buyer's consultation from draft to outcome: services, rules and the portal notice."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from territoires.journal.models import JournalEntry
from territoires.marches import services
from territoires.marches.models import Consultation, Notice, NoticeState, Retrait, Status
from tests.factories import BodyFactory, UserFactory, membership
from tests.marches.conftest import consultation_fields


def test_draft_is_created_with_normalised_cpv_and_journal(draft_consultation):
    assert draft_consultation.status == Status.DRAFT
    assert draft_consultation.cpv_main == "45233140"
    assert draft_consultation.cpv_additional == ["45233252"]
    assert JournalEntry.objects.filter(action="marches.consultation.create").count() == 1
    assert not Notice.objects.exists()  # nothing public before publication


def test_wrong_cpv_and_place_get_french_errors(buyer, buyer_body):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=buyer, body=buyer_body,
                                     **consultation_fields(cpv_main="45233140-9", nuts="FR101"))
    assert "le code complet est 45233140-2" in error.value.message_dict["cpv_main"][0]
    assert "département de la région" in error.value.message_dict["nuts"][0]


def test_words_instead_of_a_cpv_code_get_suggestions(buyer, buyer_body):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=buyer, body=buyer_body, **consultation_fields(cpv_main="voirie"))
    message = error.value.message_dict["cpv_main"][0]
    assert message.startswith("Choisissez un code CPV. Codes proches de « voirie »")
    assert "-" in message  # full codes with their check digit


def test_duplicate_reference_is_refused(buyer, buyer_body, draft_consultation):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=buyer, body=buyer_body, **consultation_fields())
    assert "déjà utilisée" in error.value.message_dict["reference"][0]


def test_agent_without_buyer_role_cannot_create(buyer_body):
    agent = UserFactory()
    membership(agent, buyer_body, ["agent"])
    with pytest.raises(PermissionDenied):
        services.consultation_create(actor=agent, body=buyer_body, **consultation_fields())


def test_body_without_subscription_cannot_create(buyer):
    other = BodyFactory(services=["actes"])
    membership(buyer, other, ["acheteur"])
    with pytest.raises(PermissionDenied):
        services.consultation_create(actor=buyer, body=other, **consultation_fields())


def test_lots_are_numbered_and_renumbered(buyer, draft_consultation):
    lots = [services.lot_save(actor=buyer, consultation=draft_consultation, title=f"Lot {t}", cpv_main="45233140-2")
            for t in ("voirie", "trottoirs", "signalisation")]
    assert [lot.number for lot in lots] == [1, 2, 3]
    services.lot_delete(actor=buyer, lot=lots[1])
    assert list(draft_consultation.lots.values_list("number", "title")) == [(1, "Lot voirie"),
                                                                           (2, "Lot signalisation")]


def test_publication_problems_are_listed(buyer, buyer_body):
    consultation = services.consultation_create(
        actor=buyer, body=buyer_body, **consultation_fields(closes_at=None, contact_email=""))
    problems = services.publication_problems(consultation)
    assert len(problems) == 3
    with pytest.raises(ValidationError):
        services.consultation_publish(actor=buyer, consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.status == Status.DRAFT


def test_publish_puts_dce_v1_and_notice_online(published):
    assert published.status == Status.PUBLISHED and published.published_at
    version = services.dce_published(published)
    assert version.number == 1 and sorted(version.files.values_list("name", flat=True)) == ["CCTP.pdf", "RC.pdf"]
    notice = Notice.objects.get(consultation=published)
    assert (notice.source, notice.title, notice.cpv_division, notice.departement) == (
        "territoires", published.title, "45", "21")
    assert notice.url.endswith(published.get_absolute_url())
    assert notice.deadline == published.closes_at


def test_amendment_publishes_new_version_and_emails_identified_downloaders(
        buyer, published, company_user, django_capture_on_commit_callbacks, run_tasks):
    services.retrait_record(consultation=published, name="Anonyme")  # not identified: no e-mail
    services.retrait_record(consultation=published, email="veille@entreprise.example.fr")
    services.retrait_record(consultation=published, user=company_user)
    services.dce_file_add(actor=buyer, consultation=published, name="CCTP.pdf", data=b"%PDF-1.4 cctp v2")
    new_deadline = published.closes_at + timedelta(days=7)
    with pytest.raises(ValidationError):
        services.dce_amend(actor=buyer, consultation=published, note="", closes_at=new_deadline)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.dce_amend(actor=buyer, consultation=published, note="CCTP corrigé, délai prolongé",
                                     closes_at=new_deadline)
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@btp-cote-or.example.fr", "veille@entreprise.example.fr"]
    assert "CCTP corrigé, délai prolongé" in mail.outbox[0].body
    assert version.number == 2
    published.refresh_from_db()
    assert published.closes_at == new_deadline
    assert Notice.objects.get(consultation=published).deadline == new_deadline
    assert services.downloaders_emails(published) == ["contact@btp-cote-or.example.fr",
                                                      "veille@entreprise.example.fr"]


def test_amendment_cannot_advance_the_deadline(buyer, published):
    with pytest.raises(ValidationError) as error:
        services.dce_amend(actor=buyer, consultation=published, note="x",
                           closes_at=published.closes_at - timedelta(days=1))
    assert "avancer" in error.value.messages[0]


def test_published_consultation_is_not_edited_in_place(buyer, published):
    with pytest.raises(ValidationError):
        services.consultation_update(actor=buyer, consultation=published, title="Autre")


def test_closing_at_deadline_then_award_and_decp(buyer, published):
    with time_machine.travel(published.closes_at + timedelta(minutes=1)):
        assert services.consultations_close_due() == 1
        assert services.consultations_close_due() == 0  # idempotent
    published.refresh_from_db()
    assert published.status == Status.CLOSED
    with pytest.raises(ValidationError):
        services.consultation_conclude(actor=buyer, consultation=published, outcome=Status.AWARDED)
    services.award_save(actor=buyer, consultation=published, lot=None, winner_siret="732 829 320 00074",
                        winner_name="BTP Côte-d'Or", winner_postal_code="21000", winner_city="Dijon",
                        amount=Decimal("172500.00"), contract_date=timezone.localdate(), tenders_received=4,
                        duration_months=6)
    services.consultation_conclude(actor=buyer, consultation=published, outcome=Status.AWARDED)
    published.refresh_from_db()
    assert published.status == Status.AWARDED
    record = published.decp.get()
    assert record.data["holder_siret"] == "73282932000074"
    assert record.data["amount"] == "172500.00"
    assert Notice.objects.get(consultation=published).kind == "award"


def test_small_awards_get_no_decp(buyer, published):
    Consultation.objects.filter(pk=published.pk).update(status=Status.CLOSED)
    published.refresh_from_db()
    services.award_save(actor=buyer, consultation=published, lot=None, winner_siret="73282932000074",
                        winner_name="BTP", winner_postal_code="21000", winner_city="Dijon",
                        amount=Decimal("39999.99"), contract_date=timezone.localdate())
    services.consultation_conclude(actor=buyer, consultation=published, outcome=Status.AWARDED)
    assert not published.decp.exists()


def test_cancel_marks_the_notice_cancelled(buyer, published):
    with pytest.raises(ValidationError):
        services.consultation_cancel(actor=buyer, consultation=published, reason=" ")
    services.consultation_cancel(actor=buyer, consultation=published, reason="Besoin disparu")
    assert Notice.objects.get(consultation=published).state == NoticeState.CANCELLED


def test_retrait_of_a_draft_is_refused(draft_consultation):
    with pytest.raises(PermissionDenied):
        services.retrait_record(consultation=draft_consultation)
    assert not Retrait.objects.exists()


def test_question_needs_a_company_and_an_open_consultation(buyer, published, company_user):
    with pytest.raises(PermissionDenied):
        services.question_ask(actor=buyer, consultation=published, text="Question ?")
    question = services.question_ask(actor=company_user, consultation=published, text="Le plan est-il à jour ?")
    assert question.company.siret == "73282932000074"
    with time_machine.travel(published.closes_at + timedelta(seconds=1)):
        with pytest.raises(ValidationError):
            services.question_ask(actor=company_user, consultation=published, text="Trop tard ?")


def test_answer_is_published_and_emailed_without_the_askers_name(
        buyer, published, company_user, django_capture_on_commit_callbacks, run_tasks):
    question = services.question_ask(actor=company_user, consultation=published, text="Le plan est-il à jour ?")
    services.retrait_record(consultation=published, email="autre@entreprise.example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(actor=buyer, question=question, answer="Oui, version du 3 mars.")
    run_tasks()
    question.refresh_from_db()
    assert question.answer == "Oui, version du 3 mars." and question.answered_at
    assert sorted(m.to[0] for m in mail.outbox) == ["autre@entreprise.example.fr", "contact@btp-cote-or.example.fr"]
    assert all("BTP" not in m.body and "Oui, version du 3 mars." in m.body for m in mail.outbox)


def test_home_lists_unanswered_questions_and_closed_consultations(client, buyer, published, company_user):
    from django.urls import reverse

    services.question_ask(actor=company_user, consultation=published, text="Une question ?")
    Consultation.objects.filter(pk=published.pk).update(status=Status.CLOSED)
    client.force_login(buyer)
    page = client.get(reverse("tenancy:home", args=[published.body.siren])).content.decode()
    assert "1 question d&#x27;entreprise sans réponse" in page or "1 question d'entreprise sans réponse" in page
    assert "1 consultation clôturée à attribuer" in page


def test_test_consultation_command_is_idempotent_and_never_closes(buyer, buyer_body):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("marches", "test-consultation", "--body", buyer_body.siren, "--user", buyer.email, stdout=out)
    call_command("marches", "test-consultation", "--body", buyer_body.siren, "--user", buyer.email, stdout=out)
    test = Consultation.objects.get(is_test=True)
    assert test.status == Status.PUBLISHED and test.dce_versions.get().files.count() == 1
    with time_machine.travel(test.closes_at + timedelta(days=1)):
        assert services.consultations_close_due() == 0
        assert test.is_open()

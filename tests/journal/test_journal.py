import pytest
from django.core.management import CommandError, call_command

from territoires.journal.models import JournalEntry
from territoires.journal.services import journal_record, journal_verify
from tests.factories import BodyFactory, UserFactory


def _three_entries():
    user = UserFactory()
    body = BodyFactory()
    for i in range(3):
        journal_record(actor=user, action="test.action", body=body, target=body, payload={"i": i})


def test_intact_journal_verifies(capsys):
    _three_entries()
    assert journal_verify() == []
    call_command("journal", "verify")
    assert "3 entrées vérifiées" in capsys.readouterr().out


def test_altered_row_is_detected():
    _three_entries()
    JournalEntry.objects.filter(seq=2).update(summary="falsifié")
    problems = journal_verify()
    assert [p.seq for p in problems] == [2]
    with pytest.raises(CommandError):
        call_command("journal", "verify")


def test_deleted_middle_row_is_detected():
    _three_entries()
    JournalEntry.objects.filter(seq=2).delete()  # queryset delete bypasses the model guard
    messages = [p.message for p in journal_verify()]
    assert any("manquantes" in m for m in messages)


def test_deleted_last_row_is_detected():
    _three_entries()
    JournalEntry.objects.filter(seq=3).delete()
    assert journal_verify()


def test_entries_cannot_be_updated_through_the_model():
    _three_entries()
    entry = JournalEntry.objects.first()
    entry.summary = "x"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()

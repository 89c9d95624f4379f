"""Reading the journal, always scoped to one body."""

from django.db.models import QuerySet

from territoires.journal.models import JournalEntry


def journal_for_body(*, body) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(body=body).select_related("actor").order_by("-seq")

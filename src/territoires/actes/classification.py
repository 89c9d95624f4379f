"""Keeping each body's nomenclature current (7-1 → 7-2 / 7-3).

The prefecture refuses an act sent with a stale classification date
(ODT-VERIF-01), the rejection users find hardest to understand. So the
platform asks for every subscribed body's nomenclature once a day, as S²LOW
does, asks again as soon as an AR mentions a newer date, and warns agents
when no answer came for several days.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from territoires.actes.models import OutgoingMessage
from territoires.actes.rules import current_classification
from territoires.actes.transmission import archive_create
from territoires.interop.actes.build import build_demande_classification
from territoires.interop.actes.data import OutgoingMessage as OutgoingMessageData
from territoires.interop.actes.naming import classification_stem, message_file_name
from territoires.journal.services import journal_record
from territoires.tenancy.models import Body, Service

STALE_AFTER = timedelta(days=7)
# A request less than this old is still waiting for its answer.
PENDING_FOR = timedelta(hours=6)


def classification_is_stale(body: Body) -> bool:
    """No classification yet, or none confirmed by the prefecture for a week."""
    current = current_classification(body)
    return current is None or current.checked_at < timezone.now() - STALE_AFTER


def _pending(body: Body) -> bool:
    return OutgoingMessage.objects.filter(
        body=body, code="7-1", created_at__gte=timezone.now() - PENDING_FOR,
        transmission__status__in=["built", "sent"],
    ).exists()


def classification_request(*, body: Body, actor=None, force: bool = False) -> OutgoingMessage | None:
    """Send a 7-1 for `body` unless one is already on its way; returns the message sent."""
    from territoires.actes.tasks import send_transmission

    with transaction.atomic():
        Body.objects.select_for_update().filter(pk=body.pk).first()  # one request at a time per body
        if not force and _pending(body):
            return None
        current = current_classification(body)
        stem = classification_stem(body.departement, body.siren)
        data = OutgoingMessageData(
            file_name=message_file_name(stem, "7-1", 0, "xml"),
            xml=build_demande_classification(current.date if current else None),
        )
        sent = archive_create(body=body, messages=[data])
        message = OutgoingMessage.objects.create(body=body, code="7-1", file_name=data.file_name,
                                                 transmission=sent, created_by=actor)
        journal_record(actor=actor, action="actes.classification.request", body=body, target=sent,
                       summary=sent.archive_name)
        transaction.on_commit(lambda: send_transmission.enqueue(sent.pk))
    return message


def classifications_refresh() -> int:
    """The daily 7-1 for every body subscribed to e-actes; returns how many were sent."""
    bodies = Body.objects.filter(
        is_active=True, subscriptions__service=Service.ACTES, subscriptions__is_active=True
    ).exclude(departement="")
    return sum(1 for body in bodies if classification_request(body=body) is not None)

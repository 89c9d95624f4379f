"""Reads of the buyer side, scoped by body; and what the public may see of a consultation."""

from django.db.models import Count, Q

from territoires.marches.models import Consultation, Question, Status
from territoires.tenancy.models import Body


def consultations_of_body(*, body: Body, status: str = ""):
    qs = (Consultation.objects.filter(body=body)
          .annotate(retraits_count=Count("retraits", distinct=True),
                    open_questions=Count("questions", filter=Q(questions__answered_at__isnull=True),
                                         distinct=True)))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def consultation_of_body(*, body: Body, consultation_id: int) -> Consultation:
    """Raises Consultation.DoesNotExist for another body's consultation: views answer 404."""
    return Consultation.objects.select_related("body", "commune").get(pk=consultation_id, body=body)


def consultation_public(consultation_id: int) -> Consultation:
    """A consultation as the public sees it: never a draft."""
    return (Consultation.objects.select_related("body", "commune")
            .exclude(status=Status.DRAFT).get(pk=consultation_id))


def answered_questions(consultation: Consultation):
    """Published answers, without the asker (only text, question and dates leave this function)."""
    return (Question.objects.filter(consultation=consultation, answered_at__isnull=False)
            .only("text", "answer", "asked_at", "answered_at").order_by("asked_at"))


def test_consultation() -> Consultation | None:
    return Consultation.objects.filter(is_test=True, status=Status.PUBLISHED).order_by("pk").first()

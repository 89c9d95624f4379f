"""E-mails are always sent by a background task, after the transaction commits."""

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from territoires.core.tasks import retrying_task


@retrying_task
def send_email_task(*, to: list[str], subject: str, text: str) -> None:
    send_mail(subject=subject, message=text, from_email=None, recipient_list=to)


def email_schedule(*, to: list[str] | str, subject: str, template: str, context: dict) -> None:
    """Render now (the data is at hand), enqueue the sending when the caller commits."""
    recipients = [to] if isinstance(to, str) else list(to)
    text = render_to_string(template, context)
    transaction.on_commit(
        partial(send_email_task.enqueue, to=recipients, subject=subject, text=text)
    )

"""Tasks that fail on purpose, to check that failures reach the operator."""

from django.tasks import task

from territoires.core.tasks import retrying_task


class ExpectedTestFailure(Exception):
    pass


@task
def failing_task(*, reference: str) -> None:
    raise ExpectedTestFailure(f"échec voulu pour {reference}")


@retrying_task
def failing_retried_task(*, reference: str) -> None:
    raise ExpectedTestFailure(f"échec répété pour {reference}")

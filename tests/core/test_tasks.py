from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from territoires.core.tasks import backoff_delay
from tests.backoffice.tasks_for_tests import failing_retried_task


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (20, 3600)]
)
def test_backoff_doubles_and_is_capped(attempt, seconds):
    assert backoff_delay(attempt) == timedelta(seconds=seconds)


def test_failure_is_retried_with_backoff_then_left_failed(run_tasks, settings):
    settings.TASK_MAX_ATTEMPTS = 3
    failing_retried_task.enqueue(reference="r")
    start = timezone.now()
    run_tasks()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["kwargs"]["_attempt"] == 2
    assert retry.run_after - start >= timedelta(seconds=29)
    run_tasks()  # not due yet: nothing runs
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        run_tasks()
    with time_machine.travel(start + timedelta(seconds=200), tick=False):
        run_tasks()
    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]
    final = DBTaskResult.objects.get(status="FAILED")
    assert final.args_kwargs["kwargs"]["_attempt"] == 3
    assert "échec répété" in final.traceback

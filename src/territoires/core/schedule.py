"""Periodic tasks: a clock that enqueues registered django.tasks on time.

django.tasks has no scheduler. Each `territoires worker` runs `clock_loop` in
a thread; every tick, `schedule_due` claims each due job with a conditional
UPDATE of its `PeriodicJob` row (only one worker's UPDATE matches) and
enqueues it. Jobs must be idempotent tasks anyway: a period may be skipped
while no worker runs, never run twice in one period.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from territoires.core.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    task: Any


JOBS: dict[str, Job] = {}


def periodic(*, every: timedelta):
    """Register a django.tasks task (taking no argument) to run every `every`."""

    def register(task: Any) -> Any:
        name = f"{task.module_path}"
        JOBS[name] = Job(name=name, every=every, task=task)
        return task

    return register


def schedule_due(now=None) -> list[str]:
    """Enqueue every job that is due; return the names enqueued by this call."""
    now = now or timezone.now()
    enqueued = []
    for job in JOBS.values():
        PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        claimed = PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_run_at=now
        )
        if claimed:
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued


def clock_loop(stop: threading.Event, tick: float = 15.0) -> None:
    """Run `schedule_due` every `tick` seconds until `stop` is set."""
    autodiscover_modules("tasks")
    while not stop.is_set():
        try:
            schedule_due()
        except Exception:  # a database hiccup must not stop the clock
            logger.exception("Periodic scheduling failed; retrying next tick")
        finally:
            close_old_connections()
        stop.wait(tick)

"""Retry with exponential back-off on top of django.tasks.

django-tasks-db runs each enqueued task once. A platform task that talks to the
outside (e-mail, prefecture, APIs) must survive transient failures, so
`retrying_task` re-enqueues the same task with a growing delay and an attempt
counter; after TASK_MAX_ATTEMPTS it lets the exception through, the task ends
FAILED and the operator sees it in the back office.
"""

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from territoires.core.schedule import periodic

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30


def backoff_delay(attempt: int) -> timedelta:
    """Delay before attempt `attempt + 1`: 30 s, 60 s, 120 s… capped at one hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), 3600))


def retrying_task(func: Callable[..., Any]) -> Any:
    """Declare a django.tasks task whose failures are retried with back-off.

    The wrapped function receives only its own arguments; `_attempt` is
    handled here and kept out of its signature.
    """

    @functools.wraps(func)
    def runner(*args: Any, _attempt: int = 1, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception:
            if _attempt >= settings.TASK_MAX_ATTEMPTS:
                logger.exception("Task %s failed for good after %s attempts", func.__name__, _attempt)
                raise
            logger.warning("Task %s failed (attempt %s), retrying", func.__name__, _attempt)
            wrapped.using(run_after=timezone.now() + backoff_delay(_attempt)).enqueue(
                *args, _attempt=_attempt + 1, **kwargs
            )
            return None

    wrapped = task(runner)
    return wrapped


@periodic(every=timedelta(hours=1))
@task()
def expire_uploads() -> int:
    """Delete resumable uploads untouched for a day, finished or not (`core.uploads`)."""
    from territoires.core.uploads import uploads_expire

    return uploads_expire()


@periodic(every=timedelta(days=1))
@task()
def forget_throttle_windows() -> int:
    """Delete rate-limit counters older than a day (`core.throttle`)."""
    from territoires.core.throttle import throttle_forget

    return throttle_forget()

from dataclasses import dataclass

from django_tasks_db.models import DBTaskResult

from territoires.backoffice import selectors
from territoires.backoffice.forms import TASK_STATUSES, TaskFilterForm
from territoires.backoffice.views.common import operator_view, render_list

STATUS_LABELS = dict(TASK_STATUSES)


@dataclass(frozen=True)
class TaskRow:
    result: DBTaskResult
    name: str
    attempt: int
    status_label: str
    failed: bool


def task_row(result: DBTaskResult) -> TaskRow:
    """What the operator needs to read a task, without importing its code."""
    kwargs = (result.args_kwargs or {}).get("kwargs") or {}
    attempt = kwargs.get("_attempt", 1)
    return TaskRow(
        result=result,
        name=result.task_path.rsplit(".", 1)[-1],
        # Our retry helper (core/tasks.py) counts attempts in the `_attempt` keyword.
        attempt=attempt if isinstance(attempt, int) else 1,
        status_label=str(STATUS_LABELS.get(result.status, result.status)),
        failed=result.status == "FAILED",
    )


@operator_view("platform.view_tasks")
def task_list(request):
    form = TaskFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    counts = selectors.task_status_counts(actor=request.user)
    return render_list(
        request,
        template="backoffice/tasks.html",
        fragment="backoffice/_task_results.html",
        queryset=selectors.task_results(actor=request.user, status=status),
        row=task_row,
        context={
            "form": form,
            "failed_count": counts.get("FAILED", 0),
            "counts": [(label, counts.get(code, 0)) for code, label in TASK_STATUSES],
            "nav_current": "tasks",
        },
    )

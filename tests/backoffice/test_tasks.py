from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from territoires.backoffice.views.tasks import task_row
from tests.backoffice.tasks_for_tests import failing_retried_task, failing_task


def test_failed_task_is_visible_to_the_operator(operator_client, run_tasks):
    failing_task.enqueue(reference="dossier-42")
    run_tasks()
    assert DBTaskResult.objects.get().status == "FAILED"
    page = operator_client.get(
        reverse("backoffice:task_list"), {"status": "FAILED"}
    ).content.decode()
    assert "failing_task" in page
    assert "tests.backoffice.tasks_for_tests.ExpectedTestFailure" in page
    assert "échec voulu pour dossier-42" in page  # the traceback, in a <details>
    assert "<details>" in page
    assert "1 tâche est en échec définitif" in page
    dashboard = operator_client.get(reverse("backoffice:dashboard")).content.decode()
    assert "?status=FAILED" in dashboard


@override_settings(TASK_MAX_ATTEMPTS=2)
def test_retried_task_shows_its_attempts(operator_client, run_tasks):
    failing_retried_task.enqueue(reference="x", _attempt=2)
    run_tasks()
    row = task_row(DBTaskResult.objects.get())
    assert (row.name, row.attempt, row.failed, row.status_label) == (
        "failing_retried_task",
        2,
        True,
        "En échec",
    )
    page = operator_client.get(reverse("backoffice:task_list")).content.decode()
    assert "<td>2</td>" in page


def test_status_filter(operator_client, run_tasks):
    failing_task.enqueue(reference="a")
    run_tasks()
    failing_task.enqueue(reference="b")  # still waiting
    url = reverse("backoffice:task_list")
    page = operator_client.get(url, {"status": "READY"}).content.decode()
    assert "1 tâche." in page and "En attente" in page
    fragment = operator_client.get(
        url, {"status": "SUCCESSFUL"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<p>0 tâche" in fragment and "<html" not in fragment
    page = operator_client.get(url, {"status": "nonsense"}).content.decode()
    assert "2 tâches." in page and "Sélectionnez un choix valide" in page

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from territoires.backoffice.selectors import platform_figures
from territoires.tenancy import services
from territoires.tenancy.models import Commune
from tests.factories import BodyFactory, UserFactory, membership


@pytest.fixture
def platform(body, agent, admin_agent):
    dijon = Commune.objects.create(
        insee_code="21231", name="Dijon", departement="21", latitude="47.3", longitude="5.0"
    )
    Commune.objects.create(
        insee_code="21054", name="Beaune", departement="21", latitude="47.0", longitude="4.8"
    )
    BodyFactory(kind="commune", commune=dijon, services=["actes", "site"])
    BodyFactory(kind="sdis", services=["marches"])
    suspended = BodyFactory(kind="sdis", is_active=False, services=["marches"])
    membership(UserFactory(), suspended, ["agent"])  # not counted: body suspended
    membership(agent, BodyFactory(services=[]), ["agent"])  # same person twice: counted once
    services.membership_request_submit(
        siren="213502388",
        name="Candidate",
        kind="commune",
        contact_name="L",
        contact_email="l@c.fr",
        services=["actes"],
    )


def test_figures(staff, platform):
    figures = platform_figures(actor=staff)
    assert figures.bodies == 4
    kinds = dict(figures.bodies_by_kind)
    assert (kinds["Commune"], kinds["SDIS"], kinds["Région"]) == (3, 1, 0)
    assert (figures.communes, figures.member_communes) == (2, 1)
    subscriptions = dict(figures.subscriptions_by_service)
    assert subscriptions["Actes (télétransmission)"] == 2
    assert subscriptions["Salle des marchés"] == 1
    assert figures.pending_requests == 1
    assert figures.agents == 2
    assert figures.failed_tasks == 0


def test_figures_need_platform_view(agent):
    with pytest.raises(PermissionDenied):
        platform_figures(actor=agent)


def test_dashboard_page(operator_client, platform, django_assert_max_num_queries):
    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="x.y",
        backend_name="default",
        run_after="2030-01-01T00:00Z",
        exception_class_path="ValueError",
        traceback="...",
    )
    with django_assert_max_num_queries(12):
        response = operator_client.get(reverse("backoffice:dashboard"))
    page = response.content.decode()
    assert page.count('role="img"') == 2
    assert '<title id="chart-kinds-title">Organismes actifs par type</title>' in page
    assert '<th scope="row">SDIS</th><td>1</td>' in page
    assert '<th scope="row">Actes (télétransmission)</th><td>2</td>' in page
    assert "sur 2 communes du référentiel" in page
    assert "style=" not in page and "<script>" not in page
    assert f'href="{reverse("backoffice:task_list")}?status=FAILED"' in page

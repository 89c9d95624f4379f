"""Every back-office page: 200 for an operator, 403 for agents, login for anonymous."""

import pytest
from django.urls import reverse

from territoires.tenancy import services
from tests.backoffice.conftest import login
from tests.factories import operator

GET_PAGES = [
    ("backoffice:dashboard", None),
    ("backoffice:body_list", None),
    ("backoffice:body_create", None),
    ("backoffice:body_detail", "siren"),
    ("backoffice:body_edit", "siren"),
    ("backoffice:request_list", None),
    ("backoffice:request_detail", "request"),
    ("backoffice:agent_list", None),
    ("backoffice:agent_detail", "user"),
    ("backoffice:task_list", None),
]
POST_ONLY = [
    ("backoffice:body_subscriptions", "siren"),
    ("backoffice:body_invite_admin", "siren"),
    ("backoffice:body_set_active", "siren"),
    ("backoffice:request_approve", "request"),
    ("backoffice:request_reject", "request"),
    ("backoffice:membership_revoke", "membership"),
]


@pytest.fixture
def objects(body, agent):
    adhesion = services.membership_request_submit(
        siren="213502388",
        name="Commune candidate",
        kind="commune",
        contact_name="Léa Martin",
        contact_email="lea@candidate.fr",
        services=["actes"],
    )
    return {
        "siren": [body.siren],
        "request": [adhesion.pk],
        "user": [agent.pk],
        "membership": [agent.memberships.get().pk],
        None: [],
    }


def urls(pages, objects):
    return [reverse(name, args=objects[arg]) for name, arg in pages]


def test_operator_sees_every_page(operator_client, objects):
    for url in urls(GET_PAGES, objects):
        response = operator_client.get(url)
        assert response.status_code == 200, url
        assert b"<h1>" in response.content, url


def test_post_only_urls_refuse_get(operator_client, objects):
    for url in urls(POST_ONLY, objects):
        assert operator_client.get(url).status_code == 405, url


def test_plain_agent_gets_403_everywhere(client, agent, objects):
    login(client, agent)
    for url in urls(GET_PAGES, objects):
        assert client.get(url).status_code == 403, url
    for url in urls(POST_ONLY, objects):
        assert client.post(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, objects):
    login_url = reverse("accounts:login")
    for url in urls(GET_PAGES, objects) + urls(POST_ONLY, objects):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(login_url), url


def test_support_role_reads_but_cannot_manage(client, objects):
    """Support staff see the dashboard, bodies and tasks, not adhésions or agents."""
    login(client, operator(roles=("support",)))
    for name, arg in [
        ("backoffice:dashboard", None),
        ("backoffice:body_list", None),
        ("backoffice:body_detail", "siren"),
        ("backoffice:task_list", None),
    ]:
        assert client.get(reverse(name, args=objects[arg])).status_code == 200, name
    for name, arg in [
        ("backoffice:body_create", None),
        ("backoffice:request_list", None),
        ("backoffice:agent_list", None),
    ]:
        assert client.get(reverse(name, args=objects[arg])).status_code == 403, name
    page = client.get(reverse("backoffice:body_detail", args=objects["siren"])).content.decode()
    assert "Enregistrer les abonnements" not in page
    assert reverse("backoffice:agent_list") not in page


def test_operator_without_second_factor_is_redirected(client, staff):
    client.force_login(staff)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/")


def test_unknown_body_is_404(operator_client):
    assert (
        operator_client.get(reverse("backoffice:body_detail", args=["999999999"])).status_code
        == 404
    )


def test_templates_have_no_inline_style_or_script():
    """Strict CSP: styles come from territoires.css, scripts from static files."""
    from pathlib import Path

    import territoires.backoffice

    root = Path(territoires.backoffice.__file__).parent / "templates"
    templates = list(root.rglob("*.html"))
    assert len(templates) > 10
    for template in templates:
        source = template.read_text()
        for forbidden in ("style=", "<style", "<script"):
            assert forbidden not in source, f"{template.name}: {forbidden}"

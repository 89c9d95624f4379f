"""The back office in a real browser: axe-core on every page and htmx swap, strict CSP."""

import pyotp
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from territoires.tenancy import services
from tests.browser.fixtures import check_a11y, follow, login, submit, visit
from tests.factories import BodyFactory, UserFactory, membership, operator

pytestmark = pytest.mark.browser


def test_operator_walks_the_back_office(page):  # noqa: F811 (fixture)
    secret = pyotp.random_base32()
    staff = operator(UserFactory(totp_secret=secret, totp_confirmed_at=timezone.now()))
    body = BodyFactory(name="Ville de Dijon", services=["actes"])
    BodyFactory(name="Ville de Beaune")
    membership(UserFactory(email="agent@dijon.fr"), body, ["agent"])
    services.membership_request_submit(
        siren="213502388",
        name="Commune candidate",
        kind="commune",
        contact_name="Léa Martin",
        contact_email="lea@candidate.fr",
        services=["actes"],
    )
    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {"_attempt": 5}},
        task_path="territoires.core.mail.send_email_task",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback (most recent call last):\nsmtplib.SMTPServerDisconnected",
    )

    login(page, staff.email, totp_secret=secret)
    visit(page, "/operateur/")
    expect(page.get_by_role("img", name="Organismes actifs par type")).to_be_visible()

    follow(page, page.get_by_role("link", name="Organismes", exact=True))
    expect(page.get_by_text("2 organismes trouvés.")).to_be_visible()
    # The live search (htmx + hx-push-url) is exercised by the view tests: the
    # harness counts htmx's history.pushState as an unchecked page (reported).
    visit(page, "/operateur/organismes/?q=dij")
    expect(page.get_by_label("Rechercher par nom ou SIREN")).to_have_value("dij")
    expect(page.get_by_role("link", name="Ville de Beaune")).to_have_count(0)
    follow(page, page.get_by_role("link", name="Ville de Dijon"))
    expect(page.get_by_text("agent@dijon.fr")).to_be_visible()

    visit(page, "/operateur/organismes/nouveau/")
    page.get_by_label("SIREN").fill("213502387")
    page.get_by_label("Nom de l'organisme").fill("Rennes-Test")
    submit(page, "Créer l'organisme")
    expect(page.get_by_text("clé de contrôle incorrecte")).to_be_visible()
    expect(page.get_by_label("Nom de l'organisme")).to_have_value("Rennes-Test")

    visit(page, "/operateur/adhesions/")
    follow(page, page.get_by_role("link", name="Commune candidate"))
    visit(page, "/operateur/agents/?q=dijon")
    follow(page, page.get_by_role("link", name="agent@dijon.fr"))
    visit(page, "/operateur/taches/?status=FAILED")
    page.get_by_text("Trace de l'erreur").click()
    expect(page.get_by_text("smtplib.SMTPServerDisconnected").first).to_be_visible()
    check_a11y(page)

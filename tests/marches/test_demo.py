"""The demo data of the Salle des marchés: idempotent, with something at each stage."""

from django.urls import reverse

from territoires.core.demo import DEMO_PASSWORD, demo_setup
from territoires.marches.models import Consultation, Decp, Notice, Status


def test_demo_setup_gives_open_awarded_and_test_consultations(client):
    demo_setup()
    demo_setup()  # idempotent
    assert Consultation.objects.filter(status=Status.PUBLISHED, is_test=False).count() == 2
    assert Consultation.objects.get(is_test=True).status == Status.PUBLISHED
    assert Decp.objects.filter(published_at__isnull=False).count() == 1
    assert Notice.objects.filter(source="boamp").count() == 2
    test_page = client.get(reverse("marches_public:test_consultation"), follow=True)
    assert "TEST" in test_page.content.decode()
    assert client.login(email="contact@btp-cote-or.demo", password=DEMO_PASSWORD)
    assert "BTP" in client.get(reverse("marches_company:home")).content.decode()
    client.logout()
    awarded = client.get(reverse("marches_public:awarded")).content.decode()
    assert "Nettoyage des locaux communautaires" in awarded

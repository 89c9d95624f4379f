"""The demo data of e-actes: idempotent, ready to use, and visible in the public register."""

from django.urls import reverse

from territoires.actes import rules
from territoires.actes.models import Acte, Classification
from territoires.actes.simulator import CLASSIFICATION_DATE
from territoires.core.demo import demo_setup
from territoires.tenancy.models import Body


def test_demo_setup_gives_classifications_a_ready_draft_and_a_published_act(client):
    demo_setup()
    demo_setup()  # idempotent
    for body in Body.objects.filter(subscriptions__service="actes"):
        assert Classification.objects.filter(body=body, date=CLASSIFICATION_DATE).count() == 1
        assert body.departement and body.siret.startswith(body.siren)
    draft = Acte.objects.get(numero_interne="DEL2026_012")
    assert rules.acte_problems(draft) == []
    published = Acte.objects.get(numero_interne="DEL2026_008")
    assert published.executory_on is not None
    page = client.get(reverse("actes_public:register", args=[published.body.siren])).content.decode()
    assert "Vote du budget primitif 2026" in page
    assert "Tarifs de la cantine" not in page  # the draft is not published

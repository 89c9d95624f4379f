from django.urls import reverse

from territoires.journal.models import JournalEntry
from territoires.tenancy import services
from territoires.tenancy.models import Body, Invitation, MembershipRequest
from tests.factories import BodyFactory


def submit(siren="213502388", name="Commune candidate"):
    return services.membership_request_submit(
        siren=siren,
        name=name,
        kind="commune",
        contact_name="Léa Martin",
        contact_email="lea@candidate.fr",
        services=["actes", "site"],
        message="Merci !",
    )


def test_list_shows_pending_by_default_and_filters(operator_client, staff):
    pending = submit()
    decided = submit(siren="200070852", name="CC décidée")
    services.membership_request_reject(actor=staff, request=decided, reason="Hors région")
    url = reverse("backoffice:request_list")
    page = operator_client.get(url).content.decode()
    assert pending.name in page and "CC décidée" not in page
    page = operator_client.get(url, {"status": "rejected"}).content.decode()
    assert "CC décidée" in page and pending.name not in page
    page = operator_client.get(url, {"status": ""}).content.decode()
    assert "CC décidée" in page and pending.name in page


def test_detail_shows_the_request(operator_client):
    adhesion = submit()
    page = operator_client.get(
        reverse("backoffice:request_detail", args=[adhesion.pk])
    ).content.decode()
    assert "lea@candidate.fr" in page
    assert "Actes (télétransmission), Site internet" in page
    assert "Accepter l'adhésion" in page and "Refuser la demande" in page


def test_approve(operator_client, django_capture_on_commit_callbacks, run_tasks, mailoutbox):
    adhesion = submit()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(reverse("backoffice:request_approve", args=[adhesion.pk]))
    body = Body.objects.get(siren="213502388")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:body_detail", args=[body.siren])
    adhesion.refresh_from_db()
    assert adhesion.status == "approved" and adhesion.body == body
    assert Invitation.objects.get(body=body).email == "lea@candidate.fr"
    run_tasks()
    assert mailoutbox[0].to == ["lea@candidate.fr"]
    page = operator_client.get(response["Location"]).content.decode()
    assert "Adhésion acceptée" in page and "lea@candidate.fr" in page
    # Deciding twice is refused with a clear message, nothing changes.
    response = operator_client.post(
        reverse("backoffice:request_approve", args=[adhesion.pk]), follow=True
    )
    assert "Cette demande a déjà été traitée." in response.content.decode()
    assert Body.objects.count() == 1


def test_approve_when_siren_joined_meanwhile(operator_client):
    adhesion = submit()
    BodyFactory(siren="213502388")
    response = operator_client.post(
        reverse("backoffice:request_approve", args=[adhesion.pk]), follow=True
    )
    page = response.content.decode()
    assert (
        "La demande n&#x27;a pas pu être acceptée : Un organisme avec ce SIREN existe déjà." in page
    )
    adhesion.refresh_from_db()
    assert adhesion.status == "pending"


def test_reject_needs_a_reason_then_mails_it(
    operator_client, django_capture_on_commit_callbacks, run_tasks, mailoutbox
):
    adhesion = submit()
    url = reverse("backoffice:request_reject", args=[adhesion.pk])
    page = operator_client.post(url, {"reason": ""}).content.decode()
    assert "Ce champ est obligatoire." in page
    adhesion.refresh_from_db()
    assert adhesion.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            url, {"reason": "Organisme hors du territoire du groupement."}
        )
    assert response["Location"] == reverse("backoffice:request_list")
    run_tasks()
    assert "hors du territoire du groupement" in mailoutbox[0].body
    adhesion.refresh_from_db()
    assert adhesion.status == "rejected"
    assert JournalEntry.objects.filter(action="adhesion.reject").exists()
    page = operator_client.get(response["Location"]).content.decode()
    assert "Demande refusée : lea@candidate.fr est prévenu par courriel." in page
    page = operator_client.get(
        reverse("backoffice:request_detail", args=[adhesion.pk])
    ).content.decode()
    assert "Refuser la demande" not in page and "Refusée" in page
    # A stale form posted again shows why nothing happened.
    page = operator_client.post(url, {"reason": "encore"}, follow=True).content.decode()
    assert "Cette demande a déjà été traitée." in page
    assert MembershipRequest.objects.get().status == "rejected"

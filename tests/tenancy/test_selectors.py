from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from territoires.tenancy import selectors
from territoires.tenancy.models import Body, Membership, Notification, Role, Subscription
from tests.factories import BodyFactory, UserFactory, membership


def test_body_access_gathers_permissions_and_active_services():
    body = BodyFactory(services=["actes", "marches", "formations"])
    Subscription.objects.filter(body=body, service="marches").update(is_active=False)
    user = UserFactory()
    membership(user, body, ["agent", "signataire", "acheteur"])
    found = selectors.body_access_for_user(user=user, siren=body.siren)
    expected = set()
    for role in Role.objects.filter(code__in=["agent", "signataire", "acheteur"]):
        expected.update(role.permissions)
    assert found.body == body and found.body.name == body.name
    assert found.permissions == frozenset(expected)
    assert sorted(found.services) == ["actes", "formations"]


def test_body_access_of_a_member_without_roles_or_services():
    body = BodyFactory(services=[])
    user = UserFactory()
    Membership.objects.create(user=user, body=body)
    found = selectors.body_access_for_user(user=user, siren=body.siren)
    assert found.permissions == frozenset() and found.services == []


@pytest.mark.parametrize("case", ["outsider", "inactive_membership", "inactive_body", "anonymous"])
def test_body_access_refused(case):
    body = BodyFactory()
    user = UserFactory()
    m = membership(user, body, ["agent"])
    if case == "outsider":
        user = UserFactory()
    elif case == "inactive_membership":
        Membership.objects.filter(pk=m.pk).update(is_active=False)
    elif case == "inactive_body":
        Body.objects.filter(pk=body.pk).update(is_active=False)
    elif case == "anonymous":
        user = AnonymousUser()
    with pytest.raises(Body.DoesNotExist):
        selectors.body_access_for_user(user=user, siren=body.siren)


def test_unread_notifications_of_the_body_and_the_platform_newest_first():
    user, body, other_body = UserFactory(), BodyFactory(), BodyFactory()
    now = timezone.now()

    def notify(text, *, body=body, user=user, minutes=0, read=False):
        n = Notification.objects.create(user=user, body=body, text=text)
        Notification.objects.filter(pk=n.pk).update(created_at=now - timedelta(minutes=minutes),
                                                    read_at=now if read else None)

    notify("ancienne", minutes=30)
    notify("plateforme", body=None, minutes=20)
    notify("récente", minutes=10)
    notify("lue", read=True)
    notify("autre organisme", body=other_body)
    notify("autre agent", user=UserFactory())
    found = selectors.unread_notifications(user=user, body=body)
    assert [n.text for n in found] == ["récente", "plateforme", "ancienne"]
    assert found[0].created_at == now - timedelta(minutes=10)  # an aware datetime, as the ORM gives
    assert found[1].body_id is None
    for minutes in range(12):
        notify(f"n{minutes}", minutes=minutes)
    assert len(selectors.unread_notifications(user=user, body=body)) == 10

import pytest
from django.contrib.auth.models import AnonymousUser

from territoires.tenancy import selectors
from territoires.tenancy.models import Body, Membership, Role, Subscription
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

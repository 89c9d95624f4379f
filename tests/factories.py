"""factory_boy factories shared by the suite (valid SIRENs, realistic names)."""

import factory

from territoires.accounts.models import User
from territoires.interop.siren import luhn_valid
from territoires.tenancy.models import Body, Membership, OperatorStaff, Role, Subscription


def valid_siren(n: int) -> str:
    """A Luhn-valid SIREN derived from n (8 digits + check digit)."""
    base = f"2{n % 10_000_000:07d}"
    for check in range(10):
        candidate = base + str(check)
        if luhn_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@mairie.example.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "Motdepasse-solide-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        skip_postgeneration_save = True

    siren = factory.Sequence(valid_siren)
    name = factory.Sequence(lambda n: f"Commune de Saint-Exemple-{n}")
    kind = "commune"
    departement = "21"
    population = 1200

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create:
            for service in extracted if extracted is not None else ["actes", "formations"]:
                Subscription.objects.create(body=obj, service=service)


PASSWORD = "Motdepasse-solide-42"


def membership(user, body, roles: list[str]) -> Membership:
    m, _ = Membership.objects.get_or_create(user=user, body=body)
    m.roles.add(*Role.objects.filter(code__in=roles))
    return m


def operator(user=None, roles=("operateur",)) -> User:
    user = user or UserFactory()
    staff, _ = OperatorStaff.objects.get_or_create(user=user)
    staff.roles.add(*Role.objects.filter(code__in=roles))
    return user

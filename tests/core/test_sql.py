"""core.sql builds the instances the ORM builds, from its own statements."""

from datetime import UTC, datetime
from decimal import Decimal

from territoires.accounts.models import User
from territoires.core import sql
from territoires.tenancy.models import Commune, Role
from tests.factories import UserFactory


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_by_pk_builds_the_instance_the_orm_builds():
    user = UserFactory(totp_confirmed_at=datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
                       is_staff=True, failed_logins=3)
    role = Role.objects.get(code="agent")  # permissions: a JSON list
    commune = Commune.objects.create(insee_code="21231", name="Dijon", departement="21",
                                     latitude=Decimal("47.32277"), longitude=Decimal("5.04150"))
    for instance in (user, role, commune):
        model = type(instance)
        read, orm = sql.by_pk(model, instance.pk), model.objects.get(pk=instance.pk)
        assert type(read) is model
        assert _fields(read) == _fields(orm)
        assert {name: type(value) for name, value in _fields(read).items()} == {
            name: type(value) for name, value in _fields(orm).items()}
        assert not read._state.adding  # saved instance: save() updates, not inserts
    assert sql.by_pk(User, user.pk).totp_confirmed_at == datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def test_by_pk_of_a_missing_row_is_none():
    assert sql.by_pk(User, 987654) is None


def test_a_reader_of_some_fields_defers_the_others():
    user = UserFactory(first_name="Camille")
    fields = sql.reader(User, ("email",))
    [read] = fields.fetch(f"WHERE {sql.quote('accounts_user', 'email')} = %s", [user.email])
    assert read.pk == user.pk and read.email == user.email
    assert "first_name" in read.get_deferred_fields()
    assert read.first_name == "Camille"  # loaded on access, as with .only()


def test_values_are_parameters_not_sql():
    UserFactory(email="a@mairie.example.fr")
    where = f"WHERE {sql.quote('accounts_user', 'email')} = %s"
    assert sql.reader(User).fetch(where, ["x' OR '1'='1"]) == []

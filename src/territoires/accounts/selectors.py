"""Reads about the logged-in user's own account."""

from django.contrib.auth.tokens import default_token_generator
from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from territoires.accounts.models import User
from territoires.tenancy.models import Membership, OperatorStaff, Role


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """The user's active memberships in active bodies, with their roles (profile page)."""
    return (
        Membership.objects.filter(user=user, is_active=True, body__is_active=True)
        .select_related("body")
        .prefetch_related("roles")
        .order_by("body__name")
    )


def platform_roles_of_user(*, user: User) -> list[Role]:
    staff = OperatorStaff.objects.filter(user=user).prefetch_related("roles").first()
    return list(staff.roles.all()) if staff is not None else []


def user_for_password_reset(*, uidb64: str, token: str) -> User | None:
    """The active user a reset link designates, if its token is still valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user

"""Password authentication by e-mail, with lockout after repeated failures.

A correct password does not reset the failure counter by itself: that happens
when the whole login completes (`services.login_success_record`), so a
password holder cannot reset the counter between TOTP guesses.

The user of every logged-in request is read with one plain statement
(`core.sql`): through `User.objects.get` that read cost about 0.15 ms of CPU,
five times the statement itself (bench/pages.py).
"""

from django.contrib.auth.backends import ModelBackend

from territoires.accounts import services
from territoires.accounts.models import User
from territoires.accounts.services import LockedOut
from territoires.core import sql

__all__ = ["EmailPasswordBackend", "LockedOut"]


class EmailPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            services.login_failure_register(user=None, email=email)
            return None
        if services.locked_until(user):
            services.login_failure_register(user=user)
            raise LockedOut(user.locked_until)
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        until = services.login_failure_register(user=user)
        if until:
            raise LockedOut(until)
        return None

    def get_user(self, user_id):
        user = sql.by_pk(User, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

"""The login sequence shared by every way in (password, one-time link, and
ProConnect later): first factor checked → second factor if any → session.

A user with a confirmed TOTP is *not* logged in (no `django.contrib.auth.login`)
until the code is checked: their id waits in the anonymous session under
PENDING_USER_KEY. This covers users for whom TOTP is optional, whom the
middleware does not police: request.user stays anonymous, so no page can leak.
A user whose role requires TOTP but who has none yet is logged in halfway
(SECOND_FACTOR_SESSION_KEY False) and the middleware keeps them on the setup page.
"""

from datetime import datetime, timedelta
from functools import wraps

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from territoires.accounts import services
from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY, second_factor_mark
from territoires.accounts.models import User
from territoires.tenancy.access import requires_second_factor

PENDING_USER_KEY = "accounts_pending_user"
PENDING_BACKEND_KEY = "accounts_pending_backend"
PENDING_METHOD_KEY = "accounts_pending_method"
PENDING_AT_KEY = "accounts_pending_at"
NEXT_KEY = "accounts_next"
# Time allowed between the first factor and the TOTP code.
PENDING_MAX_AGE = timedelta(minutes=10)
PASSWORD_BACKEND = "territoires.accounts.backends.EmailPasswordBackend"  # noqa: S105 (not a secret)


def safe_next(request, target: str | None) -> str:
    """`target` if it stays on this site, else the root (which picks the body)."""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def login_begin(request, user: User, *, backend: str, method: str, next_url: str):
    """First factor passed: finish the login or send to the second-factor step."""
    if request.user.is_authenticated:
        logout(request)
    pending_clear(request)
    request.session[NEXT_KEY] = next_url
    if user.has_totp:
        request.session[PENDING_USER_KEY] = user.pk
        request.session[PENDING_BACKEND_KEY] = backend
        request.session[PENDING_METHOD_KEY] = method
        request.session[PENDING_AT_KEY] = timezone.now().isoformat()
        request.session.cycle_key()  # the half-authenticated session gets a fresh id
        return redirect("accounts:totp_verify")
    login(request, user, backend=backend)
    services.login_success_record(user=user, method=method)
    if requires_second_factor(user):
        request.session[SECOND_FACTOR_SESSION_KEY] = False
        return redirect("accounts:totp_setup")
    second_factor_mark(request.session, verified=False)
    return redirect(pop_next(request))


def pending_user(request) -> User | None:
    """The user who passed the first factor and owes a TOTP code, if still in time."""
    pk = request.session.get(PENDING_USER_KEY)
    started = request.session.get(PENDING_AT_KEY)
    if pk is None or started is None:
        return None
    if timezone.now() - datetime.fromisoformat(started) > PENDING_MAX_AGE:
        pending_clear(request)
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def pending_clear(request) -> None:
    for key in (PENDING_USER_KEY, PENDING_BACKEND_KEY, PENDING_METHOD_KEY, PENDING_AT_KEY):
        request.session.pop(key, None)


def second_factor_passed(request, user: User):
    """The TOTP code was right: complete the session and go where the user was heading."""
    if request.user.pk != user.pk:  # pending user (not logged in yet)
        backend = request.session.get(PENDING_BACKEND_KEY, PASSWORD_BACKEND)
        method = request.session.get(PENDING_METHOD_KEY, "password")
        pending_clear(request)
        login(request, user, backend=backend)  # cycles the session key, keeps its data
        services.login_success_record(user=user, method=f"{method}+totp")
    second_factor_mark(request.session, verified=True)
    return redirect(pop_next(request))


def pop_next(request) -> str:
    return safe_next(request, request.session.pop(NEXT_KEY, None))


def complete_login_required(view):
    """login_required, plus the second factor when the user has or needs one.

    Pages under /compte/ are outside the middleware's reach (so that the
    second-factor pages themselves stay reachable); the account pages that
    change credentials use this decorator instead.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.session.get(SECOND_FACTOR_SESSION_KEY):
            if request.user.has_totp:
                return redirect("accounts:totp_verify")
            if requires_second_factor(request.user):
                return redirect("accounts:totp_setup")
            second_factor_mark(request.session, verified=False)
        return view(request, *args, **kwargs)

    return wrapper

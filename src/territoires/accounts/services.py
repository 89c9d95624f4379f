"""Writes on accounts: login attempts, TOTP, passwords, one-time login links.

Every function is keyword-only and writes the journal. A function that must
both record something (a failed attempt) and refuse (raise) records inside
its transaction and raises only after it committed, otherwise the refusal
would roll the record back.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from territoires.accounts import totp
from territoires.accounts.models import LoginLink, User
from territoires.core.mail import email_schedule
from territoires.journal.models import JournalEntry
from territoires.journal.services import journal_record
from territoires.tenancy import access
from territoires.tenancy.access import requires_second_factor

# One reset e-mail per account in this delay, whatever is asked: no mail bombing.
PASSWORD_RESET_THROTTLE = timedelta(minutes=2)


class LockedOut(Exception):
    """Too many failed attempts; `until` is when the account opens again."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


class LoginLinkError(Exception):
    """The login link cannot be used; the message is French and user-facing."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def locked_until(user: User) -> datetime | None:
    if user.locked_until and user.locked_until > timezone.now():
        return user.locked_until
    return None


# --- Login attempts -------------------------------------------------------------------


def login_failure_register(
    *, user: User | None, email: str = "", step: str = "password"
) -> datetime | None:
    """Count one failed attempt (password or TOTP code) and lock the account after
    LOGIN_MAX_FAILURES; returns the end of the lockout if this attempt started one.
    """
    with transaction.atomic():
        if user is None:
            journal_record(
                actor=None,
                action="login.failure",
                summary=email,
                payload={"email": email, "step": step, "reason": "unknown"},
            )
            return None
        row = User.objects.select_for_update().get(pk=user.pk)
        if locked_until(row):
            journal_record(
                actor=row,
                action="login.failure",
                target=row,
                summary=row.email,
                payload={"step": step, "reason": "locked"},
            )
            return row.locked_until
        failures = row.failed_logins + 1
        until = None
        if failures >= settings.LOGIN_MAX_FAILURES:
            until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            failures = 0
        User.objects.filter(pk=row.pk).update(failed_logins=failures, locked_until=until)
        user.failed_logins, user.locked_until = failures, until
        journal_record(
            actor=row, action="login.failure", target=row, summary=row.email, payload={"step": step}
        )
        if until:
            journal_record(
                actor=row,
                action="login.locked",
                target=row,
                summary=row.email,
                payload={"until": until.isoformat()},
            )
    return until


def login_success_record(*, user: User, method: str) -> None:
    """The login is complete (every factor checked): forget past failures."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
        journal_record(
            actor=user,
            action="login.success",
            target=user,
            summary=user.email,
            payload={"method": method},
        )


# --- TOTP -----------------------------------------------------------------------------


def totp_check(*, user: User, code: str) -> None:
    """Accept a fresh TOTP code of `user`, or raise.

    Wrong codes count as failed logins (so guessing the 10⁶ codes is bounded by
    the lockout); a code of an already used time-step is refused (replay).
    Raises LockedOut or a French ValidationError.
    """
    now = timezone.now()
    with transaction.atomic():
        row = User.objects.select_for_update().get(pk=user.pk)
        if locked_until(row):
            outcome = "locked"
        else:
            counter = totp.matching_counter(
                secret=row.totp_secret if row.has_totp else "", code=code, at=now
            )
            if counter is None:
                outcome = "wrong"
            elif counter <= row.totp_last_counter:
                outcome = "reused"
            else:
                outcome = "ok"
                User.objects.filter(pk=row.pk).update(totp_last_counter=counter)
                user.totp_last_counter = counter
    if outcome == "locked":
        raise LockedOut(row.locked_until)
    if outcome == "wrong":
        until = login_failure_register(user=user, step="totp")
        if until:
            raise LockedOut(until)
        raise ValidationError(
            _(
                "Code incorrect. Saisissez le code à 6 chiffres affiché en ce moment "
                "par votre application."
            ),
            code="totp_wrong",
        )
    if outcome == "reused":
        raise ValidationError(
            _("Ce code a déjà servi. Attendez le code suivant : il change toutes les 30 secondes."),
            code="totp_reused",
        )


def totp_enable(*, actor: User, secret: str, code: str) -> None:
    """Confirm enrolment: the code proves the application holds `secret`."""
    if actor.has_totp:
        raise ValidationError(_("La double authentification est déjà activée sur votre compte."))
    counter = totp.matching_counter(secret=secret, code=code, at=timezone.now())
    if counter is None:
        raise ValidationError(
            {
                "code": _(
                    "Code incorrect. Vérifiez que l'heure de votre téléphone est exacte, "
                    "puis saisissez le code affiché en ce moment."
                )
            }
        )
    with transaction.atomic():
        actor.totp_secret = secret
        actor.totp_confirmed_at = timezone.now()
        actor.totp_last_counter = max(counter, actor.totp_last_counter)
        actor.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_counter"])
        journal_record(actor=actor, action="totp.enable", target=actor, summary=actor.email)


def totp_disable(*, actor: User, code: str) -> None:
    """Turn off an optional second factor; a current code is required."""
    if requires_second_factor(actor):
        raise ValidationError(
            _("Votre rôle impose la double authentification : elle ne peut pas être désactivée.")
        )
    if not actor.has_totp:
        raise ValidationError(_("La double authentification n'est pas activée sur votre compte."))
    try:
        totp_check(user=actor, code=code)
    except ValidationError as error:
        raise ValidationError({"code": error.messages}) from None
    with transaction.atomic():
        actor.totp_secret = ""
        actor.totp_confirmed_at = None
        actor.save(update_fields=["totp_secret", "totp_confirmed_at"])
        journal_record(actor=actor, action="totp.disable", target=actor, summary=actor.email)


def totp_reset(*, actor, user: User) -> None:
    """Operator help for a lost phone: the user enrols again at the next login."""
    if actor is not None:
        access.require_platform_perm(actor, "platform.manage_agents")
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_confirmed_at = None
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        journal_record(actor=actor, action="totp.reset", target=user, summary=user.email)


# --- Passwords ------------------------------------------------------------------------


def validate_new_password(password: str, user: User, field: str = "password") -> None:
    """The password rules (settings.AUTH_PASSWORD_VALIDATORS) for `user`, which may be unsaved;
    the French messages are raised on `field`, so that a view puts them beside it."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def password_change(*, actor: User, current_password: str, new_password: str) -> None:
    """Change (or first set, after a login link) the actor's password."""
    if actor.has_usable_password() and not actor.check_password(current_password):
        raise ValidationError({"current_password": _("Le mot de passe actuel est incorrect.")})
    validate_new_password(new_password, actor, "new_password1")
    first = not actor.has_usable_password()
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        email_schedule(
            to=actor.email,
            subject=_("Votre mot de passe Territoires a été modifié"),
            template="accounts/emails/password_changed.txt",
            context={
                "user": actor,
                "first": first,
                "url": settings.PUBLIC_URL + reverse("accounts:password_reset"),
            },
        )
        journal_record(
            actor=actor,
            action="password.set" if first else "password.change",
            target=actor,
            summary=actor.email,
        )


def _validity_text(seconds: int) -> str:
    hours = max(seconds // 3600, 1)
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("%(n)d jour", "%(n)d jours", days) % {"n": days}
    return ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link if the address belongs to an active account.

    The caller shows the same answer either way: the page must not reveal
    which addresses have an account.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    if JournalEntry.objects.filter(
        action="password.reset_request",
        target_type=User._meta.label_lower,
        target_id=str(user.pk),
        at__gte=timezone.now() - PASSWORD_RESET_THROTTLE,
    ).exists():
        return
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = settings.PUBLIC_URL + reverse("accounts:password_reset_confirm", args=[uidb64, token])
    with transaction.atomic():
        email_schedule(
            to=user.email,
            subject=_("Choisir un nouveau mot de passe Territoires"),
            template="accounts/emails/password_reset.txt",
            context={
                "user": user,
                "url": url,
                "validity": _validity_text(settings.PASSWORD_RESET_TIMEOUT),
            },
        )
        journal_record(actor=None, action="password.reset_request", target=user, summary=user.email)


def password_reset_complete(*, user: User, token: str, new_password: str) -> None:
    """Set the password from a reset link; also lifts a lockout."""
    if not default_token_generator.check_token(user, token):
        raise ValidationError(_("Ce lien n'est plus valable : demandez-en un nouveau."))
    validate_new_password(new_password, user, "new_password1")
    with transaction.atomic():
        user.set_password(new_password)
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        journal_record(actor=user, action="password.reset", target=user, summary=user.email)


# --- Profile and accounts created by the operator ------------------------------------


def user_update_profile(*, actor: User, first_name: str, last_name: str) -> None:
    with transaction.atomic():
        actor.first_name = first_name.strip()
        actor.last_name = last_name.strip()
        actor.save(update_fields=["first_name", "last_name"])
        journal_record(actor=actor, action="user.update", target=actor, summary=actor.email)


def user_get_or_create(
    *, actor, email: str, first_name: str = "", last_name: str = ""
) -> tuple[User, bool]:
    """The account for `email`, created without a password if missing (it is set
    later, after a one-time login link). `actor=None` means a system command.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Adresse électronique invalide : %(email)s.") % {"email": email}}
        ) from None
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            return user, False
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
        journal_record(actor=actor, action="user.create", target=user, summary=email)
    return user, True


def login_link_create(*, user: User, actor=None) -> str:
    """A one-time login link (valid 24 h) as an absolute URL; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = LoginLink.objects.create(user=user, token_hash=token_hash(token))
        journal_record(
            actor=actor,
            action="login_link.create",
            target=user,
            summary=user.email,
            payload={"expires_at": link.expires_at.isoformat()},
        )
    return settings.PUBLIC_URL + reverse("accounts:login_link", args=[token])


def login_link_get(*, token: str) -> LoginLink:
    link = LoginLink.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if link is None or not link.user.is_active:
        raise LoginLinkError(_("Ce lien de connexion n'est pas valable."))
    if link.used_at is not None:
        raise LoginLinkError(
            _(
                "Ce lien de connexion a déjà été utilisé : il ne sert qu'une fois. "
                "Connectez-vous avec votre mot de passe, ou choisissez-en un nouveau."
            )
        )
    if link.expires_at <= timezone.now():
        raise LoginLinkError(
            _(
                "Ce lien de connexion a expiré. Demandez un nouveau lien à l'opérateur de la "
                "plateforme, ou choisissez un nouveau mot de passe."
            )
        )
    return link


def login_link_use(*, token: str) -> User:
    """Spend the link (once, even under concurrent clicks) and return its user."""
    with transaction.atomic():
        link = login_link_get(token=token)
        link = LoginLink.objects.select_for_update(of=("self",)).select_related("user").get(pk=link.pk)
        if link.used_at is not None:
            raise LoginLinkError(
                _("Ce lien de connexion a déjà été utilisé : il ne sert qu'une fois.")
            )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        journal_record(
            actor=link.user, action="login_link.use", target=link.user, summary=link.user.email
        )
    return link.user

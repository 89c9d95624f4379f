"""People who log in, and the companies some of them act for.

One `User` per person and e-mail. What a user may do comes from elsewhere:
body memberships and operator roles (tenancy), company memberships (here).
"""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoires.interop.siren import siret_error


class AccountKind(models.TextChoices):
    AGENT = "agent", _("Agent ou élu d'un organisme")
    COMPANY = "company", _("Entreprise")
    CITIZEN = "citizen", _("Usager")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom d'usage"), max_length=150, blank=True)
    kind = models.CharField(
        _("type de compte"), max_length=20, choices=AccountKind.choices, default=AccountKind.AGENT
    )
    is_active = models.BooleanField(default=True)
    # Django admin access is not used; kept for PermissionsMixin compatibility.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    # Second factor (TOTP). The secret is only trusted once `totp_confirmed_at` is set.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_counter = models.BigIntegerField(default=0)

    # Lockout after repeated password failures.
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    # Body chosen last, restored at the next login.
    last_body = models.ForeignKey(
        "tenancy.Body", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)


def validate_siret(value: str) -> None:
    error = siret_error(value)
    if error:
        raise ValidationError(error, code="siret")


class Company(models.Model):
    """A company account: one per SIRET, several users (services come later)."""

    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    name = models.CharField(_("raison sociale"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entreprise")

    def __str__(self) -> str:
        return f"{self.name} ({self.siret})"


class CompanyMembership(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="company_memberships"
    )
    is_admin = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="company_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.company}"


LOGIN_LINK_VALIDITY = timedelta(hours=24)


def login_link_expiry():
    return timezone.now() + LOGIN_LINK_VALIDITY


class LoginLink(models.Model):
    """A one-time login link handed out by the operator (e.g. to a new agent).

    Only the SHA-256 of the token is stored: a database leak gives no usable link.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="login_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=login_link_expiry)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lien de connexion à usage unique")

    def __str__(self) -> str:
        return f"{self.user} ({self.expires_at:%Y-%m-%d %H:%M})"

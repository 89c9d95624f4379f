"""Strong-password rule on top of Django's validators (length ≥ 12 is set in settings)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least three of: lower case, upper case, digit, other character."""

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _(
                    "Le mot de passe doit mélanger au moins trois types de caractères parmi : "
                    "minuscules, majuscules, chiffres, autres caractères."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Au moins trois types de caractères parmi : minuscules, majuscules, chiffres, "
            "autres caractères."
        )

"""Account forms. They only shape input; rules live in the services."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Saisissez votre adresse électronique."),
            "invalid": _("Saisissez une adresse électronique valide, par exemple nom@mairie.fr."),
        },
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        help_text=_(
            "Le code affiché par votre application d'authentification "
            "(il change toutes les 30 secondes)."
        ),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Saisissez le code à 6 chiffres.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_("Le code comporte exactement 6 chiffres, sans lettres."))
        return code


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de votre compte"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Saisissez votre adresse électronique."),
            "invalid": _("Saisissez une adresse électronique valide, par exemple nom@mairie.fr."),
        },
    )


def _password_rules() -> str:
    return " ".join(password_validation.password_validators_help_texts())


password_rules = lazy(_password_rules, str)

# The same rules in one sentence, beside a password field in a form that asks for more.
PASSWORD_HELP = _(
    "12 caractères au moins, avec trois types de caractères parmi : minuscules, majuscules, "
    "chiffres, autres."
)


class NewPasswordForm(forms.Form):
    """A new password typed twice; the validators run in the service."""

    new_password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        help_text=password_rules(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Saisissez un nouveau mot de passe.")},
    )
    new_password2 = forms.CharField(
        label=_("Confirmation du nouveau mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Saisissez une seconde fois le nouveau mot de passe.")},
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("Les deux mots de passe ne sont pas identiques."))
        return data


class PasswordChangeForm(NewPasswordForm):
    """Asks the current password first, unless the account has none yet."""

    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe actuel.")},
    )
    field_order = ["current_password", "new_password1", "new_password2"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            del self.fields["current_password"]


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom d'usage"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class NewAccountForm(forms.Form):
    """The account a person creates when accepting an invitation (to a body or to a company
    account); the password rules run in the service that creates it."""

    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom d'usage"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )

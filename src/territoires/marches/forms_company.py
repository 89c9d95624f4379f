"""Forms of the company space: input checks only, the services decide."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from territoires.accounts.forms import PASSWORD_HELP
from territoires.interop.siren import normalize, siret_error
from territoires.marches.companies import MAX_DOCUMENT_BYTES
from territoires.marches.models import DocumentKind


class SiretField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SIRET de l'établissement"))
        kwargs.setdefault("help_text", _("14 chiffres, par exemple 379 940 000 04102 (avis de situation Sirene, Kbis)."))
        super().__init__(max_length=30, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = normalize(super().clean(value) or "")
        if error := siret_error(value):
            raise forms.ValidationError(error)
        return value


class SiretForm(forms.Form):
    siret = SiretField()


class RegisterForm(forms.Form):
    siret = SiretField(widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("Prénom"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nom"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("Adresse électronique professionnelle"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=_("Elle vous servira d'identifiant et recevra les alertes."))
    password = forms.CharField(
        label=_("Mot de passe"), help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique du collègue"),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, JPEG ou PNG, %(size)s Mo au plus.") % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    valid_until = forms.DateField(
        label=_("Valable jusqu'au"), required=False,
        help_text=_("Facultatif. Format : AAAA-MM-JJ. Vous serez prévenu 30 jours puis 7 jours avant."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AlertForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'alerte"), max_length=100)
    params = forms.CharField(label=_("Critères de recherche"), required=False, widget=forms.HiddenInput,
                             max_length=2000)

    def clean_params(self) -> dict:
        query = QueryDict(self.cleaned_data.get("params") or "")
        return {key: query.get(key) for key in query}

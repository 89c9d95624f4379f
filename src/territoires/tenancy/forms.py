"""Input validation only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from territoires.interop.siren import normalize, siren_error
from territoires.tenancy.kinds import BodyKind, EpciForm
from territoires.tenancy.models import Role, Service
from territoires.tenancy.roles import BODY


def body_role_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in Role.objects.filter(scope=BODY).order_by("label")]


class SirenField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SIREN"))
        kwargs.setdefault("help_text", _("9 chiffres, par exemple 212 100 011."))
        super().__init__(max_length=20, **kwargs)

    def clean(self, value):
        value = normalize(super().clean(value) or "")
        error = siren_error(value)
        if error:
            raise forms.ValidationError(error)
        return value


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique de l'agent"))
    roles = forms.MultipleChoiceField(
        label=_("Rôles"), widget=forms.CheckboxSelectMultiple, choices=body_role_choices
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Rôles"), widget=forms.CheckboxSelectMultiple, choices=body_role_choices
    )


class AdhesionForm(forms.Form):
    siren = SirenField()
    name = forms.CharField(label=_("Nom de l'organisme"), max_length=200)
    kind = forms.ChoiceField(label=_("Type d'organisme"), choices=BodyKind.choices)
    epci_form = forms.ChoiceField(
        label=_("Forme de l'EPCI"), choices=[("", _("— sans objet —"))] + EpciForm.choices, required=False
    )
    insee_code = forms.CharField(
        label=_("Code INSEE de la commune"), max_length=5, required=False,
        help_text=_("Pour une commune : 5 caractères, par exemple 21231."),
    )
    contact_name = forms.CharField(label=_("Votre nom"), max_length=200)
    contact_email = forms.EmailField(label=_("Votre adresse électronique professionnelle"))
    services = forms.MultipleChoiceField(
        label=_("Services souhaités"), choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(label=_("Message"), widget=forms.Textarea, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == BodyKind.EPCI and not data.get("epci_form"):
            self.add_error("epci_form", _("Précisez la forme de l'EPCI."))
        return data


class BodyProfileForm(forms.Form):
    siret = forms.CharField(
        label=_("SIRET du siège"), max_length=14, required=False,
        help_text=_("14 chiffres ; il figure dans les données ouvertes des délibérations."),
    )
    address = forms.CharField(label=_("Adresse postale"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False)
    population = forms.IntegerField(label=_("Population"), min_value=0, required=False)
    logo = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("Image PNG ou JPEG, 1 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Retirer le logo actuel"), required=False)

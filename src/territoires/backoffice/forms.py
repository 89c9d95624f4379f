"""Back-office forms: input validation only, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from territoires.interop.siren import normalize
from territoires.tenancy.forms import SirenField, body_role_choices
from territoires.tenancy.kinds import BodyKind, EpciForm
from territoires.tenancy.models import MembershipRequestStatus, Service

ALL = [("", _("Tous"))]


class BodyFieldsForm(forms.Form):
    """The descriptive fields of a body, shared by creation and edition."""

    name = forms.CharField(label=_("Nom de l'organisme"), max_length=200)
    kind = forms.ChoiceField(label=_("Type d'organisme"), choices=BodyKind.choices)
    epci_form = forms.ChoiceField(
        label=_("Forme de l'EPCI"),
        choices=[("", _("— sans objet —")), *EpciForm.choices],
        required=False,
    )
    insee_code = forms.CharField(
        label=_("Code INSEE de la commune"),
        max_length=5,
        required=False,
        help_text=_("Pour une commune : 5 caractères, par exemple 21231."),
    )
    departement = forms.CharField(
        label=_("Département"),
        max_length=3,
        required=False,
        help_text=_("Numéro du département, par exemple 21 ou 2A."),
    )
    arrondissement = forms.CharField(label=_("Arrondissement"), max_length=2, required=False)
    population = forms.IntegerField(label=_("Population"), min_value=0, required=False)
    nuts3 = forms.CharField(
        label=_("Code NUTS 3"), max_length=5, required=False, help_text=_("Par exemple FRC11.")
    )
    address = forms.CharField(
        label=_("Adresse"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_insee_code(self):
        value = self.cleaned_data["insee_code"].strip().upper()
        if value and len(value) != 5:
            raise forms.ValidationError(_("Un code INSEE compte exactement 5 caractères."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == BodyKind.EPCI and not data.get("epci_form"):
            self.add_error("epci_form", _("Précisez la forme de l'EPCI."))
        elif data.get("kind") and data.get("kind") != BodyKind.EPCI and data.get("epci_form"):
            self.add_error("epci_form", _("Seul un EPCI a une forme : choisissez « sans objet »."))
        return data


class BodyCreateForm(BodyFieldsForm):
    siren = SirenField()
    services = forms.MultipleChoiceField(
        label=_("Services souscrits"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    field_order = ["siren", "name", "kind"]


class BodyFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher par nom ou SIREN"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=ALL + BodyKind.choices, required=False)
    service = forms.ChoiceField(
        label=_("Service souscrit"), choices=ALL + Service.choices, required=False
    )


class SubscriptionsForm(forms.Form):
    services = forms.MultipleChoiceField(
        label=_("Services actifs"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class InviteAdminForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique du futur administrateur"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Il est envoyé au demandeur dans le courriel de refus."),
    )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("État"), choices=ALL + MembershipRequestStatus.choices, required=False
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher par adresse électronique ou nom"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class GrantForm(forms.Form):
    siren = forms.CharField(
        label=_("SIREN de l'organisme"),
        max_length=20,
        help_text=_("9 chiffres, par exemple 212 100 011."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Rôles à donner"), widget=forms.CheckboxSelectMultiple, choices=body_role_choices
    )

    def clean_siren(self):
        return normalize(self.cleaned_data["siren"])


TASK_STATUSES = [
    ("FAILED", _("En échec")),
    ("READY", _("En attente")),
    ("RUNNING", _("En cours")),
    ("SUCCESSFUL", _("Réussie")),
]


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=ALL + TASK_STATUSES, required=False)

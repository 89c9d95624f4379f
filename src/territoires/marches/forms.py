"""Input shapes of the buyer's pages and of the public consultation page.

Business rules (CPV codes, places, deadlines, life cycle) live in
`marches.services`; these forms only turn text into typed values.
"""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from territoires.interop.decp import data as decp
from territoires.marches.models import Lot, Nature, Procedure
from territoires.marches.reference import nuts_catalogue
from territoires.ui.forms import (
    DateInput,
    DateTimeInput,
    MultipleFileField,
    ResumableFileInput,
    UploadIdsField,
)


class CpvInput(forms.TextInput):
    """A text field backed by the CPV suggestions list: htmx fills the page's datalist as one
    types (the suggestions URL is set by `with_cpv_suggestions`); without JS, any valid code
    typed is accepted and a wrong one gets suggestions in its error message."""

    def __init__(self, **kwargs):
        attrs = {"list": "cpv-options", "autocomplete": "off", "hx-trigger": "input changed delay:250ms",
                 "hx-target": "#cpv-options", "hx-swap": "innerHTML", "hx-sync": "this:replace"}
        attrs.update(kwargs.pop("attrs", {}))
        super().__init__(attrs=attrs, **kwargs)


def with_cpv_suggestions(form: forms.Form, url: str) -> forms.Form:
    for field in form.fields.values():
        if isinstance(field.widget, CpvInput):
            field.widget.attrs["hx-get"] = url
    return form


def nuts_choices() -> list[tuple[str, str]]:
    return [("", _("— choisir —"))] + [(e.code, f"{e.label_fr} ({e.departement})") for e in nuts_catalogue().nuts3()]


class ConsultationForm(forms.Form):
    reference = forms.CharField(label=_("Référence"), max_length=50,
                                help_text=_("Votre numéro interne, par exemple 2026-TRV-012."))
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    object = forms.CharField(label=_("Objet détaillé"), widget=forms.Textarea(attrs={"rows": 4}))
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices)
    procedure = forms.ChoiceField(label=_("Procédure"), choices=Procedure.choices)
    cpv_main = forms.CharField(label=_("Code CPV principal"), max_length=12, widget=CpvInput(),
                               help_text=_("Tapez un mot (« voirie », « repas »…) ou un code, puis choisissez."))
    cpv_additional = forms.CharField(label=_("Codes CPV complémentaires"), required=False, widget=CpvInput(),
                                     help_text=_("Facultatif ; plusieurs codes séparés par des virgules."))
    nuts = forms.ChoiceField(label=_("Lieu d'exécution (département)"))
    estimated_value = forms.DecimalField(label=_("Valeur estimée (€ HT)"), required=False, min_value=0,
                                         max_digits=14, decimal_places=2)
    closes_at = forms.DateTimeField(label=_("Date et heure limites de remise des offres (heure de Paris)"),
                                    required=False, widget=DateTimeInput())
    dume_required = forms.BooleanField(label=_("DUME exigé"), required=False)
    signature_required = forms.BooleanField(label=_("Signature électronique des offres exigée"), required=False)
    variants_allowed = forms.BooleanField(label=_("Variantes autorisées"), required=False)
    contact_name = forms.CharField(label=_("Nom du contact"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Courriel du contact"), required=False,
                                     help_text=_("Reçoit les questions des entreprises."))
    contact_phone = forms.CharField(label=_("Téléphone du contact"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nuts"].choices = nuts_choices()

    def clean_cpv_additional(self) -> list[str]:
        return [code for code in re.split(r"[\s,;]+", self.cleaned_data["cpv_additional"]) if code]

    @staticmethod
    def initial_from(consultation) -> dict:
        values = {name: getattr(consultation, name) for name in (
            "reference", "title", "object", "nature", "procedure", "cpv_main", "nuts", "estimated_value",
            "closes_at", "dume_required", "signature_required", "variants_allowed", "contact_name",
            "contact_email", "contact_phone")}
        values["cpv_additional"] = ", ".join(consultation.cpv_additional)
        return values


class LotForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du lot"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cpv_main = forms.CharField(label=_("Code CPV du lot"), max_length=12, required=False, widget=CpvInput())
    estimated_value = forms.DecimalField(label=_("Valeur estimée du lot (€ HT)"), required=False, min_value=0,
                                         max_digits=14, decimal_places=2)


class DceFilesForm(forms.Form):
    """Files sent with the form (no JavaScript) or beforehand in resumable pieces (`uploads`)."""

    files = MultipleFileField(label=_("Documents du DCE"), required=False,
                              widget=ResumableFileInput(purpose="marches.dce"))
    uploads = UploadIdsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("Tous formats ; %(n)s Mo au plus par fichier. Un fichier du même nom "
                                           "remplace le précédent. Un envoi interrompu reprend là où il s'est "
                                           "arrêté.") % {"n": settings.MARCHES_DCE_MAX_MB}
        self.fields["files"].widget.attrs["data-upload-field"] = self.add_prefix("uploads")

    def clean(self):
        data = super().clean()
        if not data.get("files") and not data.get("uploads") and not self.has_error("uploads"):
            self.add_error("files", _("Choisissez au moins un fichier."))
        return data


class AmendForm(forms.Form):
    note = forms.CharField(label=_("Objet de la modification (envoyé aux entreprises)"),
                           widget=forms.Textarea(attrs={"rows": 3}))
    closes_at = forms.DateTimeField(label=_("Nouvelle date limite (facultatif, heure de Paris)"), required=False,
                                    widget=DateTimeInput())


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la déclaration sans suite"), widget=forms.Textarea(attrs={"rows": 2}))


class AwardForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none(), required=False)
    winner_siret = forms.CharField(label=_("SIRET du titulaire"), max_length=17)
    winner_name = forms.CharField(label=_("Raison sociale du titulaire"), max_length=200)
    winner_postal_code = forms.CharField(label=_("Code postal du titulaire"), max_length=10)
    winner_city = forms.CharField(label=_("Commune du titulaire"), max_length=100)
    amount = forms.DecimalField(label=_("Montant (€ HT)"), min_value=0, max_digits=14, decimal_places=2)
    contract_date = forms.DateField(label=_("Date de notification du marché"), widget=DateInput())
    tenders_received = forms.IntegerField(label=_("Nombre d'offres reçues"), min_value=0, required=False)
    duration_months = forms.IntegerField(label=_("Durée (mois)"), min_value=1, required=False)

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        lots = consultation.lots.all()
        if lots:
            self.fields["lot"].queryset = lots
            self.fields["lot"].required = True
        else:
            del self.fields["lot"]


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Votre question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Réponse (publiée sans le nom de l'entreprise)"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class DownloadForm(forms.Form):
    """Identification is optional (D1): only used to send amendments and answers."""

    name = forms.CharField(label=_("Nom ou raison sociale (facultatif)"), max_length=200, required=False)
    email = forms.EmailField(label=_("Courriel (facultatif, pour recevoir les modifications)"), required=False)


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


def _checkboxes(label, enum) -> forms.MultipleChoiceField:
    """A DECP list (several values of one of the schema's enumerations), as checkboxes."""
    return forms.MultipleChoiceField(label=label, choices=_choices(enum), widget=forms.CheckboxSelectMultiple)


class DecpForm(forms.Form):
    """The DECP fields the buyer completes; values are the schema's own French labels."""

    id = forms.CharField(label=_("Identifiant du marché"), max_length=16)
    subject = forms.CharField(label=_("Objet"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    cpv = forms.CharField(label=_("Code CPV"), max_length=10)
    procedure = forms.ChoiceField(label=_("Procédure"), choices=_choices(decp.Procedure))
    place_code = forms.CharField(label=_("Lieu d'exécution (code)"), max_length=6)
    place_type = forms.ChoiceField(label=_("Type de code du lieu"), choices=_choices(decp.PlaceCodeType))
    duration_months = forms.IntegerField(label=_("Durée (mois)"), min_value=1)
    notified_on = forms.DateField(label=_("Date de notification"), widget=DateInput())
    amount = forms.DecimalField(label=_("Montant (€ HT)"), min_value=0, max_digits=14, decimal_places=2)
    price_form = forms.ChoiceField(label=_("Forme du prix"), choices=_choices(decp.PriceForm))
    price_types = _checkboxes(_("Types de prix"), decp.PriceType)
    holder_siret = forms.CharField(label=_("SIRET du titulaire"), max_length=14)
    grouping = forms.ChoiceField(label=_("Groupement d'opérateurs"), choices=_choices(decp.Grouping))
    offers_received = forms.IntegerField(label=_("Offres reçues"), min_value=0)
    ccag = forms.ChoiceField(label=_("CCAG"), choices=_choices(decp.Ccag))
    techniques = _checkboxes(_("Techniques d'achat"), decp.Technique)
    execution_methods = _checkboxes(_("Modalités d'exécution"), decp.ExecutionMethod)
    social_considerations = _checkboxes(_("Considérations sociales"), decp.SocialConsideration)
    environmental_considerations = _checkboxes(_("Considérations environnementales"), decp.EnvironmentalConsideration)
    innovative = forms.BooleanField(label=_("Marché innovant"), required=False)
    advance_granted = forms.BooleanField(label=_("Avance accordée"), required=False)
    advance_rate = forms.DecimalField(label=_("Taux de l'avance (0,3 = 30 %)"), required=False, min_value=0,
                                      max_value=1, decimal_places=4)
    subcontracting_declared = forms.BooleanField(label=_("Sous-traitance déclarée"), required=False)


class DecpConcessionForm(forms.Form):
    """The DECP fields of a contrat de concession (`interop.decp.ContratConcession`)."""

    id = forms.CharField(label=_("Identifiant du contrat"), max_length=16)
    subject = forms.CharField(label=_("Objet"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    nature = forms.ChoiceField(label=_("Nature du contrat"), choices=_choices(decp.ConcessionNature))
    procedure = forms.ChoiceField(label=_("Procédure"), choices=_choices(decp.ConcessionProcedure))
    duration_months = forms.IntegerField(label=_("Durée (mois)"), min_value=1)
    signed_on = forms.DateField(label=_("Date de signature"), widget=DateInput())
    execution_start = forms.DateField(label=_("Début d'exécution"), widget=DateInput())
    total_value = forms.DecimalField(label=_("Valeur globale (€ HT)"), min_value=0, max_digits=14, decimal_places=2)
    public_subsidy = forms.DecimalField(label=_("Subventions publiques (€, 0 s'il n'y en a pas)"), min_value=0,
                                        max_digits=14, decimal_places=2)
    concessionaire_siret = forms.CharField(label=_("SIRET du concessionnaire"), max_length=14)
    social_considerations = _checkboxes(_("Considérations sociales"), decp.ConcessionSocialConsideration)
    environmental_considerations = _checkboxes(_("Considérations environnementales"), decp.EnvironmentalConsideration)


class CandidatureForm(forms.Form):
    """What the company checks and answers; the exclusion grounds are generated from the ESPD list."""

    contact_name = forms.CharField(label=_("Personne à contacter"), max_length=200)
    email = forms.EmailField(label=_("Courriel"))
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    lots = forms.TypedMultipleChoiceField(label=_("Lots pour lesquels vous candidatez"), coerce=int,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    sworn_statement = forms.BooleanField(
        label=_("Je certifie sur l'honneur l'exactitude de ces informations et pouvoir produire les "
                "justificatifs sur demande."), required=False)
    TURNOVER_YEARS = 3

    def __init__(self, *args, consultation, grounds, **kwargs):
        super().__init__(*args, **kwargs)
        lots = list(consultation.lots.all())
        if lots:
            self.fields["lots"].choices = [(lot.number, f"{lot.number} – {lot.title}") for lot in lots]
        else:
            del self.fields["lots"]
        for index in range(1, self.TURNOVER_YEARS + 1):
            self.fields[f"turnover_year_{index}"] = forms.IntegerField(
                label=_("Exercice %(n)s : année") % {"n": index}, required=False, min_value=1900)
            self.fields[f"turnover_amount_{index}"] = forms.DecimalField(
                label=_("Exercice %(n)s : chiffre d'affaires (€)") % {"n": index}, required=False, min_value=0,
                max_digits=14, decimal_places=2)
        self.grounds = grounds
        for ground in grounds:
            self.fields[f"exclusion_{ground.code}"] = forms.TypedChoiceField(
                label=ground.question, choices=[("0", _("Non")), ("1", _("Oui"))], coerce=lambda v: v == "1",
                initial="0", widget=forms.RadioSelect)
            self.fields[f"exclusion_{ground.code}_description"] = forms.CharField(
                label=_("Si oui, expliquez (%(name)s)") % {"name": ground.name}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def initial_from(data: dict) -> dict:
        initial = {"contact_name": data.get("contact_name"), "email": data.get("email"),
                   "phone": data.get("phone"), "lots": data.get("lots", []),
                   "sworn_statement": data.get("sworn_statement", False)}
        for index, row in enumerate(data.get("turnovers", []), start=1):
            initial[f"turnover_year_{index}"] = row["year"]
            initial[f"turnover_amount_{index}"] = row["amount"]
        for code, answer in data.get("exclusions", {}).items():
            initial[f"exclusion_{code}"] = "1" if answer["breached"] else "0"
            initial[f"exclusion_{code}_description"] = answer["description"]
        return initial

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_name": data["contact_name"], "email": data["email"], "phone": data["phone"],
            "lots": data.get("lots", []), "sworn_statement": data["sworn_statement"],
            "turnovers": [(data[f"turnover_year_{i}"], data[f"turnover_amount_{i}"])
                          for i in range(1, self.TURNOVER_YEARS + 1)],
            "exclusions": {g.code: (data[f"exclusion_{g.code}"], data[f"exclusion_{g.code}_description"])
                           for g in self.grounds},
        }

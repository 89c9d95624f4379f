"""Input validation only; the protocol rules live in `actes.rules` and the services."""

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from territoires.actes.models import Classification, Nature, Status
from territoires.ui.forms import DateInput, MultipleFileField

KEPT_FILE_SALT = "actes.kept-file"


def matiere_choices(classification: Classification | None) -> list:
    """Matières grouped under their level-1 heading, deeper levels indented."""
    if classification is None:
        return []
    groups: dict[str, tuple[str, list]] = {}
    for matiere in classification.data["matieres"]:
        code = matiere["code"]
        top = code.split(".")[0]
        if "." not in code:
            groups[top] = (f"{code} {matiere['label']}", [])
            continue
        depth = code.count(".") - 1
        label = "\u00a0\u00a0" * depth + f"{code} {matiere['label']}"
        groups.setdefault(top, (top, []))[1].append((code, label))
    return [("", _("Choisissez une matière…"))] + [(title, options) for title, options in groups.values()]


def typology_choices(classification: Classification | None, nature: str | None) -> list:
    if classification is None or not nature:
        return []
    return [(code, f"{code} – {label}") for code, label in classification.typologies(nature)]


class ActeForm(forms.Form):
    nature = forms.ChoiceField(label=_("Nature de l'acte"), choices=Nature.choices)
    numero_interne = forms.CharField(
        label=_("Numéro interne"), max_length=15,
        help_text=_("Lettres majuscules, chiffres et _ seulement, 15 caractères au plus (ex. : DEL2026_014)."),
    )
    objet = forms.CharField(label=_("Objet"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    decision_date = forms.DateField(label=_("Date de la décision"), widget=DateInput())
    matiere_code = forms.ChoiceField(label=_("Matière (classification de la préfecture)"))
    document_papier = forms.BooleanField(
        label=_("Des documents papier sont envoyés séparément à la préfecture"), required=False
    )

    def __init__(self, *args, classification: Classification | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matiere_code"].choices = matiere_choices(classification)

    def clean_numero_interne(self) -> str:
        return self.cleaned_data["numero_interne"].strip().upper()


class ActeCreateForm(ActeForm):
    """The draft form with its main document."""

    main_document = forms.FileField(
        label=_("Document principal"), required=False,
        help_text=_("PDF, ou image JPG/PNG. 150 Mo au plus pour l'ensemble de l'acte."),
    )


def kept_file_token(stored_id: int, name: str, user_id: int) -> str:
    """A signed reference to a file already received, so a failed form need not ask for it again.

    Bound to the user who uploaded it: a token is worthless to anyone else.
    """
    return signing.dumps({"id": stored_id, "name": name, "user": user_id}, salt=KEPT_FILE_SALT)


def kept_file_load(token: str, user_id: int) -> dict | None:
    try:
        kept = signing.loads(token, salt=KEPT_FILE_SALT, max_age=24 * 3600) if token else None
    except signing.BadSignature:
        return None
    return kept if kept and kept.get("user") == user_id else None


class FileForm(forms.Form):
    file = forms.FileField(label=_("Fichier"))
    typology = forms.ChoiceField(label=_("Typologie"))

    def __init__(self, *args, typologies: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typology"].choices = typologies


class ActeFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher (objet ou numéro)"), required=False)
    status = forms.ChoiceField(label=_("Statut"), required=False,
                               choices=[("", _("Tous les statuts")), *Status.choices])
    nature = forms.ChoiceField(label=_("Nature"), required=False,
                               choices=[("", _("Toutes les natures")), *Nature.choices])


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("Date de publication"), widget=DateInput())
    signatory = forms.CharField(label=_("Nom du signataire"), max_length=200)
    signatory_title = forms.CharField(label=_("Qualité du signataire"), max_length=200,
                                      help_text=_("Par exemple : maire, président, adjoint délégué."))


class NotifyForm(forms.Form):
    notified_on = forms.DateField(label=_("Date de notification à l'intéressé(e)"), widget=DateInput())


class ReplyForm(forms.Form):
    code = forms.ChoiceField(label=_("Réponse"))
    documents = MultipleFileField(
        label=_("Document(s)"), required=False,
        help_text=_("PDF de préférence. Un accusé de réception n'en porte pas ; l'envoi de pièces peut en compter plusieurs."),
    )

    def __init__(self, *args, choices: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = choices


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Votre mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Il confirme que c'est bien vous qui signez."),
    )


class CredentialImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier du certificat (.p12 ou .pfx)"))
    password = forms.CharField(label=_("Mot de passe du fichier"), required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))

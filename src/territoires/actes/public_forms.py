"""The search form of the public register of acts: input validation only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from territoires.actes.models import Classification, Nature
from territoires.ui.forms import DateInput


def matiere_filter_choices(classification: Classification | None) -> list[tuple[str, str]]:
    """Level-1 and level-2 matières of the body's classification, level 2 indented.

    Deeper levels are left out: searching "7.1" already finds 7.1.2, and a
    short list is easier to use with a keyboard or a screen reader.
    """
    choices = [("", _("Toutes les matières"))]
    if classification is None:
        return choices
    for matiere in classification.data["matieres"]:
        code = matiere["code"]
        depth = code.count(".")
        if depth > 1:
            continue
        indent = "\u00a0\u00a0\u00a0" * depth
        choices.append((code, f"{indent}{code} {matiere['label']}"))
    return choices


class RegisterSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher dans l'objet ou le numéro"), required=False, max_length=200)
    nature = forms.ChoiceField(label=_("Nature de l'acte"), required=False,
                               choices=[("", _("Toutes les natures")), *Nature.choices])
    matiere = forms.ChoiceField(label=_("Matière"), required=False)
    date_from = forms.DateField(label=_("Publié à partir du"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Publié jusqu'au"), required=False, widget=DateInput())

    def __init__(self, *args, classification: Classification | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matiere"].choices = matiere_filter_choices(classification)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La date de fin doit suivre la date de début."))
        return cleaned

    def filters(self) -> dict:
        """The valid criteria only: a mistyped date does not hide the rest of the search."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

"""Input validation only; the services decide."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from territoires.formations.models import Audience, TrainingSession
from territoires.tenancy.models import Service

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(),
        help_text=help_text or _("Heure de Paris."),
    )


class CatalogueFilterForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Service"), required=False,
        choices=[("", _("Tous les services")), *Service.choices],
    )


class TrainingSessionForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    service = forms.ChoiceField(label=_("Service concerné"), choices=Service.choices)
    audience = forms.ChoiceField(label=_("Public"), choices=Audience.choices)
    starts_at = _datetime_field(_("Début"))
    ends_at = _datetime_field(_("Fin"))
    duration_hours = forms.DecimalField(
        label=_("Durée en heures"), required=False, min_value=0, max_digits=5, decimal_places=1,
        help_text=_("Laisser vide pour compter le temps entre le début et la fin."),
    )
    place = forms.CharField(label=_("Lieu (adresse)"), required=False, widget=forms.Textarea)
    is_remote = forms.BooleanField(label=_("Session à distance"), required=False)
    connection_info = forms.CharField(
        label=_("Informations de connexion"), required=False, widget=forms.Textarea,
        help_text=_("Communiquées seulement aux personnes inscrites."),
    )
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1)
    trainer_name = forms.CharField(label=_("Formateur ou formatrice"), max_length=200)
    registration_deadline = _datetime_field(
        _("Date limite d'inscription"), required=False,
        help_text=_("Heure de Paris. Facultative : sans date, on peut s'inscrire jusqu'au début."),
    )

    @classmethod
    def initial_from(cls, session: TrainingSession) -> dict:
        return {name: getattr(session, name) for name in cls.base_fields}


class RegistrationForm(forms.Form):
    """Register an agent; both lists are limited to what this body may choose."""

    session = forms.ModelChoiceField(
        label=_("Session"), queryset=TrainingSession.objects.none(),
        empty_label=_("Choisissez une session"),
        error_messages={"invalid_choice": _(
            "Cette session n'est plus ouverte aux inscriptions "
            "(date limite passée, session commencée ou annulée)."
        ), "required": _("Choisissez une session.")},
    )
    agent = forms.ModelChoiceField(
        label=_("Agent ou élu"), queryset=None, empty_label=_("Choisissez une personne"),
        error_messages={"invalid_choice": _("Choisissez un agent actif de l'organisme."),
                        "required": _("Choisissez la personne à inscrire.")},
    )

    def __init__(self, *args, sessions, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = _session_label
        if agents is None:
            del self.fields["agent"]
        else:
            self.fields["agent"].queryset = agents
            self.fields["agent"].label_from_instance = lambda u: (
                f"{u.get_full_name()} ({u.email})" if u.get_full_name() else u.email
            )


def _session_label(session: TrainingSession) -> str:
    start = formats.date_format(timezone.localtime(session.starts_at), "j F Y")
    return f"{session.title} – {start}"


class AttendanceForm(forms.Form):
    """One checkbox per confirmed participant."""

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            agent = registration.agent
            self.fields[f"attended_{registration.pk}"] = forms.BooleanField(
                required=False, initial=bool(registration.attended),
                label=f"{agent.get_full_name() or agent.email} ({registration.body.name})",
            )

    def attended(self) -> dict[int, bool]:
        return {r.pk: self.cleaned_data[f"attended_{r.pk}"] for r in self.registrations}

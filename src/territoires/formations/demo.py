"""Demo sessions for the embedded default (`make run`): a catalogue that looks alive.

Idempotent: a session whose title already exists is left alone, so the
demo-setup command can run as often as it likes.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from territoires.formations.models import Audience, TrainingSession
from territoires.formations.services import training_session_create

DEMO_SESSIONS = [
    # title, service, audience, days from today, start hour, end hour, capacity, remote
    ("Télétransmettre ses actes au contrôle de légalité", "actes", Audience.AGENTS, 14, 9, 12, 12,
     False),
    ("Rédiger et publier une consultation simple", "marches", Audience.AGENTS, 21, 9, 17, 15, False),
    ("Le rôle de l'élu dans la commande publique", "marches", Audience.ELUS, 28, 18, 20, 25, True),
    ("Approvisionner la cantine en circuits courts (EGalim)", "circuits", Audience.ALL, 35, 14, 17,
     10, True),
    ("Mettre à jour le site internet de la commune", "site", Audience.AGENTS, 42, 9, 12, 8, False),
]

PLACE = "Maison des communes, salle 2\n12 rue de la République\n21000 Dijon"


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def create_demo_sessions() -> list[TrainingSession]:
    """Create the missing demo sessions; returns the ones created."""
    created = []
    for title, service, audience, days, start, end, capacity, remote in DEMO_SESSIONS:
        if TrainingSession.objects.filter(title=title).exists():
            continue
        created.append(training_session_create(
            actor=None,
            title=title,
            description="Session de démonstration : contenu, exercices pratiques et questions.",
            service=service,
            audience=audience,
            starts_at=_at(days, start),
            ends_at=_at(days, end),
            place="" if remote else PLACE,
            is_remote=remote,
            connection_info="Lien de visioconférence envoyé aux inscrits (démonstration)."
            if remote else "",
            capacity=capacity,
            trainer_name="Équipe formation du GIP",
            registration_deadline=_at(days - 3, 12),
        ))
    return created

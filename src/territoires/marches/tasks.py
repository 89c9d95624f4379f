"""Background work of the Salle des marchés. Every task takes ids and may run twice harmlessly."""

from datetime import timedelta

from django.tasks import task

from territoires.core.schedule import periodic
from territoires.marches.alerts import remind_expiring_documents, send_alert_digests  # noqa: F401 (registers them)


# BOAMP publishes twice a day; TED once on working days.
@periodic(every=timedelta(hours=12))
@task()
def import_opendata_notices() -> dict:
    """Fetch new BOAMP / TED notices when MARCHES_OPENDATA_SOURCES is set (nothing otherwise)."""
    from territoires.marches.opendata import opendata_import

    return opendata_import()


@periodic(every=timedelta(minutes=1))
@task()
def close_due_consultations() -> int:
    """Move consultations past their deadline to « clôturée » (the deadline itself is what the
    deposit rules use; this only keeps statuses and the portal in step)."""
    from territoires.marches.services import consultations_close_due

    return consultations_close_due()

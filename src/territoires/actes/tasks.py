"""Background work of e-actes. Every task takes ids and may run twice harmlessly."""

from datetime import timedelta

from django.tasks import task

from territoires.core.schedule import periodic


@task()
def transmit_acte(acte_id: int) -> None:
    """Build (once) and post an act's archive."""
    from territoires.actes.transmission import acte_transmit_now

    acte_transmit_now(acte_id)


@task()
def send_transmission(transmission_id: int) -> None:
    """Post an archive already built (a retry, or after the hourly window)."""
    from territoires.actes.transmission import transmission_send

    transmission_send(transmission_id)


@periodic(every=timedelta(minutes=1))
@task()
def poll_inbox() -> int:
    """Read the ministry's answers (or the simulator's) and apply them."""
    from territoires.actes.inbound import inbox_poll

    return inbox_poll()


@periodic(every=timedelta(minutes=5))
@task()
def resume_transmissions() -> int:
    """Re-enqueue what a killed worker left half done."""
    from territoires.actes.transmission import actes_resume

    return actes_resume()


@periodic(every=timedelta(days=1))
@task()
def refresh_classifications() -> int:
    """Ask the prefecture for every subscribed body's nomenclature (7-1)."""
    from territoires.actes.classification import classifications_refresh

    return classifications_refresh()

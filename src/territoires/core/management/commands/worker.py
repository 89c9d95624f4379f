"""`territoires worker`: run background tasks (all queues) until stopped.

A thin wrapper around django-tasks-db's `db_worker`, so deployments and the
README name one command; several workers may run against one database. Each
worker also runs the clock of periodic tasks (`core.schedule`) in a thread;
`--no-clock` leaves it out.
"""

import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Exécute les tâches de fond (courriels, transmissions…)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Traite les tâches en attente puis s'arrête.")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--no-clock", action="store_true", help="Ne planifie pas les tâches périodiques.")

    def handle(self, *args, batch: bool, interval: float, no_clock: bool, **options):
        argv = ["--queue-name", "*", "--interval", str(interval), "--no-reload"]
        if batch:
            argv += ["--batch", "--no-startup-delay"]
        stop = threading.Event()
        if not (batch or no_clock):
            from territoires.core.schedule import clock_loop

            threading.Thread(target=clock_loop, args=(stop,), daemon=True, name="clock").start()
        try:
            call_command("db_worker", *argv, verbosity=options["verbosity"])
        finally:
            stop.set()

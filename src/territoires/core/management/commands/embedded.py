"""`territoires embedded`: the web server and a worker together, for `make run`.

The worker runs as a child process so a crash in a task never takes the web
process down; both stop together on Ctrl-C.
"""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Lance le serveur web et un worker de tâches de fond (déploiement embarqué)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: int, host: str, **options):
        worker = subprocess.Popen([sys.executable, "-m", "territoires.manage", "worker"])
        self.stdout.write(f"Worker démarré (pid {worker.pid}).")
        self.stdout.write(f"Territoires : http://{host}:{port}/")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

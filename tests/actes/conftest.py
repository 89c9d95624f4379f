import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from territoires.actes import services
from territoires.actes.models import FileRole
from tests.actes.factories import classification, pdf_bytes


@pytest.fixture
def nomenclature(body):
    return classification(body)


@pytest.fixture
def draft(agent, body, nomenclature):
    """A complete draft délibération, ready to be posted."""
    acte = services.acte_create(
        actor=agent, body=body, nature="DE", numero_interne="DEL2026_001",
        objet="Vote du budget primitif 2026", decision_date=dt.date(2026, 3, 2), matiere_code="7.1",
    )
    stored = services.acte_file_store(name="deliberation.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    services.acte_file_attach(actor=agent, acte=acte, stored=stored, name="deliberation.pdf",
                              role=FileRole.MAIN, typology="99_DE")
    return acte


def run_due_retry(transmission_id: int) -> None:
    """Run the retry the back-off scheduled, at its time (the clock travels there)."""
    import time_machine
    from django_tasks_db.models import DBTaskResult

    from territoires.actes import transmission

    retry = DBTaskResult.objects.filter(task_path__endswith="send_transmission").latest("enqueued_at")
    with time_machine.travel(retry.run_after + dt.timedelta(seconds=1), tick=True):
        transmission.transmission_send(transmission_id)


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def simulator(settings, tmp_path):
    """The prefecture simulator served over real HTTP on 127.0.0.1, answering at once.

    The platform's own WSGI application runs in a thread, as in the demo;
    the simulator's endpoint touches files only, never the test database.
    """
    import threading

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    settings.ACTES_SIMULATOR_DIR = tmp_path / "simulateur"
    settings.ACTES_SIMULATOR_DELAY = 0
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ACTES_SIMULATOR_URL = f"http://127.0.0.1:{server.server_port}/simulateur/actes/depot/"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)

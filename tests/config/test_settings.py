import re
import subprocess
import sys
from pathlib import Path

import territoires.config.settings as settings_module

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    source = Path(settings_module.__file__).read_text()
    read = set(re.findall(r"env_\w+\(\s*[\"'](\w+)[\"']", source))
    documented = set(re.findall(r"^\| `(\w+)`", (ROOT / "docs" / "configuration.md").read_text(), re.M))
    assert read, "no variable found: the pattern is broken"
    assert read - documented == set()


def _start_production(**env) -> subprocess.CompletedProcess:
    base = {"TERRITOIRES_ENV": "production", "PATH": "/usr/bin:/bin", "TERRITOIRES_DATA_DIR": "/tmp/t-prod"}
    return subprocess.run(
        [sys.executable, "-c", "import territoires.config.settings"],
        env={**base, **env}, capture_output=True, text=True, check=False,
    )


def test_production_refuses_default_secret_key():
    result = _start_production()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _start_production(SECRET_KEY="x" * 50, DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_starts_with_proper_settings():
    result = _start_production(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_argon2_is_the_production_hasher():
    assert settings_module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_sqlite_default_keeps_its_connection_between_requests(tmp_path):
    # Closing the last connection to a WAL database checkpoints it and removes the WAL,
    # which the next request rebuilds under an exclusive lock: connections must outlive
    # a request, as on PostgreSQL.
    script = (
        "import django; django.setup()\n"
        "from django.core.signals import request_finished, request_started\n"
        "from django.db import connection\n"
        "request_started.send(None); connection.ensure_connection(); request_finished.send(None)\n"
        "print(connection.vendor, connection.connection is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "TERRITOIRES_DATA_DIR": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "territoires.config.settings"},
    )
    assert result.stdout.split() == ["sqlite", "True"], result.stderr


def _database_options(**env) -> str:
    script = "from territoires.config import settings; print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "TERRITOIRES_DATA_DIR": "/tmp/t-dev",
             "DATABASE_URL": "postgres://territoires@db.example.fr:5432/territoires", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_prepares_repeated_statements_unless_turned_off():
    assert _database_options() == "[('prepare_threshold', 5), ('server_side_binding', True)]"
    assert _database_options(DATABASE_PREPARED_STATEMENTS="0") == "[]"

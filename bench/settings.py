"""Settings of the benchmark server: the project's settings plus a floor view.

Database: DATABASE_URL when set (the bench points it at a dedicated database,
`bench_pages`), else a SQLite file in TERRITOIRES_DATA_DIR (a temporary folder
chosen by bench/pages.py). Everything else is the project's configuration, so
the figures measure what is deployed.
"""

import copy
import os
import tempfile
from pathlib import Path

os.environ.setdefault(
    "TERRITOIRES_DATA_DIR", str(Path(tempfile.gettempdir()) / "territoires-bench")
)

from territoires.config.settings import *  # noqa: E402, F403
from territoires.config.settings import DATA_DIR, DATABASE_URL, DATABASES  # noqa: E402

ROOT_URLCONF = "bench.urls"
DEBUG = False
WHITENOISE_AUTOREFRESH = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = copy.deepcopy(DATABASES)
    DATABASES["default"]["NAME"] = DATA_DIR / "bench.sqlite3"

# Access logs off (gunicorn's default); only problems reach the console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

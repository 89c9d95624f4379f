"""Loading the region's communes from the reference CSV (COG 2018 + centroids)."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from territoires.tenancy.models import Commune

COMMUNES_FILE = Path("circuits") / "communes_bfc_cog2018_centroides.csv"


def communes_load(path: Path | None = None) -> tuple[int, int]:
    """Create or update communes; returns (created, updated). Idempotent."""
    path = path or settings.REFERENCE_DATA_DIR / COMMUNES_FILE
    existing = {c.insee_code: c for c in Commune.objects.all()}
    to_create, to_update = [], []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values = {
                "name": row["nom"],
                "departement": row["departement"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
            }
            commune = existing.get(row["code_insee"])
            if commune is None:
                to_create.append(Commune(insee_code=row["code_insee"], **values))
            elif any(getattr(commune, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(commune, key, value)
                to_update.append(commune)
    with transaction.atomic():
        Commune.objects.bulk_create(to_create, batch_size=1000)
        Commune.objects.bulk_update(to_update, ["name", "departement", "latitude", "longitude"],
                                    batch_size=1000)
    return len(to_create), len(to_update)

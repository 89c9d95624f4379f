"""NUTS-3 code of a département, from the reference list of the region's NUTS codes."""

import csv
from functools import lru_cache
from pathlib import Path

from django.conf import settings

NUTS_FILE = Path("marches") / "nuts" / "nuts_bfc.csv"


@lru_cache(maxsize=4)
def _by_departement(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            row["departement_insee"]: row["nuts_code"]
            for row in csv.DictReader(handle)
            if row["level"] == "3" and row["departement_insee"]
        }


def nuts3_for_departement(departement: str) -> str:
    """'FRC11' for '21'; '' for a département outside the reference list."""
    if not departement:
        return ""
    return _by_departement(settings.REFERENCE_DATA_DIR / NUTS_FILE).get(departement, "")

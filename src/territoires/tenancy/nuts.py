"""NUTS-3 code of a département, from the reference list of the region's NUTS codes."""

from pathlib import Path

from django.conf import settings

from territoires.interop.nuts import load_nuts

NUTS_FILE = Path("marches") / "nuts" / "nuts_bfc.csv"


def nuts3_for_departement(departement: str) -> str:
    """'FRC11' for '21'; '' for a département outside the reference list."""
    if not departement:
        return ""
    return load_nuts(settings.REFERENCE_DATA_DIR / NUTS_FILE).nuts3_for_departement(departement) or ""

"""The marchés reference catalogues (CPV, NUTS), read from REFERENCE_DATA_DIR.

Loading is cached per process by the `interop` loaders; this module only knows
where the files are, so nothing reads settings at import time.
"""

from pathlib import Path

from django.conf import settings

from territoires.interop.cpv import CpvCatalogue
from territoires.interop.nuts import NutsCatalogue, load_nuts


def marches_dir() -> Path:
    return Path(settings.REFERENCE_DATA_DIR) / "marches"


def cpv_catalogue() -> CpvCatalogue:
    return CpvCatalogue.load(marches_dir() / "cpv" / "cpv_2008_fr_en.csv")


def nuts_catalogue() -> NutsCatalogue:
    return load_nuts(marches_dir() / "nuts" / "nuts_bfc.csv")

"""NUTS codes of the region (Bourgogne-Franche-Comté) and their départements.

eForms requires the place of performance as a NUTS level 3 code (FRC11…FRC24),
while buyers and companies think in départements (21, 25, 39, 58, 70, 71, 89,
90): this module converts between the two and says whether a place is in the
region. It reads the reference CSV (`marches/nuts/nuts_bfc.csv`, columns
nuts_code, level, parent, departement_insee, label_fr, label_en) from a path
given by the caller; nothing is read from settings.

`territoires.tenancy.nuts` reads the same file for one lookup; it can become
`load_nuts(path).nuts3_for_departement(departement) or ""`.
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from os import PathLike
from pathlib import Path


@dataclass(frozen=True, slots=True)
class NutsCode:
    code: str  # "FRC11"
    level: int  # 1 region, 2 former region, 3 département
    parent: str  # "FRC1"; "FR" for the region itself
    departement: str  # INSEE number for level 3 ("21"), "" above
    label_fr: str
    label_en: str


class NutsCatalogue:
    """The NUTS codes of one reference file."""

    def __init__(self, codes: list[NutsCode]):
        self._codes = list(codes)
        self._by_code = {entry.code: entry for entry in self._codes}
        self._by_departement = {
            entry.departement: entry for entry in self._codes if entry.level == 3 and entry.departement
        }

    @classmethod
    def from_csv(cls, path: Path) -> "NutsCatalogue":
        with open(path, newline="", encoding="utf-8") as handle:
            return cls([
                NutsCode(
                    code=row["nuts_code"].strip(),
                    level=int(row["level"]),
                    parent=row["parent"].strip(),
                    departement=row["departement_insee"].strip(),
                    label_fr=row["label_fr"],
                    label_en=row["label_en"],
                )
                for row in csv.DictReader(handle)
            ])

    def __iter__(self):
        return iter(self._codes)

    def get(self, code: str) -> NutsCode | None:
        return self._by_code.get(code.strip().upper())

    def nuts3(self) -> list[NutsCode]:
        """The places of performance eForms accepts, in code order (FRC11…FRC24)."""
        return sorted((entry for entry in self._codes if entry.level == 3), key=lambda entry: entry.code)

    def nuts3_for_departement(self, departement: str) -> str | None:
        """'FRC11' for '21' (or '021'); None for a département outside the region."""
        entry = self._by_departement.get(_departement_key(departement))
        return entry.code if entry else None

    def departement_for_nuts3(self, code: str) -> str | None:
        """'21' for 'FRC11'; None for another code or a level above 3."""
        entry = self.get(code)
        return (entry.departement or None) if entry else None

    def in_region(self, nuts_or_departement: str) -> bool:
        """True for a NUTS code of the file (FRC, FRC1, FRC11…) or one of its départements.

        Used to keep the regional tender list to places in the region: a
        'FRC' notice (whole region) counts, 'FR' (whole country) does not.
        """
        value = (nuts_or_departement or "").strip().upper()
        if not value:
            return False
        return value in self._by_code or _departement_key(value) in self._by_departement


def _departement_key(value: str) -> str:
    """INSEE département numbers are typed '21', '021' or ' 21 '."""
    value = (value or "").strip().upper()
    if value.isdigit() and len(value) == 3 and value.startswith("0"):
        value = value[1:]
    return value


def load_nuts(path: str | PathLike[str]) -> NutsCatalogue:
    """The catalogue of `path`, read once per process and path (as given, see `CpvCatalogue.load`)."""
    return _load(Path(path))


@lru_cache(maxsize=4)
def _load(path: Path) -> NutsCatalogue:
    return NutsCatalogue.from_csv(path)

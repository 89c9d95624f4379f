"""The ACTES classification: natures with their typologies, and the matières tree.

A 7-2 RetourClassification carries it; every Acte must name the date of the
version it used, and a stale one is refused (ODT-VERIF-01). Matières are kept
both as a tree (as in the XML, Matiere1 > Matiere2 > …) and reachable by their
dotted code ("7.1"), the form users and the SCDL export know.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from territoires.interop.actes import nomenclature
from territoires.interop.actes.codes import NATURES
from territoires.interop.actes.xmltools import (
    attr,
    children,
    iso,
    read_date,
    root_element,
    serialize,
    sub,
    text,
)


@dataclass(frozen=True)
class Typology:
    code: str  # "99_DE"
    label: str


@dataclass(frozen=True)
class Nature:
    code: int | None  # CodeNatureActe is optional on NatureActe in the XSD
    abbr: str
    label: str
    typologies: tuple[Typology, ...] = ()


@dataclass(frozen=True)
class Matiere:
    code: str  # dotted: "7", "7.1", "7.1.2"
    label: str
    children: tuple["Matiere", ...] = ()

    @property
    def level(self) -> int:
        return self.code.count(".") + 1

    @property
    def codes(self) -> tuple[int, ...]:
        """(7, 1) for "7.1": the CodeMatiere1..5 of an Acte."""
        return tuple(int(part) for part in self.code.split("."))

    def walk(self) -> Iterator["Matiere"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Classification:
    date: date
    natures: tuple[Nature, ...] = ()
    matieres: tuple[Matiere, ...] = ()  # level-1 roots
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def flat(self) -> list[Matiere]:
        """Every matière depth-first: 1, 1.1, 1.2, …, 2, 2.1, …"""
        return [m for root in self.matieres for m in root.walk()]

    def codes(self) -> list[str]:
        return [m.code for m in self.flat()]

    def matiere(self, code: str) -> Matiere | None:
        if not self._index:
            self._index.update({m.code: m for m in self.flat()})
        return self._index.get(code)

    def nature(self, code: int) -> Nature | None:
        return next((n for n in self.natures if n.code == code), None)

    def typology_codes(self, nature_code: int) -> list[str]:
        found = self.nature(nature_code)
        return [t.code for t in found.typologies] if found else []


def tree_from_flat(items: Sequence[tuple[str, str]]) -> tuple[Matiere, ...]:
    """Build the tree from ("7", "Finances locales"), ("7.1", "…") pairs, parents first."""
    labels = dict(items)
    kids: dict[str, list[str]] = {}
    roots: list[str] = []
    for code, _label in items:
        parent = code.rpartition(".")[0]
        if parent:
            if parent not in labels:
                raise ValueError(f"Matière {code} sans matière parente {parent}.")
            kids.setdefault(parent, []).append(code)
        else:
            roots.append(code)

    def make(code: str) -> Matiere:
        return Matiere(code, labels[code], tuple(make(c) for c in kids.get(code, [])))

    return tuple(make(code) for code in roots)


def default_classification(classification_date: date) -> Classification:
    """Our authored national nomenclature, dated `classification_date` (simulator, demo)."""
    natures = tuple(
        Nature(code, n.abbr, n.label,
               tuple(Typology(c, label) for c, label in nomenclature.TYPOLOGIES[code]))
        for code, n in NATURES.items()
    )
    return Classification(classification_date, natures, tree_from_flat(list(nomenclature.MATIERES.items())))


def build_retour_classification(classification: Classification) -> bytes:
    """7-2 RetourClassification. The XSD wants ≥1 typology per nature and ≥1 level 2 per level 1."""
    root = root_element("RetourClassification")
    sub(root, "DateClassification", iso(classification.date))
    natures = sub(root, "NaturesActes")
    for nature in classification.natures:
        if not nature.typologies:
            raise ValueError(f"La nature {nature.abbr} doit avoir au moins une typologie de pièce.")
        attrs = {"Libelle": nature.label, "TypeAbrege": nature.abbr}
        if nature.code is not None:
            attrs = {"CodeNatureActe": str(nature.code), **attrs}
        element = sub(natures, "NatureActe", **attrs)
        for typology in nature.typologies:
            sub(element, "TypePJNatureActe", CodeTypePJ=typology.code, Libelle=typology.label)
    matieres = sub(root, "Matieres")
    for matiere in classification.matieres:
        if not matiere.children:
            raise ValueError(f"La matière {matiere.code} doit avoir au moins une sous-matière.")
        _write_matiere(matieres, matiere, 1)
    return serialize(root)


def _write_matiere(parent: etree._Element, matiere: Matiere, level: int) -> None:
    if level > 5:
        raise ValueError("La classification ACTES compte 5 niveaux de matière au plus.")
    element = sub(parent, f"Matiere{level}", CodeMatiere=matiere.code.rsplit(".", 1)[-1],
                  Libelle=matiere.label)
    for child in matiere.children:
        _write_matiere(element, child, level + 1)


def read_retour_classification(root: etree._Element, warnings: list[str]) -> Classification:
    """Classification from a RetourClassification element; problems go to `warnings`."""
    when = read_date(text(root, "DateClassification"), "DateClassification", warnings)
    natures = []
    for block in children(root, "NaturesActes"):
        for element in children(block, "NatureActe"):
            raw_code = attr(element, "CodeNatureActe")
            code = int(raw_code) if raw_code and raw_code.isdigit() else None
            typologies = tuple(
                Typology(attr(t, "CodeTypePJ") or "", attr(t, "Libelle") or "")
                for t in children(element, "TypePJNatureActe")
            )
            natures.append(Nature(code, attr(element, "TypeAbrege") or "",
                                  attr(element, "Libelle") or "", typologies))
    matieres = []
    for block in children(root, "Matieres"):
        matieres.extend(_read_matiere(e, "", 1, warnings) for e in children(block, "Matiere1"))
    if when is None:
        warnings.append("Classification sans date : DateClassification absente ou illisible.")
    return Classification(when or date.min, tuple(natures), tuple(m for m in matieres if m))


def _read_matiere(element: etree._Element, prefix: str, level: int, warnings: list[str]) -> Matiere | None:
    raw = attr(element, "CodeMatiere")
    if not raw or not raw.isdigit():
        warnings.append(f"Matière de niveau {level} sans code numérique (« {raw} ») ignorée.")
        return None
    code = f"{prefix}.{int(raw)}" if prefix else str(int(raw))
    kids = tuple(
        m for m in (_read_matiere(e, code, level + 1, warnings)
                    for e in children(element, f"Matiere{level + 1}")) if m
    )
    return Matiere(code, attr(element, "Libelle") or "", kids)

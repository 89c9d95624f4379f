"""CPV 2008 (Common Procurement Vocabulary, Reg. (EC) 213/2008): codes, check digits, search.

The catalogue is read from the reference CSV (`marches/cpv/cpv_2008_fr_en.csv`,
columns code, code_with_check_digit, division, significant_digits, label_fr,
label_en); callers pass its path, nothing is read from settings here.

Check digit. The rule that reproduces the published digits is a weighted sum
modulo 10 with the weights 3, 7, 1 repeated from the left (7, 3, 1 from the
right), the remainder being the digit itself. It is *not* a modulo-11 rule,
whatever secondary sources say. It holds for 8,922 of the 9,454 codes; the 532
others form 61 whole sub-trees (e.g. 03300000, 09100000, 42100000, 72212100)
whose published digits are shifted by a constant: the 2008 revision moved these
branches and kept digits that no longer match (the Publications Office
acknowledges the error and will not fix it, OP-TED/ePO discussion #589).
Validation therefore trusts the published digit of the catalogue, and
`cpv_check_digit` is only the rule, for codes outside it.

Search. A picker over 9,454 labels must answer on every keystroke, so the
index is built once per file: each row gets a bit in Python integers, the bit
order being the display order (fewer words, then shorter label, then code).
A word query is the AND of the OR of the postings of every indexed word that
starts with each query word; the best results are then the lowest set bits,
so no sort happens at query time.
"""

import csv
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from os import PathLike
from pathlib import Path

CHECK_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)

# "45000000", "45000000-7", "45 000 000-7", "45.00.00.00 - 7"
_CODE_RE = re.compile(r"^(\d{8})(?:-(\d))?$")
_SEPARATORS = " .\u00a0\u202f\t"

# Words that carry no meaning in a label: ignored in queries (unless the query
# has nothing else) and not counted as "extra words" when ranking.
STOPWORDS = frozenset(
    "a au aux d de des du en et l la le les ou par pour sur un une avec dans sans".split()
)


class CpvLevel(StrEnum):
    """Depth in the tree, from the number of significant digits."""

    DIVISION = "division"  # 2 digits: 45000000
    GROUP = "group"  # 3: 45200000
    CLASS = "class"  # 4: 45230000
    CATEGORY = "category"  # 5: 45233000
    SUBCATEGORY = "subcategory"  # 6 to 8: 45233100, 45233120, 45233121

    @property
    def label_fr(self) -> str:
        return _LEVEL_LABELS_FR[self]

    @classmethod
    def from_significant_digits(cls, digits: int) -> "CpvLevel":
        if digits <= 2:
            return cls.DIVISION
        return (cls.GROUP, cls.CLASS, cls.CATEGORY)[digits - 3] if digits <= 5 else cls.SUBCATEGORY


_LEVEL_LABELS_FR = {
    CpvLevel.DIVISION: "division",
    CpvLevel.GROUP: "groupe",
    CpvLevel.CLASS: "classe",
    CpvLevel.CATEGORY: "catégorie",
    CpvLevel.SUBCATEGORY: "sous-catégorie",
}


@dataclass(frozen=True, slots=True)
class CpvCode:
    code: str  # "45000000"
    check_digit: int  # as published, see the module docstring
    division: str  # "45"
    significant_digits: int  # 2 for a division (even "30000000"), up to 8
    label_fr: str
    label_en: str
    parent: str | None  # nearest existing ancestor code; None for a division

    @property
    def full(self) -> str:
        """'45000000-7', the form printed in notices and DCE."""
        return f"{self.code}-{self.check_digit}"

    @property
    def level(self) -> CpvLevel:
        return CpvLevel.from_significant_digits(self.significant_digits)

    @property
    def stem(self) -> str:
        """The significant prefix ('4523' for 45230000): descendants start with it."""
        return self.code[: self.significant_digits]


def cpv_check_digit(code8: str) -> int:
    """Check digit of an 8-digit code by the CPV rule (weights 3-7-1, modulo 10).

    Differs from the published digit for 532 codes of the 2008 catalogue
    (see the module docstring): validate known codes with the catalogue.
    """
    if len(code8) != 8 or not code8.isdigit():
        raise ValueError(f"A CPV code has 8 digits, got {code8!r}")
    return sum(int(digit) * weight for digit, weight in zip(code8, CHECK_WEIGHTS, strict=True)) % 10


def parse_cpv(value: str) -> tuple[str, int | None] | None:
    """('45000000', 7) for '45 000 000-7', ('45000000', None) without a digit, None if malformed."""
    compact = "".join(ch for ch in value.strip() if ch not in _SEPARATORS)
    compact = compact.replace("\u2010", "-").replace("\u2011", "-").replace("\u2013", "-")
    match = _CODE_RE.match(compact)
    if match is None:
        return None
    code, digit = match.groups()
    return code, (int(digit) if digit is not None else None)


def cpv_error(value: str, catalogue: "CpvCatalogue") -> str | None:
    """None if `value` is a CPV 2008 code (with or without its digit), else a French explanation.

    The catalogue is required: an 8-digit number with a plausible digit may
    still not be a CPV code, and the published digit is the reference.
    """
    if not value or not value.strip():
        return "Saisissez un code CPV (8 chiffres, par exemple 45000000-7)."
    parsed = parse_cpv(value)
    if parsed is None:
        return (
            f"« {value.strip()} » n'est pas un code CPV : un code CPV compte 8 chiffres, "
            "éventuellement suivis d'un tiret et du chiffre de contrôle (par exemple 45000000-7)."
        )
    code, digit = parsed
    entry = catalogue.get(code)
    if entry is None:
        return f"Le code {code} n'existe pas dans la nomenclature CPV 2008 : vérifiez sa saisie."
    if digit is not None and digit != entry.check_digit:
        return (
            f"Le chiffre de contrôle du code CPV {code} est {entry.check_digit}, pas {digit} : "
            f"le code complet est {entry.full}."
        )
    return None


def fold(text: str) -> str:
    """Lower case without accents or ligatures: 'Denrée' and 'denree' must meet."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """Folded words of a label or query, with a light plural stemming.

    A trailing s or x is dropped from words of more than 3 letters, so that
    'routiers' finds 'routier' and 'denrée' finds 'denrées'; prefix matching
    covers the rest.
    """
    result = []
    for word in re.findall(r"[0-9a-z]+", fold(text)):
        if len(word) > 3 and word[-1] in "sx":
            word = word[:-1]
        result.append(word)
    return result


def _significant(tokens: list[str]) -> list[str]:
    return [token for token in tokens if token not in STOPWORDS]


class CpvCatalogue:
    """The CPV 2008 codes of one reference file, with an in-memory search index."""

    def __init__(self, codes: list[CpvCode]):
        self._codes = sorted(codes, key=lambda entry: entry.code)
        self._by_code = {entry.code: entry for entry in self._codes}
        self._sorted_codes = [entry.code for entry in self._codes]
        self._children: dict[str, list[CpvCode]] = {}
        for entry in self._codes:
            if entry.parent is not None:
                self._children.setdefault(entry.parent, []).append(entry)
        self._build_index()

    @classmethod
    def load(cls, path: str | PathLike[str]) -> "CpvCatalogue":
        """The catalogue of `path`, read and indexed once per process and path.

        The path is the cache key as given, not resolved: resolving costs a system call per
        folder on every call, and lists call this once per page (settings resolve the folder)."""
        return _load(Path(path))

    @classmethod
    def from_csv(cls, path: Path) -> "CpvCatalogue":
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        known = {row["code"] for row in rows}
        codes = []
        for row in rows:
            code = row["code"]
            significant = int(row["significant_digits"])
            codes.append(
                CpvCode(
                    code=code,
                    check_digit=int(row["code_with_check_digit"].rpartition("-")[2]),
                    division=row["division"],
                    significant_digits=significant,
                    label_fr=row["label_fr"],
                    label_en=row["label_en"],
                    parent=_nearest_ancestor(code, significant, known),
                )
            )
        return cls(codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self):
        return iter(self._codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __getitem__(self, code: str) -> CpvCode:
        entry = self.get(code)
        if entry is None:
            raise KeyError(code)
        return entry

    def get(self, code: str) -> CpvCode | None:
        """The entry for '45000000', '45000000-7' or '45 000 000-7' (the digit is not checked)."""
        entry = self._by_code.get(code)
        if entry is not None:
            return entry
        parsed = parse_cpv(code)
        return self._by_code.get(parsed[0]) if parsed else None

    def divisions(self) -> list[tuple[str, str]]:
        """[('03', 'Produits agricoles…'), …, ('45', 'Travaux de construction'), …] for filters."""
        return [(entry.division, entry.label_fr) for entry in self._codes if entry.parent is None]

    def children(self, code: str) -> list[CpvCode]:
        """Direct children, in code order (the tree skips levels when a level has no code)."""
        return list(self._children.get(self[code].code, ()))

    def ancestors(self, code: str) -> list[CpvCode]:
        """From the division down to the parent: the breadcrumb of a picker."""
        chain = []
        entry = self[code]
        while entry.parent is not None:
            entry = self._by_code[entry.parent]
            chain.append(entry)
        return chain[::-1]

    def search(self, query: str, limit: int = 20) -> list[CpvCode]:
        """Codes matching `query`, best first.

        A query of digits is a code or code prefix ('4523', '45233000-9'): the
        code itself first, then its descendants in code order. Otherwise every
        query word must start a word of the French label (accents and case
        ignored); results with fewer words, then shorter labels, come first.
        """
        if limit <= 0:
            return []
        compact = "".join(ch for ch in query.strip() if ch not in _SEPARATORS)
        if compact and re.fullmatch(r"\d{1,8}(-\d)?", compact):
            return self._search_code(compact.partition("-")[0], limit)
        tokens = words(query)
        if not tokens:
            return []
        tokens = _significant(tokens) or tokens
        mask = -1
        for token in dict.fromkeys(tokens):
            mask &= self._prefix_mask(token)
            if not mask:
                return []
        results = []
        while mask and len(results) < limit:
            lowest = mask & -mask
            results.append(self._ranked[lowest.bit_length() - 1])
            mask ^= lowest
        return results

    def _search_code(self, prefix: str, limit: int) -> list[CpvCode]:
        results = []
        padded = prefix.ljust(8, "0")
        exact = self._by_code.get(padded)
        if exact is not None and prefix.startswith(exact.stem):
            # '4523', '45230000' and '45230000-8' all name the class 45230000.
            results.append(exact)
            if len(prefix) == 8:
                # A full code: show what lies under it, as a picker would.
                prefix = exact.stem
        start = bisect_left(self._sorted_codes, prefix)
        for code in self._sorted_codes[start:]:
            if len(results) >= limit or not code.startswith(prefix):
                break
            if exact is None or code != exact.code:
                results.append(self._by_code[code])
        return results

    def _build_index(self) -> None:
        def rank(entry: CpvCode):
            return (len(_significant(words(entry.label_fr))), len(entry.label_fr), entry.code)

        self._ranked = sorted(self._codes, key=rank)
        postings: dict[str, int] = {}
        for bit, entry in enumerate(self._ranked):
            for token in set(words(entry.label_fr)):
                postings[token] = postings.get(token, 0) | (1 << bit)
        self._vocabulary = sorted(postings)
        self._postings = postings
        self._prefix_cache: dict[str, int] = {}

    def _prefix_mask(self, prefix: str) -> int:
        cached = self._prefix_cache.get(prefix)
        if cached is not None:
            return cached
        mask = 0
        for index in range(bisect_left(self._vocabulary, prefix), len(self._vocabulary)):
            token = self._vocabulary[index]
            if not token.startswith(prefix):
                break
            mask |= self._postings[token]
        if len(self._prefix_cache) < 10_000:
            self._prefix_cache[prefix] = mask
        return mask


def _nearest_ancestor(code: str, significant: int, known: set[str]) -> str | None:
    for length in range(significant - 1, 1, -1):
        candidate = code[:length].ljust(8, "0")
        if candidate in known and candidate != code:
            return candidate
    return None


@lru_cache(maxsize=4)
def _load(path: Path) -> CpvCatalogue:
    return CpvCatalogue.from_csv(path)

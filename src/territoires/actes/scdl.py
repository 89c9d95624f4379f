"""Open data of délibérations in the SCDL « Délibérations » 2.1.5 format, and a small validator.

The column list is read from the official Table Schema in
`REFERENCE_DATA_DIR` each time (never copied here), so the export follows the
reference file exactly: names, order, required flags and patterns. The
validator implements only what that schema uses (required, pattern, enum,
lengths, the string/integer/number/date/boolean types, the uri format):
enough to prove in tests that what we publish is what data.gouv.fr's
validators expect, without a new dependency.
"""

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from territoires.actes.models import Acte

SCHEMA_FILE = ("actes", "scdl_deliberations_2.1.5.schema.json")


def scdl_fields(reference_dir: Path | str) -> list[dict]:
    """The schema's fields, in CSV column order."""
    path = Path(reference_dir).joinpath(*SCHEMA_FILE)
    return json.loads(path.read_text(encoding="utf-8"))["fields"]


def matiere_level2(code: str) -> str:
    """"7.1.2" → "7.1": SCDL wants the level-2 ACTES matière."""
    return ".".join(code.split(".")[:2])


def matiere_nom(labels: dict[str, str], code: str) -> str:
    """Level-1 then level-2 label, lower case, without commas or parentheses, joined by "/".

    The schema's own description of DELIB_MATIERE_NOM; accents are kept.
    """
    parts = code.split(".")
    names = [labels.get(parts[0], ""), labels.get(".".join(parts[:2]), "")]
    cleaned = [" ".join(re.sub(r"[,()]", " ", name).lower().split()) for name in names]
    return "/".join(cleaned)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def deliberation_rows(queryset: Iterable[Acte]) -> list[dict]:
    """One SCDL row (field name → cell text) per délibération of `queryset`.

    DELIB_URL points at the published PDF on the public register, absolute
    (`PUBLIC_URL`), since open-data portals show it outside our site.
    """
    rows = []
    labels_by_classification: dict[int, dict[str, str]] = {}
    for acte in queryset:
        labels = labels_by_classification.get(acte.classification_id)
        if labels is None:
            labels = {m["code"]: m["label"] for m in acte.classification.data["matieres"]}
            labels_by_classification[acte.classification_id] = labels
        pdf_path = reverse("actes_public:pdf", args=[acte.body.siren, acte.pk])
        rows.append({
            "COLL_NOM": acte.body.name,
            "COLL_SIRET": acte.body.siret,
            "DELIB_ID": acte.numero_interne,
            "DELIB_DATE": _text(acte.decision_date),
            "DELIB_MATIERE_CODE": matiere_level2(acte.matiere_code),
            "DELIB_MATIERE_NOM": matiere_nom(labels, acte.matiere_code),
            "DELIB_OBJET": acte.objet,
            "BUDGET_ANNEE": "",
            "BUDGET_NOM": "",
            "PREF_ID": "",
            "PREF_DATE": _text(acte.received_on),
            "VOTE_EFFECTIF": _text(acte.vote_effectif),
            "VOTE_REEL": _text(acte.vote_reel),
            "VOTE_POUR": _text(acte.vote_pour),
            "VOTE_CONTRE": _text(acte.vote_contre),
            "VOTE_ABSTENTION": _text(acte.vote_abstention),
            "DELIB_URL": settings.PUBLIC_URL.rstrip("/") + pdf_path,
        })
    return rows


def rows_csv(rows: list[dict], fields: list[dict]) -> str:
    """UTF-8 text, comma separated, header row of the schema's names in its order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f["name"] for f in fields], extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# -- validation ---------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOOLEAN = {"true", "false", "True", "False", "TRUE", "FALSE", "1", "0"}


def _type_problem(value: str, field: dict) -> str | None:
    kind = field.get("type", "string")
    if kind == "string":
        if field.get("format") == "uri":
            parts = urlsplit(value)
            if not (parts.scheme and parts.netloc):
                return _("n'est pas une adresse web complète")
        return None
    if kind == "integer":
        return None if _INTEGER.fullmatch(value) else _("n'est pas un nombre entier")
    if kind == "number":
        return None if _NUMBER.fullmatch(value) else _("n'est pas un nombre")
    if kind == "boolean":
        return None if value in _BOOLEAN else _("n'est pas un booléen")
    if kind == "date":
        if not _DATE.fullmatch(value):
            return _("n'est pas une date AAAA-MM-JJ")
        try:
            date.fromisoformat(value)
        except ValueError:
            return _("n'est pas une date qui existe")
        return None
    # A schema using a type we do not check must fail loudly, not pass silently.
    raise ValueError(f"Table Schema type not supported by this validator: {kind}")


def _value_problems(value: str, field: dict) -> list[str]:
    """What is wrong with a non-empty cell."""
    constraints = field.get("constraints", {})
    problems = []
    if problem := _type_problem(value, field):
        problems.append(problem)
    # Table Schema patterns are XML Schema regexes: implicitly anchored at both ends.
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
        problems.append(_("ne respecte pas le motif %(p)s") % {"p": constraints["pattern"]})
    if "enum" in constraints and value not in [str(v) for v in constraints["enum"]]:
        problems.append(_("n'est pas une valeur autorisée"))
    if "minLength" in constraints and len(value) < constraints["minLength"]:
        problems.append(_("est trop courte"))
    if "maxLength" in constraints and len(value) > constraints["maxLength"]:
        problems.append(_("est trop longue"))
    return problems


def rows_problems(rows: list[dict], fields: list[dict]) -> list[str]:
    """Every way `rows` break the Table Schema `fields`, in French; empty when valid.

    Cells are checked as the CSV will carry them (text). Row numbers count
    the header as line 1, as a spreadsheet or a CSV validator would show them.
    """
    names = [f["name"] for f in fields]
    problems = []
    for line, row in enumerate(rows, start=2):
        if missing := [n for n in names if n not in row]:
            problems.append(_("Ligne %(line)d : colonnes absentes : %(cols)s")
                            % {"line": line, "cols": ", ".join(missing)})
        if extra := [n for n in row if n not in names]:
            problems.append(_("Ligne %(line)d : colonnes inconnues du schéma : %(cols)s")
                            % {"line": line, "cols": ", ".join(extra)})
        for field in fields:
            value = row.get(field["name"], "")
            value = "" if value is None else str(value)
            if value == "":
                if field.get("constraints", {}).get("required"):
                    problems.append(_("Ligne %(line)d, %(col)s : valeur obligatoire manquante")
                                    % {"line": line, "col": field["name"]})
                continue
            for problem in _value_problems(value, field):
                problems.append(_("Ligne %(line)d, %(col)s : « %(value)s » %(problem)s")
                                % {"line": line, "col": field["name"], "value": value, "problem": problem})
    return problems

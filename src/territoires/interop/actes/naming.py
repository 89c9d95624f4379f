"""Identifiers and file names of the ACTES protocol, and checks of user input.

The ministry matches messages to acts by name: the IDActe in attributes, the
"{IDActe}-{type}-{subtype}_{n}" file names inside archives, the archive and
envelope names. One module builds them all so that they cannot drift apart.
Functions ending in `_error` return None or a French sentence for the user.
"""

import re
from dataclasses import dataclass
from datetime import date

from territoires.interop.actes.codes import BY_CODE, NATURES_BY_ABBR

DEPARTEMENT_RE = re.compile(r"^[09][0-9][AB0-9]$")
NUMERO_INTERNE_RE = re.compile(r"^[A-Z0-9_]{1,15}$")
ID_ACTE_RE = re.compile(
    r"^(?P<departement>[09][0-9][AB0-9])-(?P<siren>[0-9]{9})-(?P<date>[0-9]{8})-"
    r"(?P<numero>[a-zA-Z0-9_]{1,15})-(?P<abbr>[A-Z]{2})$"
)
TRIGRAM_RE = re.compile(r"^[A-Z0-9]{3}$")
TYPOLOGY_RE = re.compile(r"^[0-9]{2}_[A-Z0-9]{2}$")
FILE_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")
OBJET_MAX = 500


def departement_error(value: str) -> str | None:
    """None if `value` is a département code ACTES accepts ("21", "021", "2A", "971")."""
    if not isinstance(value, str) or not value.strip() or not DEPARTEMENT_RE.match(_pad(value)):
        return (f"Code département invalide : « {value} ». Attendu 2 ou 3 caractères, "
                "par exemple 21, 2A ou 971.")
    return None


def _pad(value: str) -> str:
    value = value.strip().upper()
    return value.zfill(3) if len(value) < 3 else value


def pad_departement(value: str) -> str:
    """Three characters as the XSD wants them: "21" → "021", "2A" → "02A", "971" → "971"."""
    error = departement_error(value)
    if error:
        raise ValueError(error)
    return _pad(value)


def arrondissement_error(value: int | str) -> str | None:
    if str(value).strip() not in {str(n) for n in range(10)}:
        return f"Arrondissement invalide : « {value} ». Attendu un chiffre de 0 à 9."
    return None


def siren_format_error(value: str) -> str | None:
    """Format only (9 digits): the ACTES test platform uses SIRENs without a valid key."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{9}", value):
        return f"SIREN invalide : « {value} ». Un SIREN compte exactement 9 chiffres."
    return None


def numero_interne_error(value: str) -> str | None:
    """None if `value` can be a NumeroInterne: capital letters, digits and _, 15 at most.

    The XSD accepts lower case too, but STELA refuses it and Pastell upper-cases
    it; accepting only what every tool accepts avoids a late anomaly.
    """
    if not value:
        return "Le numéro interne de l'acte est obligatoire."
    if len(value) > 15:
        return f"Le numéro interne « {value} » dépasse 15 caractères ({len(value)})."
    if not NUMERO_INTERNE_RE.match(value):
        return (f"Le numéro interne « {value} » ne peut contenir que des lettres majuscules "
                "sans accent, des chiffres et le caractère _ (pas d'espace, de tiret ni de barre).")
    return None


def objet_error(value: str) -> str | None:
    if not value or not value.strip():
        return "L'objet de l'acte est obligatoire."
    if len(value) > OBJET_MAX:
        return f"L'objet de l'acte dépasse {OBJET_MAX} caractères ({len(value)})."
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        return "L'objet de l'acte contient un caractère de contrôle invisible : retapez-le."
    return None


def matiere_codes_error(codes: tuple[int, ...] | list[int]) -> str | None:
    """The schema requires CodeMatiere1 and CodeMatiere2: level 1 alone is refused."""
    if len(codes) < 2:
        return ("Choisissez une matière de niveau 2 au moins (par exemple 7.1) : "
                "une matière de niveau 1 seule est refusée par @CTES.")
    if len(codes) > 5:
        return "La classification ACTES compte 5 niveaux de matière au plus."
    if any(not isinstance(c, int) or c < 0 for c in codes):
        return "Les codes de matière sont des nombres entiers positifs."
    return None


def typology_error(value: str) -> str | None:
    if not TYPOLOGY_RE.match(value or ""):
        return f"Code de typologie invalide : « {value} ». Attendu par exemple 99_DE ou 11_AE."
    return None


def _check(error: str | None) -> None:
    if error:
        raise ValueError(error)


def _day(value: date) -> str:
    # Calendar year (%Y), never the ISO week year: STELA's YYYY pitfall.
    return value.strftime("%Y%m%d")


def id_acte(departement: str, siren: str, decision_date: date, numero_interne: str,
            nature_abbr: str) -> str:
    """IDActe "{dept}-{SIREN}-{AAAAMMJJ}-{NumeroInterne}-{TypeAbrege}", e.g. 034-491011698-20171207-CL20171227_06-DE."""
    _check(siren_format_error(siren))
    _check(numero_interne_error(numero_interne))
    if nature_abbr not in NATURES_BY_ABBR:
        raise ValueError(f"Nature d'acte inconnue : « {nature_abbr} » (attendu DE, AR, AI, CC, BF ou AU).")
    return f"{pad_departement(departement)}-{siren}-{_day(decision_date)}-{numero_interne}-{nature_abbr}"


@dataclass(frozen=True)
class IdActe:
    departement: str
    siren: str
    decision_date: date | None
    numero_interne: str
    nature_abbr: str


def parse_id_acte(value: str) -> IdActe | None:
    """Split an IDActe into its parts; None if it does not have the ACTES shape."""
    match = ID_ACTE_RE.match(value or "")
    if not match:
        return None
    raw = match["date"]
    try:
        decided = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        decided = None
    return IdActe(match["departement"], match["siren"], decided, match["numero"], match["abbr"])


def _quad(test: bool) -> str:
    return "TACT" if test else "EACT"


def _counter(counter: int) -> int:
    if not isinstance(counter, int) or counter < 1:
        raise ValueError("Le compteur journalier commence à 1.")
    return counter


def archive_name(trigram: str, siren: str, day: date, counter: int, test: bool = False) -> str:
    """Archive name "SLO-EACT--214502494--20170717-5.tar.gz": operator, SIREN, day, daily counter."""
    if not TRIGRAM_RE.match(trigram or ""):
        raise ValueError(f"Trigramme d'opérateur invalide : « {trigram} » (3 lettres attribuées par la DGCL).")
    _check(siren_format_error(siren))
    return f"{trigram}-{_quad(test)}--{siren}--{_day(day)}-{_counter(counter)}.tar.gz"


def envelope_name(siren: str, day: date, counter: int, test: bool = False) -> str:
    """Outgoing envelope "EACT--214502494--20170717-5.xml" (same counter as the archive)."""
    _check(siren_format_error(siren))
    return f"{_quad(test)}--{siren}--{_day(day)}-{_counter(counter)}.xml"


def prefecture_envelope_name(departement: str, arrondissement: int | str, siren: str, day: date,
                             counter: int, test: bool = False) -> str:
    """Incoming envelope "EACT--SPREF0441-214400152-20181012-9.xml" (single dashes here)."""
    _check(arrondissement_error(arrondissement))
    _check(siren_format_error(siren))
    dept = pad_departement(departement)
    return f"{_quad(test)}--SPREF{dept}{arrondissement}-{siren}-{_day(day)}-{_counter(counter)}.xml"


def anomaly_envelope_name(envelope_file_name: str) -> str:
    """The préfecture answers a refused envelope with "ANO_" + the envelope's name."""
    return f"ANO_{envelope_file_name}"


def classification_stem(departement: str, siren: str) -> str:
    """Stem of 7-x messages, which concern no act: "044-214400152---"."""
    _check(siren_format_error(siren))
    return f"{pad_departement(departement)}-{siren}---"


def message_file_name(stem: str, code: str, index: int, extension: str,
                      typology: str | None = None) -> str:
    """File name "{typology}-{stem}-{type}-{subtype}_{index}.{ext}".

    Index 0 is the XML message itself, 1 the main document, 2… the annexes.
    The typology prefix (CodeTypePJ) only goes on attached files.
    """
    if code not in BY_CODE:
        raise ValueError(f"Type de message ACTES inconnu : « {code} ».")
    if not isinstance(index, int) or index < 0:
        raise ValueError("L'indice d'un fichier est un entier positif ou nul.")
    extension = extension.lstrip(".")
    if not re.fullmatch(r"[A-Za-z0-9]{1,10}", extension):
        raise ValueError(f"Extension de fichier invalide : « {extension} ».")
    name = f"{stem}-{code}_{index}.{extension}"
    if typology:
        if index == 0:
            raise ValueError("Le message XML (indice 0) ne porte pas de typologie.")
        _check(typology_error(typology))
        name = f"{typology}-{name}"
    return name


def file_name_error(value: str) -> str | None:
    """Names inside an archive: ASCII letters, digits, "_", "-" and "." only."""
    if not value or not FILE_NAME_RE.match(value) or value in {".", ".."}:
        return (f"Nom de fichier refusé : « {value} ». Seuls les lettres sans accent, les chiffres, "
                "« _ », « - » et « . » sont permis.")
    return None

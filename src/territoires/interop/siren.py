"""SIREN and SIRET: format and Luhn checks (INSEE rules).

La Poste's establishments are the documented exception: their SIRETs start
with SIREN 356000000 and are checked by digit sum modulo 5 instead of Luhn.
"""

LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siren_error(value: str) -> str | None:
    """None if `value` is a valid SIREN, else a French explanation."""
    if len(value) != 9 or not value.isdigit():
        return "Un SIREN compte exactement 9 chiffres."
    if not luhn_valid(value):
        return "Ce SIREN n'est pas valide (clé de contrôle incorrecte) : vérifiez sa saisie."
    return None


def siret_error(value: str) -> str | None:
    """None if `value` is a valid SIRET, else a French explanation."""
    if len(value) != 14 or not value.isdigit():
        return "Un SIRET compte exactement 14 chiffres."
    if value.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in value) % 5 != 0:
            return "Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez sa saisie."
        return None
    if siren_error(value[:9]) is not None:
        return "Le SIREN contenu dans ce SIRET n'est pas valide : vérifiez sa saisie."
    if not luhn_valid(value):
        return "Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez sa saisie."
    return None


def normalize(value: str) -> str:
    """Strip the spaces and dots people type in identifiers."""
    return "".join(ch for ch in value if ch not in " .\u00a0\u202f")


def first_valid_siret(siren: str) -> str:
    """A plausible head-office SIRET for demo and test data: the first NIC from 00011 on
    that passes the Luhn check (real SIRETs come from SIRENE, never from here)."""
    return next(f"{siren}{nic:05d}" for nic in range(11, 1000) if luhn_valid(f"{siren}{nic:05d}"))

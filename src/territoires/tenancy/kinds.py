"""Kinds of member bodies and the ACTES `IDCL@Nature` code each carries.

Codes come from S²LOW's authority types (libriciel/s2low db/init_data.sql).
Métropoles have no code of their own there; they are sent as 45, the code of
communautés urbaines from which they derive (to confirm with the prefecture).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("EPCI à fiscalité propre")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    SYNDICAT = "syndicat", _("Syndicat")
    SDIS = "sdis", _("SDIS")
    CCAS = "ccas", _("CCAS / CIAS")
    ETABLISSEMENT_PUBLIC = "etablissement_public", _("Établissement public")
    ASSOCIATION = "association", _("Association chargée d'une mission de service public")
    OTHER = "other", _("Autre")


class EpciForm(models.TextChoices):
    CC = "cc", _("Communauté de communes")
    CA = "ca", _("Communauté d'agglomération")
    CU = "cu", _("Communauté urbaine")
    METROPOLE = "metropole", _("Métropole")


ACTES_NATURE_BY_KIND: dict[str, str] = {
    BodyKind.COMMUNE: "31",
    BodyKind.DEPARTEMENT: "21",
    BodyKind.REGION: "11",
    BodyKind.SYNDICAT: "41",
    BodyKind.SDIS: "51",
    BodyKind.CCAS: "33",
    BodyKind.ETABLISSEMENT_PUBLIC: "33",
    BodyKind.ASSOCIATION: "71",
    BodyKind.OTHER: "71",
}
ACTES_NATURE_BY_EPCI_FORM: dict[str, str] = {
    EpciForm.CC: "44",
    EpciForm.CA: "46",
    EpciForm.CU: "45",
    EpciForm.METROPOLE: "45",
}


def actes_nature_code(kind: str, epci_form: str = "") -> str:
    if kind == BodyKind.EPCI:
        return ACTES_NATURE_BY_EPCI_FORM.get(epci_form, "44")
    return ACTES_NATURE_BY_KIND[kind]

"""DECP v2 records as frozen dataclasses, with the schema's code lists as enums.

Attribute names are English (house style); each one documents the DECP key
it becomes in `export.py`. Enum *values* are the exact strings of
`schema_decp_v2.0.3.json`, so a member can be written out as is: a typo in a
French label then fails at import time rather than at data.gouv.fr.

Amounts and rates are `Decimal` (what the forms and the database hold), dates
are `datetime.date`: DECP only knows calendar days (AAAA-MM-JJ).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Nature(StrEnum):
    """`nature` of a marché."""

    MARCHE = "Marché"
    PARTENARIAT = "Marché de partenariat"
    DEFENSE_SECURITE = "Marché de défense ou de sécurité"


class Procedure(StrEnum):
    """`procedure` of a marché."""

    ADAPTEE = "Procédure adaptée"
    APPEL_OFFRES_OUVERT = "Appel d'offres ouvert"
    APPEL_OFFRES_RESTREINT = "Appel d'offres restreint"
    NEGOCIATION = "Procédure avec négociation"
    SANS_PUBLICITE = "Marché passé sans publicité ni mise en concurrence préalable"
    DIALOGUE_COMPETITIF = "Dialogue compétitif"


class Technique(StrEnum):
    """Items of `techniques.technique`."""

    ACCORD_CADRE = "Accord-cadre"
    CONCOURS = "Concours"
    SYSTEME_QUALIFICATION = "Système de qualification"
    SAD = "Système d'acquisition dynamique"
    CATALOGUE = "Catalogue électronique"
    ENCHERE = "Enchère électronique"
    SANS_OBJET = "Sans objet"


class ExecutionMethod(StrEnum):
    """Items of `modalitesExecution.modaliteExecution`."""

    TRANCHES = "Tranches"
    BONS_DE_COMMANDE = "Bons de commande"
    MARCHES_SUBSEQUENTS = "Marchés subséquents"
    SANS_OBJET = "Sans objet"


class PlaceCodeType(StrEnum):
    """`lieuExecution.typeCode`; INSEE codes are preferred to postal codes."""

    CODE_POSTAL = "Code postal"
    COMMUNE = "Code commune"
    ARRONDISSEMENT = "Code arrondissement"
    CANTON = "Code canton"
    DEPARTEMENT = "Code département"
    REGION = "Code région"
    PAYS = "Code pays"


class Ccag(StrEnum):
    """`ccag` (the apostrophe of the TIC label is a straight one in the schema)."""

    TRAVAUX = "Travaux"
    MAITRISE_OEUVRE = "Maitrise d'œuvre"
    FCS = "Fournitures courantes et services"
    MARCHES_INDUSTRIELS = "Marchés industriels"
    PRESTATIONS_INTELLECTUELLES = "Prestations intellectuelles"
    TIC = "Techniques de l'information et de la communication"
    AUCUN = "Pas de CCAG"


class PriceForm(StrEnum):
    """`formePrix`."""

    UNITAIRE = "Unitaire"
    FORFAITAIRE = "Forfaitaire"
    MIXTE = "Mixte"


class PriceType(StrEnum):
    """Items of `typesPrix.typePrix`."""

    FERME = "Définitif ferme"
    ACTUALISABLE = "Définitif actualisable"
    REVISABLE = "Définitif révisable"
    PROVISOIRE = "Provisoire"


class PriceVariation(StrEnum):
    """`variationPrix` of an acte spécial de sous-traitance."""

    FERME = "Ferme"
    ACTUALISABLE = "Actualisable"
    REVISABLE = "Révisable"


class Grouping(StrEnum):
    """`typeGroupementOperateurs`."""

    CONJOINT = "Conjoint"
    SOLIDAIRE = "Solidaire"
    AUCUN = "Pas de groupement"


class SocialConsideration(StrEnum):
    """Items of `considerationsSociales.considerationSociale` (marché)."""

    CLAUSE = "Clause sociale"
    CRITERE = "Critère social"
    MARCHE_RESERVE = "Marché réservé"
    AUCUNE = "Pas de considération sociale"


class ConcessionSocialConsideration(StrEnum):
    """Same list for concessions: « Concession réservée » replaces « Marché réservé »."""

    CLAUSE = "Clause sociale"
    CRITERE = "Critère social"
    CONCESSION_RESERVEE = "Concession réservée"
    AUCUNE = "Pas de considération sociale"


class EnvironmentalConsideration(StrEnum):
    """Items of `considerationsEnvironnementales.considerationEnvironnementale`."""

    CLAUSE = "Clause environnementale"
    CRITERE = "Critère environnemental"
    AUCUNE = "Pas de considération environnementale"


class IdentifierType(StrEnum):
    """`typeIdentifiant` of a titulaire, sous-traitant or concessionnaire."""

    SIRET = "SIRET"
    TVA = "TVA"
    TAHITI = "TAHITI"
    RIDET = "RIDET"
    FRWF = "FRWF"
    IREP = "IREP"
    HORS_UE = "HORS-UE"


class ConcessionNature(StrEnum):
    """`nature` of a contrat de concession."""

    TRAVAUX = "Concession de travaux"
    SERVICE = "Concession de service"
    SERVICE_PUBLIC = "Concession de service public"
    DSP = "Délégation de service public"


class ConcessionProcedure(StrEnum):
    """`procedure` of a contrat de concession."""

    NEGOCIEE_OUVERTE = "Procédure négociée ouverte"
    NON_NEGOCIEE_OUVERTE = "Procédure non négociée ouverte"
    NEGOCIEE_RESTREINTE = "Procédure négociée restreinte"
    NON_NEGOCIEE_RESTREINTE = "Procédure non négociée restreinte"


@dataclass(frozen=True)
class Operator:
    """A titulaire, sous-traitant or concessionnaire: `{typeIdentifiant, id}`.

    SIRET is the preferred identifier; the other types cover foreign firms
    and the overseas registries (Polynésie, Nouvelle-Calédonie, Wallis).
    """

    id: str
    id_type: IdentifierType = IdentifierType.SIRET


@dataclass(frozen=True)
class Place:
    """`lieuExecution`: main place of performance, e.g. ("21054", COMMUNE)."""

    code: str
    code_type: PlaceCodeType


@dataclass(frozen=True)
class Modification:
    """One entry of `modifications[].modification` of a marché.

    Only the values that changed are given; the initial data are never
    rewritten, which is why the new values live here.
    """

    id: int  # id: >= 1, increasing in notification order
    notified_on: date  # dateNotificationModification
    published_on: date  # datePublicationDonneesModification
    duration_months: int | None = None  # dureeMois
    amount: Decimal | None = None  # montant
    holders: tuple[Operator, ...] = ()  # titulaires (the full list after the change)


@dataclass(frozen=True)
class Subcontract:
    """`actesSousTraitance[].acteSousTraitance`: one acte spécial de sous-traitance."""

    id: int  # >= 1, increasing in notification order
    subcontractor: Operator  # sousTraitant
    duration_months: int  # dureeMois
    notified_on: date  # dateNotification
    published_on: date  # datePublicationDonnees
    amount: Decimal  # montant
    price_variation: PriceVariation  # variationPrix


@dataclass(frozen=True)
class SubcontractModification:
    """`modificationsActesSousTraitance[].modificationActeSousTraitance`.

    `id` is the id of the modified acte, not a sequence of its own.
    """

    id: int
    notified_on: date  # dateNotificationModificationSousTraitance
    published_on: date  # datePublicationDonnees
    duration_months: int | None = None  # dureeMois
    amount: Decimal | None = None  # montant


@dataclass(frozen=True)
class Marche:
    """Essential data of one marché public (or one lot), as notified."""

    id: str  # id: buyer's own number, 1 to 16 characters
    buyer_siret: str  # acheteur.id
    nature: Nature
    subject: str  # objet, max 1000 characters
    cpv: str  # codeCPV, 8 digits, check digit optional ("45000000" or "45000000-7")
    procedure: Procedure
    place: Place  # lieuExecution
    duration_months: int  # dureeMois, rounded up, tranches and renewals included
    notified_on: date  # dateNotification
    published_on: date  # datePublicationDonnees (first publication, never updated)
    amount: Decimal  # montant HT (flat or estimated maximum)
    price_form: PriceForm  # formePrix
    price_types: tuple[PriceType, ...]  # typesPrix.typePrix
    holders: tuple[Operator, ...]  # titulaires
    grouping: Grouping  # typeGroupementOperateurs
    offers_received: int  # offresRecues, irregular offers included
    ccag: Ccag
    techniques: tuple[Technique, ...] = (Technique.SANS_OBJET,)
    execution_methods: tuple[ExecutionMethod, ...] = (ExecutionMethod.SANS_OBJET,)
    social_considerations: tuple[SocialConsideration, ...] = (SocialConsideration.AUCUNE,)
    environmental_considerations: tuple[EnvironmentalConsideration, ...] = (
        EnvironmentalConsideration.AUCUNE,
    )
    innovative: bool = False  # marcheInnovant
    advance_granted: bool = False  # attributionAvance
    advance_rate: Decimal | None = None  # tauxAvance, 0.3 = 30 %
    subcontracting_declared: bool = False  # sousTraitanceDeclaree
    framework_id: str | None = None  # idAccordCadre (marché subséquent)
    origin_eu: Decimal | None = None  # origineUE, None when not concerned
    origin_france: Decimal | None = None  # origineFrance, None when not concerned
    subcontracts: tuple[Subcontract, ...] = ()  # actesSousTraitance
    subcontract_modifications: tuple[SubcontractModification, ...] = ()
    modifications: tuple[Modification, ...] = ()


@dataclass(frozen=True)
class ConcessionModification:
    """`modifications[].modification` of a contrat de concession."""

    id: int
    signed_on: date  # dateSignatureModification
    published_on: date  # datePublicationDonneesModification
    duration_months: int | None = None  # dureeMois
    total_value: Decimal | None = None  # valeurGlobale


@dataclass(frozen=True)
class Tariff:
    """`tarifs[].tarif`: a main price paid by users (HT)."""

    label: str  # intituleTarif, max 256 characters
    amount: Decimal  # tarif


@dataclass(frozen=True)
class ExecutionData:
    """`donneesExecution[].donneesAnnuelles`: yearly execution data.

    Absent from the first publication; added every year until the end.
    """

    published_on: date  # datePublicationDonneesExecution
    investment: Decimal  # depensesInvestissement
    tariffs: tuple[Tariff, ...]  # tarifs, at least one


@dataclass(frozen=True)
class ContratConcession:
    """Essential data of one contrat de concession."""

    id: str  # 1 to 16 characters
    authority_siret: str  # autoriteConcedante.id
    nature: ConcessionNature
    subject: str  # objet
    procedure: ConcessionProcedure
    duration_months: int  # dureeMois
    signed_on: date  # dateSignature
    execution_start: date  # dateDebutExecution
    published_on: date  # datePublicationDonnees
    total_value: Decimal  # valeurGlobale HT
    public_subsidy: Decimal  # montantSubventionPublique, 0 if none
    concessionaires: tuple[Operator, ...]  # concessionnaires
    social_considerations: tuple[ConcessionSocialConsideration, ...] = (
        ConcessionSocialConsideration.AUCUNE,
    )
    environmental_considerations: tuple[EnvironmentalConsideration, ...] = (
        EnvironmentalConsideration.AUCUNE,
    )
    modifications: tuple[ConcessionModification, ...] = ()
    execution_data: tuple[ExecutionData, ...] = ()  # donneesExecution

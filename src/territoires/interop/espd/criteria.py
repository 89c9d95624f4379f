"""The ESPD criteria a DUME of the simplified candidature answers, with their property trees.

Criterion identifiers and type codes are the official ones of ESPD-EDM v4.1.0:
`cbc:ID` is the criterion UUID of the EU criteria taxonomy (unchanged since
ESPD-EDM v2), `cbc:CriterionTypeCode` the code of the EU "criterion" list
(`reference/marches/espd/codelists/Criterion.gc`, version 20240612-0, which
also gives the French names used here). Property and group identifiers follow
the v4 path scheme of the official samples (`C1_EG_crime-org/QG1/Q1`…).

Each tree is reduced to the groups and questions a DUME of the simplified
candidature uses (the answer, its details, the self-cleaning or regularisation
measures), not the full taxonomy (evidence groups, sub-criteria, legislation
are left out): the XSD accepts it, and a buyer's tool reads the answers by the
same property identifiers. The question labels are ours, in French.

The "all selection criteria satisfied" global indicator (α of part IV,
widely used in France) has no entry in the v4.1.0 criterion list: it is
written with its historical taxonomy UUID and the ESPD 2.1.1 type code, which
is how French DUME tools recognise it.
"""

from dataclasses import dataclass

SCHEME_VERSION = "4.1.0"
CRITERION_LIST_ID = "http://publications.europa.eu/resource/authority/criterion"
CRITERION_LIST_VERSION = "20240612-0"

# Types of property (criterion-element-type) and of expected answer (response-data-type).
QUESTION = "QUESTION"
REQUIREMENT = "REQUIREMENT"
INDICATOR = "INDICATOR"
DESCRIPTION = "DESCRIPTION"
DATE = "DATE"
PERIOD = "PERIOD"
AMOUNT = "AMOUNT"


@dataclass(frozen=True)
class Prop:
    suffix: str
    label: str
    data_type: str
    kind: str = QUESTION


@dataclass(frozen=True)
class Group:
    suffix: str
    type_code: str  # property-group-type: ON*, ONTRUE, ONFALSE
    props: tuple[Prop, ...]
    subgroups: tuple["Group", ...] = ()


@dataclass(frozen=True)
class Shape:
    """A property tree and where its answers go (paths relative to the criterion prefix)."""

    groups: tuple[Group, ...]
    answer: str  # the yes/no question
    detail: str | None = None  # where the description of a "yes" goes
    measures: str | None = None  # yes/no: measures taken (self-cleaning, payment)
    measures_text: str | None = None


@dataclass(frozen=True)
class Criterion:
    number: int  # C1…C29 of the taxonomy
    code: str  # EU criterion list code
    uuid: str
    name: str  # French label of the EU criterion list
    question: str  # French question shown to the operator
    section: str  # EG (exclusion ground) or SC (selection criterion)
    shape: Shape
    id_prefix: str | None = None  # when the criterion is not in the v4 path scheme

    @property
    def prefix(self) -> str:
        return self.id_prefix or f"C{self.number}_{self.section}_{self.code}"


_ANSWER = Prop("Q1", "Votre réponse", INDICATOR)
_DESCRIBE = Prop("Q1", "Veuillez les décrire", DESCRIPTION)


def _self_cleaning(suffix: str, on: str = "ON*") -> Group:
    return Group(suffix, on, (Prop("Q1", "Avez-vous pris des mesures pour démontrer votre fiabilité "
                                         "(« mesures d'auto-apurement ») ?", INDICATOR),),
                 (Group("QSG1", "ONTRUE", (_DESCRIBE,)),))


CONVICTION = Shape(
    groups=(Group("QG1", "ON*", (_ANSWER,), (
        Group("QSG1", "ONTRUE", (
            Prop("Q1", "Date de la condamnation", DATE),
            Prop("Q2", "Motif", DESCRIPTION),
            Prop("Q3", "Personne condamnée", DESCRIPTION),
            Prop("Q4", "Durée de la période d'exclusion", PERIOD),
        ), (_self_cleaning("QSG1"),)),
    )),),
    answer="QG1/Q1", detail="QG1/QSG1/Q2", measures="QG1/QSG1/QSG1/Q1",
    measures_text="QG1/QSG1/QSG1/QSG1/Q1",
)

PAYMENT = Shape(
    groups=(Group("RG1", "ON*", (Prop("RQ1/R1", "Seuil minimal", "MINIMUM_AMOUNT", REQUIREMENT),), (
        Group("QSG1", "ON*", (_ANSWER,), (
            Group("QSG1", "ONTRUE", (
                Prop("Q1", "Pays ou État membre concerné", "CODE_COUNTRY"),
                Prop("Q2", "Montant concerné", AMOUNT),
            ), (
                Group("QSG1", "ON*", (Prop("Q1", "Ce manquement a-t-il été établi par d'autres moyens "
                                                  "qu'une décision judiciaire ou administrative ?",
                                           INDICATOR),), (
                    Group("QSG1", "ONTRUE", (Prop("Q1", "Veuillez préciser ces moyens", DESCRIPTION),)),
                    Group("QSG2", "ONFALSE", (Prop("Q1", "Cette décision est-elle définitive et "
                                                         "contraignante ?", INDICATOR),)),
                    Group("QSG3", "ON*", (Prop("Q1", "L'opérateur a-t-il rempli ses obligations en payant "
                                                     "ou en concluant un accord contraignant en vue de "
                                                     "payer ?", INDICATOR),),
                          (Group("QSG1", "ONTRUE", (_DESCRIBE,)),)),
                )),
            )),
        )),
    )),),
    answer="RG1/QSG1/Q1", measures="RG1/QSG1/QSG1/QSG1/QSG3/Q1",
    measures_text="RG1/QSG1/QSG1/QSG1/QSG3/QSG1/Q1",
)

LAW = Shape(
    groups=(Group("QG1", "ON*", (_ANSWER,), (_self_cleaning("QSG1", "ONTRUE"),)),),
    answer="QG1/Q1", measures="QG1/QSG1/Q1", measures_text="QG1/QSG1/QSG1/Q1",
)

BUSINESS = Shape(
    groups=(Group("QG1", "ON*", (_ANSWER,), (
        Group("QSG1", "ONTRUE", (
            Prop("Q1", "Veuillez préciser", DESCRIPTION),
            Prop("Q2", "Raisons pour lesquelles l'opérateur est néanmoins en mesure d'exécuter le marché",
                 DESCRIPTION),
        )),
    )),),
    answer="QG1/Q1", detail="QG1/QSG1/Q1",
)

MISCONDUCT = Shape(
    groups=(Group("QG1", "ON*", (_ANSWER,), (
        Group("QSG1", "ONTRUE", (Prop("Q1", "Veuillez préciser", DESCRIPTION),), (_self_cleaning("QSG1"),)),
    )),),
    answer="QG1/Q1", detail="QG1/QSG1/Q1", measures="QG1/QSG1/QSG1/Q1",
    measures_text="QG1/QSG1/QSG1/QSG1/Q1",
)

CONFLICT = Shape(
    groups=(Group("QG1", "ON*", (_ANSWER,), (
        Group("QSG1", "ONTRUE", (Prop("Q1", "Veuillez préciser", DESCRIPTION),)),
    )),),
    answer="QG1/Q1", detail="QG1/QSG1/Q1",
)

_CONVICTED = ("L'opérateur économique, ou une personne membre de son organe d'administration, de "
              "direction ou de surveillance ou y détenant un pouvoir de représentation, de décision ou "
              "de contrôle, a-t-il été condamné par un jugement définitif, prononcé il y a moins de cinq "
              "ans ou fixant une période d'exclusion encore applicable, pour ")

EXCLUSION_GROUNDS: tuple[Criterion, ...] = (
    Criterion(1, "crime-org", "005eb9ed-1347-4ca3-bb29-9bc0db64e1ab",
              "Participation à une organisation criminelle",
              _CONVICTED + "participation à une organisation criminelle ?", "EG", CONVICTION),
    Criterion(2, "corruption", "c27b7c4e-c837-4529-b867-ed55ce639db5", "Corruption",
              _CONVICTED + "corruption ?", "EG", CONVICTION),
    Criterion(3, "fraud", "297d2323-3ede-424e-94bc-a91561e6f320", "Fraude",
              _CONVICTED + "fraude ?", "EG", CONVICTION),
    Criterion(4, "terr-offence", "d486fb70-86b3-4e75-97f2-0d71b5697c7d",
              "Infractions terroristes ou infractions liées aux activités terroristes",
              _CONVICTED + "infraction terroriste ou liée aux activités terroristes ?", "EG", CONVICTION),
    Criterion(5, "finan-laund", "47112079-6fec-47a3-988f-e561668c3aef",
              "Blanchiment de capitaux ou financement du terrorisme",
              _CONVICTED + "blanchiment de capitaux ou financement du terrorisme ?", "EG", CONVICTION),
    Criterion(6, "human-traffic", "d789d01a-fe03-4ccd-9898-73f9cfa080d1",
              "Travail des enfants et autres formes de traite des êtres humains",
              _CONVICTED + "travail des enfants ou autre forme de traite des êtres humains ?", "EG",
              CONVICTION),
    Criterion(7, "tax-pay", "b61bbeb7-690e-4a40-bc68-d6d4ecfaa3d4", "Paiement d’impôts et taxes",
              "L'opérateur économique a-t-il manqué à ses obligations relatives au paiement de ses "
              "impôts et taxes, en France ou dans son pays d'établissement ?", "EG", PAYMENT),
    Criterion(8, "socsec-pay", "7d85e333-bbab-49c0-be8d-c36d71a72f5e",
              "Paiement des cotisations de sécurité sociale",
              "L'opérateur économique a-t-il manqué à ses obligations relatives au paiement de ses "
              "cotisations de sécurité sociale, en France ou dans son pays d'établissement ?", "EG", PAYMENT),
    Criterion(9, "envir-law", "a80ddb62-d25b-4e4e-ae22-3968460dc0a9",
              "Manquement aux obligations dans le domaine du droit environnemental",
              "L'opérateur économique a-t-il, à sa connaissance, manqué à ses obligations dans le domaine "
              "du droit environnemental ?", "EG", LAW),
    Criterion(10, "socsec-law", "a261a395-ed17-4939-9c75-b9ff1109ca6e",
              "Manquement aux obligations dans le domaine du droit social",
              "L'opérateur économique a-t-il, à sa connaissance, manqué à ses obligations dans le domaine "
              "du droit social ?", "EG", LAW),
    Criterion(11, "labour-law", "a34b70d6-c43d-4726-9a88-8e2b438424bf",
              "Manquement aux obligations dans le domaine du droit du travail",
              "L'opérateur économique a-t-il, à sa connaissance, manqué à ses obligations dans le domaine "
              "du droit du travail ?", "EG", LAW),
    Criterion(12, "bankruptcy", "d3732c09-7d62-4edc-a172-241da6636e7c", "Faillite",
              "L'opérateur économique est-il en faillite (liquidation judiciaire) ?", "EG", BUSINESS),
    Criterion(13, "insolvency", "396f288a-e267-4c20-851a-ed4f7498f137", "Insolvabilité",
              "L'opérateur économique fait-il l'objet d'une procédure d'insolvabilité (redressement "
              "judiciaire) ?", "EG", BUSINESS),
    Criterion(14, "cred-arran", "68918c7a-f5bc-4a1a-a62f-ad8983600d48", "Concordat",
              "L'opérateur économique a-t-il conclu un concordat avec ses créanciers ?", "EG", BUSINESS),
    Criterion(15, "bankr-nat", "daffa2a9-9f8f-4568-8be8-7b8bf306d096",
              "Situation analogue à la faillite prévue dans la législation nationale",
              "L'opérateur économique se trouve-t-il dans une situation analogue à la faillite prévue "
              "par la législation nationale ?", "EG", BUSINESS),
    Criterion(16, "liq-admin", "8fda202a-0c37-41bb-9d7d-de3f49edbfcb",
              "Biens administrés par un liquidateur",
              "Les biens de l'opérateur économique sont-ils administrés par un liquidateur ou par "
              "un tribunal ?", "EG", BUSINESS),
    Criterion(17, "susp-act", "166536e2-77f7-455c-b018-70582474e4f6", "État de cessation d’activités",
              "L'opérateur économique a-t-il cessé ses activités ?", "EG", BUSINESS),
    Criterion(18, "prof-misconduct", "514d3fde-1e3e-4dcd-b02a-9f984d5bbda3",
              "Coupable d’une faute professionnelle grave",
              "L'opérateur économique s'est-il rendu coupable d'une faute professionnelle grave ?", "EG",
              MISCONDUCT),
    Criterion(19, "distorsion", "56d13e3d-76e8-4f23-8af6-13e60a2ee356",
              "Accords avec d’autres opérateurs économiques en vue de fausser la concurrence",
              "L'opérateur économique a-t-il conclu des accords avec d'autres opérateurs économiques en "
              "vue de fausser la concurrence ?", "EG", MISCONDUCT),
    Criterion(20, "partic-confl", "b1b5ac18-f393-4280-9659-1367943c1a2e",
              "Conflit d’intérêt créé par sa participation à la procédure de passation de marché",
              "L'opérateur économique a-t-il connaissance d'un conflit d'intérêts dû à sa participation "
              "à la procédure ?", "EG", CONFLICT),
    Criterion(21, "prep-confl", "61874050-5130-4f1c-a174-720939c7b483",
              "Association directe ou indirecte à la préparation de cette procédure de passation de marché",
              "L'opérateur économique ou une entreprise liée a-t-il participé à la préparation de la "
              "procédure ?", "EG", CONFLICT),
    Criterion(22, "sanction", "3293e92b-7f3e-42f1-bee6-a7641bb04251",
              "Résiliation, dommages et intérêts ou autres sanctions comparables",
              "Un marché public antérieur de l'opérateur économique a-t-il été résilié, ou a-t-il donné "
              "lieu à des dommages et intérêts ou à d'autres sanctions comparables ?", "EG", MISCONDUCT),
    Criterion(23, "misrepresent", "696a75b2-6107-428f-8b74-82affb67e184",
              "Coupable de fausses déclarations, non-communication, n’a pas été en mesure de fournir les "
              "documents requis et a obtenu des informations confidentielles de la présente procédure",
              "L'opérateur économique s'est-il rendu coupable de fausses déclarations, a-t-il caché des "
              "informations ou tenté d'influer indûment sur la procédure ?", "EG", CONFLICT),
)

EXCLUSIONS_BY_CODE = {criterion.code: criterion for criterion in EXCLUSION_GROUNDS}

GENERAL_TURNOVER = Criterion(
    29, "gen-year-to", "499efc97-2ac1-4af2-9e84-323c2ca67747", "Chiffre d’affaires annuel général",
    "Le chiffre d'affaires annuel général de l'opérateur économique pour le nombre d'exercices "
    "requis est le suivant :", "SC",
    Shape(
        groups=(Group("RG1", "ON*", (Prop("RQ1/R1/R1", "Identifiant du lot", "LOT_IDENTIFIER",
                                          REQUIREMENT),), (
            Group("RSG1", "ON*", (Prop("RQ1/R1/R1/R1", "Nombre d'exercices", "QUANTITY_YEAR",
                                       REQUIREMENT),), (
                Group("QSG1", "ON*", (Prop("Q1", "L'opérateur satisfait-il lui-même à ce critère ?",
                                           INDICATOR),)),
                Group("QSG2", "ON*", (Prop("Q1", "Début et fin de l'exercice", PERIOD),
                                      Prop("Q2", "Montant", AMOUNT))),
                Group("QSG3", "ON*", (Prop("Q1", "Si le chiffre d'affaires n'est pas disponible pour "
                                                 "toute la période, date de création ou de début "
                                                 "d'activité", DATE),)),
            )),
        )),),
        answer="RG1/RSG1/QSG1/Q1",
    ),
)
TURNOVER_PERIOD = "RG1/RSG1/QSG2/Q1"
TURNOVER_AMOUNT = "RG1/RSG1/QSG2/Q2"
TURNOVER_SET_UP = "RG1/RSG1/QSG3/Q1"

# α of part IV: not in the v4.1.0 list, see the module docstring.
ALL_SATISFIED_UUID = "7e7db838-eeac-46d9-ab39-42927486f22d"
ALL_SATISFIED_CODE = "CRITERION.SELECTION.ALL_SATISFIED"
ALL_SATISFIED_LIST = ("CriteriaTypeCode", "EU-COM-GROW", "2.1.1")
ALL_SATISFIED_PREFIX = "ALL-SATISFIED"
ALL_SATISFIED = Criterion(
    0, ALL_SATISFIED_CODE, ALL_SATISFIED_UUID,
    "Indication globale pour tous les critères de sélection",
    "L'opérateur économique remplit les critères de sélection requis indiqués dans l'avis ou dans "
    "les documents de la consultation.", "SC",
    Shape(groups=(Group("QG1", "ON*", (_ANSWER,)),), answer="QG1/Q1"),
    id_prefix=ALL_SATISFIED_PREFIX,
)

SWORN_STATEMENT = (
    "Je soussigné(e) déclare formellement que les renseignements communiqués dans ce DUME sont exacts "
    "et sincères et ont été établis en toute connaissance des conséquences de graves fausses "
    "déclarations, et que je suis en mesure de produire, sur demande et sans tarder, les certificats "
    "et autres pièces justificatives visés, sauf si l'acheteur peut les obtenir directement en "
    "accédant à une base de données nationale gratuite."
)

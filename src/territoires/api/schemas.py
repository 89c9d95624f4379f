"""Request and response shapes of the API, documented in French for integrators.

Input strings refuse NUL characters (PostgreSQL cannot store them) and
e-mail addresses are checked with Django's validator, so that malformed
input is a 422 naming the field, never a server error.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from territoires.interop.siren import normalize, siren_error
from territoires.tenancy.kinds import BodyKind, EpciForm
from territoires.tenancy.models import Service

SIREN_PATTERN = r"^[0-9]{9}$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Le caractère nul (\\x00) n'est pas accepté.")
    return value


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise PydanticCustomError(
            "email_invalid", "Saisissez une adresse électronique valide, par exemple nom@mairie.fr."
        ) from None
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Email = Annotated[str, AfterValidator(_no_nul), AfterValidator(_email)]
KindCode = Literal[tuple(BodyKind.values)]  # type: ignore[valid-type]
EpciFormCode = Literal[tuple(["", *EpciForm.values])]  # type: ignore[valid-type]
ServiceCode = Literal[tuple(Service.values)]  # type: ignore[valid-type]


class FieldError(Schema):
    field: str | None = Field(None, description="Nom du champ en cause (absent si l'erreur porte sur l'ensemble).")
    label: str | None = Field(None, description="Libellé français du champ.")
    message: str = Field(..., description="Explication en français.")


class ErrorOut(Schema):
    detail: str = Field(..., description="Résumé de l'erreur, en français.")
    errors: list[FieldError] = Field(default_factory=list, description="Erreurs champ par champ.")


class RoleOut(Schema):
    code: str = Field(..., description="Code du rôle, par exemple « administrateur ».")
    label: str = Field(..., description="Libellé du rôle.")


class BodyRolesOut(Schema):
    siren: str = Field(..., description="SIREN de l'organisme.")
    name: str = Field(..., description="Nom de l'organisme.")
    roles: list[RoleOut] = Field(..., description="Rôles de l'utilisateur dans cet organisme.")


class MeOut(Schema):
    email: str = Field(..., description="Adresse électronique de l'utilisateur.")
    first_name: str = Field(..., description="Prénom.")
    last_name: str = Field(..., description="Nom d'usage.")
    kind: str = Field(..., description="Type de compte : agent, company ou citizen.")
    authentication: Literal["token", "session"] = Field(
        ..., description="Mode d'authentification : jeton d'API ou session du navigateur."
    )
    bodies: list[BodyRolesOut] = Field(
        ..., description="Organismes accessibles (pour un jeton : son seul organisme)."
    )


class BodyOut(Schema):
    siren: str = Field(..., description="SIREN (9 chiffres).")
    name: str = Field(..., description="Nom de l'organisme.")
    kind: str = Field(..., description="Type d'organisme (commune, epci, departement…).")
    epci_form: str = Field(..., description="Forme de l'EPCI (cc, ca, cu, metropole), vide sinon.")
    insee_code: str = Field(..., description="Code INSEE de la commune, vide sinon.")
    departement: str = Field(..., description="Code du département.")
    population: int | None = Field(None, description="Population légale, si connue.")
    nuts3: str = Field(..., description="Code NUTS 3 (pour les avis européens).")
    actes_nature_code: str = Field(..., description="Code de nature de la collectivité pour @CTES.")
    services: list[str] = Field(..., description="Services souscrits et actifs.")

    @staticmethod
    def resolve_services(body) -> list[str]:
        return sorted(s.service for s in body.subscriptions.all() if s.is_active)


class MembershipOut(Schema):
    email: str = Field(..., description="Adresse électronique de l'agent.")
    first_name: str = Field(..., description="Prénom.")
    last_name: str = Field(..., description="Nom d'usage.")
    is_active: bool = Field(..., description="Faux si l'accès de l'agent a été retiré.")
    roles: list[RoleOut] = Field(..., description="Rôles de l'agent dans l'organisme.")

    @staticmethod
    def resolve_email(membership) -> str:
        return membership.user.email

    @staticmethod
    def resolve_first_name(membership) -> str:
        return membership.user.first_name

    @staticmethod
    def resolve_last_name(membership) -> str:
        return membership.user.last_name

    @staticmethod
    def resolve_roles(membership) -> list[dict]:
        return [{"code": r.code, "label": r.label} for r in membership.roles.all()]


class InvitationIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"email": "nouvel.agent@mairie.example.fr",
                                                        "roles": ["agent"]}]}}

    email: Email = Field(..., title="Adresse électronique de la personne invitée", max_length=254,
                         description="Adresse à laquelle l'invitation est envoyée.")
    roles: list[Text] = Field(..., title="Rôles", min_length=1, max_length=20,
                              description="Codes des rôles donnés à l'arrivée, par exemple [\"agent\"].")


class InvitationOut(Schema):
    id: int = Field(..., description="Identifiant de l'invitation.")
    email: str = Field(..., description="Adresse invitée.")
    roles: list[str] = Field(..., description="Codes des rôles.")
    expires_at: datetime = Field(..., description="Fin de validité du lien envoyé.")


class MembershipRequestIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{
        "siren": "213502388", "name": "Commune de Rennes-Test", "kind": "commune", "epci_form": "",
        "insee_code": "35238", "contact_name": "Ana Lys", "contact_email": "ana.lys@mairie.example.fr",
        "services": ["actes"], "message": "",
    }]}}

    siren: Text = Field(..., title="SIREN", max_length=20,
                        description="SIREN de l'organisme (9 chiffres, clé de Luhn vérifiée).")
    name: Text = Field(..., title="Nom de l'organisme", min_length=1, max_length=200,
                       description="Nom officiel de l'organisme.")
    kind: KindCode = Field(..., title="Type d'organisme", description="Type d'organisme.")
    epci_form: EpciFormCode = Field("", title="Forme de l'EPCI", validate_default=True,
                                    description="Obligatoire pour un EPCI, vide sinon.")
    insee_code: Text = Field("", title="Code INSEE", max_length=5,
                             description="Code INSEE de la commune (5 caractères), vide sinon.")
    contact_name: Text = Field(..., title="Nom du contact", min_length=1, max_length=200,
                               description="Personne à recontacter.")
    contact_email: Email = Field(..., title="Adresse électronique du contact", max_length=254,
                                 description="Adresse électronique professionnelle du contact.")
    services: list[ServiceCode] = Field(..., title="Services demandés", min_length=1, max_length=10,
                                        description="Services souhaités.")
    message: Text = Field("", title="Message", max_length=5000, description="Message libre pour l'opérateur.")

    @field_validator("siren")
    @classmethod
    def _siren(cls, value: str) -> str:
        value = normalize(value)
        error = siren_error(value)
        if error:
            raise PydanticCustomError("siren_invalid", error)
        return value

    @field_validator("epci_form")
    @classmethod
    def _epci_form(cls, value: str, info: ValidationInfo) -> str:
        """Same rule as the adhésion form and `Body.clean`, reported on the field."""
        kind = info.data.get("kind")
        if kind == BodyKind.EPCI and not value:
            raise PydanticCustomError("epci_form_invalid", "Précisez la forme de l'EPCI.")
        if kind is not None and kind != BodyKind.EPCI and value:
            raise PydanticCustomError("epci_form_invalid", "Seul un EPCI a une forme.")
        return value


class MembershipRequestOut(Schema):
    id: int = Field(..., description="Numéro de la demande.")
    siren: str = Field(..., description="SIREN de l'organisme.")
    name: str = Field(..., description="Nom de l'organisme.")
    status: str = Field(..., description="État : pending (en attente), approved, rejected.")


INPUT_SCHEMAS = (InvitationIn, MembershipRequestIn)

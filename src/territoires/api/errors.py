"""One JSON error shape for every failure: `{"detail": …, "errors": [{field, label, message}]}`.

Ninja's defaults answer in English and Django's PermissionDenied would
render an HTML page; integrators get French JSON naming the field instead.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from territoires.api.schemas import INPUT_SCHEMAS

# Pydantic error types → French message (formatted with the error's ctx).
MESSAGES: dict[str, str] = {
    "missing": "Ce champ est obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_too_short": "Ce champ doit compter au moins {min_length} caractère(s).",
    "string_too_long": "Ce champ ne doit pas dépasser {max_length} caractères.",
    "string_pattern_mismatch": "Le format n'est pas valide.",
    "too_short": "Au moins {min_length} élément(s) attendu(s).",
    "too_long": "Au plus {max_length} éléments acceptés.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "greater_than_equal": "La valeur doit être supérieure ou égale à {ge}.",
    "less_than_equal": "La valeur doit être inférieure ou égale à {le}.",
    "list_type": "Une liste est attendue.",
    "literal_error": "Valeur non autorisée ; valeurs possibles : {expected}.",
    "enum": "Valeur non autorisée ; valeurs possibles : {expected}.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "bool_type": "Un booléen (true ou false) est attendu.",
    "bool_parsing": "Un booléen (true ou false) est attendu.",
    "json_invalid": "Le document JSON n'est pas valide.",
    "extra_forbidden": "Champ inconnu.",
}
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
PARAM_LABELS = {
    "siren": "SIREN",
    "limit": "Nombre d'éléments par page",
    "offset": "Rang du premier élément",
    "body": "Corps de la requête",
}


FIELD_LABELS: dict[str, str] = {}


def register_field_labels(schemas, extra: dict[str, str] | None = None) -> None:
    """French labels come from the input schemas' field titles: one source of truth.

    Each service's API registers its schemas; the first owner of a name keeps it.
    """
    for name, label in (extra or {}).items():
        FIELD_LABELS.setdefault(name, label)
    for schema in schemas:
        for name, field in schema.model_fields.items():
            if field.title:
                FIELD_LABELS.setdefault(name, field.title)


register_field_labels(INPUT_SCHEMAS, PARAM_LABELS)


def error_payload(detail: str, errors: list[tuple[str | None, str]] = ()) -> dict:
    return {
        "detail": detail,
        "errors": [
            {"field": field, "label": FIELD_LABELS.get(field.split(".")[0]) if field else None,
             "message": message}
            for field, message in errors
        ],
    }


def _field_name(loc: tuple) -> str:
    parts = list(loc)
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)  # the endpoint's parameter name (payload)
        if not parts:
            return "body"
    return ".".join(str(p) for p in parts) or "body"


def _message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in MESSAGES:
        try:
            return MESSAGES[kind].format(**ctx)
        except (KeyError, IndexError):
            return MESSAGES[kind]
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind.endswith(("_invalid", "_character")):
        return error.get("msg", "")  # our own validators already speak French
    return "Valeur non valide."


def _validation_error(request: HttpRequest, exc: NinjaValidationError, api: NinjaAPI) -> HttpResponse:
    errors = []
    for error in exc.errors:
        field = _field_name(tuple(error.get("loc", ())))
        label = FIELD_LABELS.get(field.split(".")[0])
        message = _message(error)
        errors.append((field, f"{label} : {message}" if label else message))
    return api.create_response(
        request, error_payload(_("Les données envoyées ne sont pas valides."), errors), status=422
    )


def _service_validation_error(request: HttpRequest, exc: DjangoValidationError, api: NinjaAPI) -> HttpResponse:
    """A service refused the data: same shape as a schema error, field by field."""
    if hasattr(exc, "error_dict"):
        errors = [
            (None if field == NON_FIELD_ERRORS else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [(None, message) for message in exc.messages]
    return api.create_response(
        request, error_payload(_("Les données envoyées ne sont pas valides."), errors), status=422
    )


def _authentication_error(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else _(
        "Authentification requise : envoyez un jeton d'API dans l'en-tête "
        "« Authorization: Bearer <jeton> », ou connectez-vous."
    )
    response = api.create_response(request, error_payload(message), status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


class NotAnObject(ValueError):
    """The body is valid JSON but not an object (every payload here is one)."""


class ObjectJSONParser(Parser):
    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise NotAnObject
        return data


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, NotAnObject):
        message = MESSAGES["dict_type"]
        return api.create_response(
            request,
            error_payload(_("Les données envoyées ne sont pas valides."),
                          [("body", f"{FIELD_LABELS['body']} : {message}")]),
            status=422,
        )
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        message = _("Le corps de la requête n'est pas un document JSON valide.")
        return api.create_response(
            request, error_payload(message, [("body", message)]), status=400
        )
    return api.create_response(request, error_payload(str(exc)), status=exc.status_code)


def _permission_denied(request: HttpRequest, exc: PermissionDenied, api: NinjaAPI) -> HttpResponse:
    return api.create_response(
        request,
        error_payload(_("Vos rôles dans cet organisme ne permettent pas cette opération.")),
        status=403,
    )


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return api.create_response(
        request, error_payload(_("Ressource introuvable ou non accessible avec vos droits.")), status=404
    )


def install(api: NinjaAPI) -> None:
    handlers = {
        NinjaValidationError: _validation_error,
        DjangoValidationError: _service_validation_error,
        AuthenticationError: _authentication_error,
        HttpError: _http_error,
        PermissionDenied: _permission_denied,
        Http404: _not_found,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, lambda request, exc, handler=handler: handler(request, exc, api))

"""E-actes in the JSON API (/api/v1/actes), as S²LOW offers it to business software.

Create a draft with its files, hand it over for transmission, follow its
status, list acts with date filters, fetch the archive sent, the AR as
received, the stamped act and the receipt; read the prefecture's letters
and answer them. Every endpoint is scoped by the caller's bodies (a token:
its body), so another body's act is a 404; a missing role is a 403.
Writes go through `actes.services` and `actes.correspondence` only.

Routes of `/courriers` come first: `{id}` is a plain path segment (so that
"abc" or "-1" get a French 422), and Django tries patterns in order.
"""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Path, Query, Router, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from territoires.actes import correspondence, documents, rules, selectors, services
from territoires.actes.api_schemas import (
    MAX_ID,
    ActeCreateIn,
    ActeFilters,
    ActeOut,
    LetterFilters,
    LetterOut,
    ReplyIn,
    acte_ar,
    acte_archive_message,
    acte_prefetch,
    letter_prefetch,
)
from territoires.actes.models import Acte, FileRole, IncomingFile, IncomingMessage
from territoires.actes.views.drafts import default_typology
from territoires.api.auth import caller_bodies, caller_body
from territoires.api.pagination import Pagination
from territoires.api.schemas import ErrorOut
from territoires.core.files import stored_file_response
from territoires.interop.actes.archive import unpack
from territoires.interop.actes.errors import ActesError
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service

router = Router(tags=["actes"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ActeId = Path(..., ge=1, le=MAX_ID, description="Identifiant de l'acte sur la plateforme.")
LetterId = Path(..., ge=1, le=MAX_ID, description="Identifiant du courrier de la préfecture.")
FileId = Path(..., ge=1, le=MAX_ID, description="Identifiant du document joint au courrier.")


def _binary(description: str, *content_types: str) -> dict:
    """OpenAPI for a file answer (the endpoint returns a Django response as is)."""
    return {"responses": {200: {
        "description": description,
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in content_types},
    }}}


# ------------------------------------------------------------------ scoping


def _require_view(request: HttpRequest, body: Body) -> None:
    access.require_service(body, Service.ACTES)
    access.require_perm(request.user, body, "actes.view")


def _readable_bodies(request: HttpRequest, siren: str | None) -> list[Body]:
    """The bodies whose acts the caller asks for: one (checked, 403/404) or all they may read."""
    token = getattr(request, "api_token", None)
    if siren is None and token is not None:
        siren = token.body.siren  # a token has exactly one body: say why when it may not read
    if siren is not None:
        body = caller_body(request, siren)
        _require_view(request, body)
        return [body]
    return [b for b in caller_bodies(request)
            if Service.ACTES in access.active_services(b) and access.has_perm(request.user, b, "actes.view")]


def _acte(request: HttpRequest, acte_id: int) -> Acte:
    """The act if it belongs to one of the caller's bodies (else 404) and they may read it (else 403)."""
    body = caller_bodies(request).filter(actes__pk=acte_id).first()
    if body is None:
        raise Http404
    try:
        return selectors.acte_of_body(actor=request.user, body=body, acte_id=acte_id)
    except Acte.DoesNotExist:
        raise Http404 from None


def _acte_out(acte: Acte) -> Acte:
    prefetch_related_objects([acte], *acte_prefetch())
    return acte


def _letters(bodies: list[Body]) -> QuerySet[IncomingMessage]:
    return (IncomingMessage.objects.filter(body__in=bodies, code__in=correspondence.LETTERS)
            .select_related("body", "acte").prefetch_related(*letter_prefetch())
            .order_by("-received_at", "-pk"))


def _letter(request: HttpRequest, letter_id: int) -> IncomingMessage:
    letter = (IncomingMessage.objects.filter(pk=letter_id, code__in=correspondence.LETTERS,
                                             body__in=caller_bodies(request))
              .select_related("body", "acte__body").first())
    if letter is None:
        raise Http404
    _require_view(request, letter.body)
    return letter


def _letter_out(letter_id: int) -> IncomingMessage:
    return IncomingMessage.objects.select_related("body", "acte").prefetch_related(
        *letter_prefetch()).get(pk=letter_id)


# ------------------------------------------------------------------ letters


@router.get("/courriers", response={200: list[LetterOut], **READ_ERRORS}, url_name="actes_letters",
            summary="Courriers de la préfecture")
@paginate(Pagination)
def letters_list(request: HttpRequest, filters: Query[LetterFilters]):
    """Courriers simples (2-1), demandes de pièces (3-1), lettres d'observations (4-1) et déférés (5-1)
    reçus par les organismes de l'appelant, du plus récent au plus ancien.

    `answers_open` donne les réponses encore possibles ; `awaiting_answer=true` ne garde que
    les courriers auxquels l'organisme doit encore répondre.
    """
    bodies = _readable_bodies(request, filters.siren)
    letters = _letters(bodies)
    if filters.unread is not None:
        letters = letters.filter(read_at__isnull=filters.unread)
    if filters.code is not None:
        letters = letters.filter(code=filters.code)
    if filters.awaiting_answer is not None and bodies:
        awaiting = reduce(or_, (Q(pk__in=correspondence.letters_awaiting_answer(body=b).values("pk"))
                                for b in bodies))
        letters = letters.filter(awaiting) if filters.awaiting_answer else letters.exclude(awaiting)
    return letters


@router.get("/courriers/{id}", response={200: LetterOut, **READ_ERRORS}, url_name="actes_letter",
            summary="Un courrier de la préfecture")
def letter_detail(request: HttpRequest, id: int = LetterId):
    """Le courrier, ses documents, les réponses envoyées et celles encore possibles.

    La lecture par l'API ne le marque pas comme lu : voir `POST /courriers/{id}/read`.
    """
    return _letter_out(_letter(request, id).pk)


@router.post("/courriers/{id}/read", response={200: LetterOut, **READ_ERRORS}, url_name="actes_letter_read",
             summary="Marquer un courrier comme lu")
def letter_read(request: HttpRequest, id: int = LetterId):
    """Note la date de lecture (la première est gardée), comme l'ouverture de la page de l'acte."""
    letter = _letter(request, id)
    correspondence.letters_mark_read(actor=request.user, body=letter.body, letters=[letter.pk])
    return _letter_out(letter.pk)


@router.get("/courriers/{id}/files/{file_id}", response={200: None, **READ_ERRORS},
            url_name="actes_letter_file", summary="Télécharger un document d'un courrier",
            openapi_extra=_binary("Le document tel que joint par la préfecture (PDF le plus souvent).",
                                  "application/pdf", "application/xml", "image/png", "image/jpeg",
                                  "application/octet-stream"))
def letter_file(request: HttpRequest, id: int = LetterId, file_id: int = FileId):
    """Le fichier joint au courrier, octet pour octet (voir `files[].url` du courrier)."""
    letter = _letter(request, id)
    item = IncomingFile.objects.select_related("stored").filter(pk=file_id, message=letter).first()
    if item is None:
        raise Http404
    return stored_file_response(item.stored, item.name)


@router.post("/courriers/{id}/reponse", response={201: LetterOut, **READ_ERRORS},
             url_name="actes_letter_reply", summary="Répondre à un courrier de la préfecture")
def letter_reply(request: HttpRequest, payload: Form[ReplyIn], id: int = LetterId,
                 documents: list[UploadedFile] = File(
                     [], description="Documents de la réponse (PDF), dans l'ordre.")):
    """Envoie la réponse `code` avec ses `documents` (PDF) ; elle part vers la préfecture comme un acte.

    2-2 (réponse au courrier simple), 3-3 (refus) et 4-3/4-4 portent un seul document ;
    3-4 (pièces complémentaires) en porte un ou plusieurs ; 3-2 et 4-2 (accusés de réception)
    n'en portent aucun. Il faut le rôle « actes.transmit ». Erreurs sur `documents[i]`
    (à partir de 0).
    """
    letter = _letter(request, id)
    access.require_perm(request.user, letter.body, "actes.transmit")
    files = [(upload.name or "", upload.read()) for upload in documents]
    if letter.acte is not None:
        errors = {}
        for index, (name, data) in enumerate(files):
            if error := rules.file_error(name=name, data=data, role=FileRole.ANNEX, nature=letter.acte.nature):
                errors[f"documents[{index}]"] = [f"« {name} » : {error}"]
        if errors:
            raise ValidationError(errors)
    correspondence.courrier_reply(actor=request.user, letter=letter, code=payload.code, documents=files)
    return Status(201, _letter_out(letter.pk))


# ------------------------------------------------------------------ acts


@router.get("", response={200: list[ActeOut], **READ_ERRORS}, url_name="actes_list",
            summary="Liste des actes")
@paginate(Pagination)
def actes_list(request: HttpRequest, filters: Query[ActeFilters]):
    """Actes des organismes de l'appelant (pour un jeton : son organisme), du plus récent au plus
    ancien (ordre de création).

    `updated_since` sert à la synchronisation : il garde les actes dont l'état a changé depuis.
    """
    bodies = _readable_bodies(request, filters.siren)
    if not bodies:
        return Acte.objects.none()
    actes = reduce(or_, (
        selectors.actes_of_body(actor=request.user, body=body, q=filters.q or "",
                                status=filters.status or "", nature=filters.nature or "")
        for body in bodies
    ))
    if filters.decision_from is not None:
        actes = actes.filter(decision_date__gte=filters.decision_from)
    if filters.decision_to is not None:
        actes = actes.filter(decision_date__lte=filters.decision_to)
    if filters.updated_since is not None:
        actes = actes.filter(status_changed_at__gte=filters.updated_since)
    return actes.order_by("-created_at", "-pk").prefetch_related(*acte_prefetch())


def _store(upload: UploadedFile, *, role: str, nature: str, field: str, errors: dict):
    try:
        return services.acte_file_store(name=upload.name or "", data=upload, role=role, nature=nature)
    except ValidationError as error:
        errors[field] = [f"« {upload.name} » : {message}" for message in error.messages]
        return None


@router.post("", response={201: ActeOut, **READ_ERRORS}, url_name="actes_create",
             summary="Créer un acte (brouillon) avec ses fichiers")
def acte_create(
    request: HttpRequest,
    payload: Form[ActeCreateIn],
    document: UploadedFile = File(..., description="Document principal de l'acte."),
    annexes: list[UploadedFile] = File([], description="Annexes, dans l'ordre (0 à 99)."),
):
    """Formulaire multipart : les champs de l'acte, le fichier `document` (document principal,
    PDF, JPG ou PNG ; XML aussi pour un document budgétaire) et 0 à 99 fichiers `annexes`.

    Tout est créé ou rien : si un fichier est refusé, aucun acte n'est enregistré et la réponse
    422 nomme chaque champ en cause (`document`, `annexes[i]`, `annexes_typologies[i]`, à partir
    de 0). L'acte reste un brouillon : `POST /actes/{id}/transmit` l'envoie. Il faut le rôle
    « actes.draft » dans l'organisme.
    """
    body = caller_body(request, payload.siren)
    access.require_service(body, Service.ACTES)
    access.require_perm(request.user, body, "actes.draft")
    typologies = payload.annexes_typologies or []
    if typologies and len(typologies) != len(annexes):
        raise ValidationError({"annexes_typologies": (
            f"Donnez une typologie par annexe, dans l'ordre : {len(typologies)} typologie(s) "
            f"pour {len(annexes)} annexe(s).")})
    # (form field, upload, role, typology or None, typology field)
    files = [("document", document, FileRole.MAIN, payload.document_typology, "document_typology")]
    files += [(f"annexes[{i}]", upload, FileRole.ANNEX, typologies[i] if typologies else None,
               f"annexes_typologies[{i}]") for i, upload in enumerate(annexes)]
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        acte = None
        try:
            with transaction.atomic():
                acte = services.acte_create(
                    actor=request.user, body=body, nature=payload.nature,
                    numero_interne=payload.numero_interne, objet=payload.objet,
                    decision_date=payload.decision_date, matiere_code=payload.matiere_code,
                    document_papier=payload.document_papier,
                )
        except ValidationError as error:
            errors.update(error.message_dict)
        stored = [_store(upload, role=role, nature=payload.nature, field=field, errors=errors)
                  for field, upload, role, _typology, _field in files]
        if errors:
            raise ValidationError(errors)  # rolls everything back
        for (field, upload, role, typology, typology_field), item in zip(files, stored, strict=True):
            try:
                services.acte_file_attach(
                    actor=request.user, acte=acte, stored=item, name=upload.name or "", role=role,
                    typology=typology or default_typology(acte.classification, acte.nature),
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(typology_field if name == "typology" else field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
    return Status(201, _acte_out(selectors.acte_of_body(actor=request.user, body=body, acte_id=acte.pk)))


@router.get("/{id}", response={200: ActeOut, **READ_ERRORS}, url_name="actes_detail",
            summary="Un acte et son état")
def acte_detail(request: HttpRequest, id: int = ActeId):
    """L'état de l'acte, ses dates (envoi, accusé de réception, publication, caractère exécutoire,
    fin du délai de déféré), ses fichiers et les liens vers les documents disponibles."""
    return _acte_out(_acte(request, id))


@router.post("/{id}/transmit", response={202: ActeOut, **READ_ERRORS}, url_name="actes_transmit",
             summary="Transmettre un acte à la préfecture")
def acte_transmit(request: HttpRequest, id: int = ActeId):
    """Dépose le brouillon pour transmission : l'archive est construite et envoyée en tâche de fond
    (état « posted », puis « in_transmission », « transmitted » et « acknowledged » à l'accusé de
    réception). 422 avec la liste des problèmes si l'acte n'est pas prêt. Il faut le rôle
    « actes.transmit »."""
    acte = services.acte_post(actor=request.user, acte=_acte(request, id))
    return Status(202, _acte_out(acte))


@router.get("/{id}/ar", response={200: None, **READ_ERRORS}, url_name="actes_ar",
            summary="Accusé de réception (XML ARActe)",
            openapi_extra=_binary("Le message ARActe tel que reçu de la préfecture.", "application/xml"))
def acte_ar_xml(request: HttpRequest, id: int = ActeId):
    """Le message 1-2 de la préfecture, octet pour octet ; 404 tant qu'il n'est pas reçu."""
    ar = acte_ar(_acte(request, id))
    if ar is None:
        raise Http404
    try:
        members = dict(unpack(ar.archive.stored.read()))
    except ActesError:
        raise Http404 from None
    if ar.file_name not in members:
        raise Http404
    response = HttpResponse(members[ar.file_name], content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{ar.file_name}"'
    return response


@router.get("/{id}/archive", response={200: None, **READ_ERRORS}, url_name="actes_archive",
            summary="Archive transmise (.tar.gz)",
            openapi_extra=_binary("L'archive @CTES de l'acte, telle qu'envoyée.", "application/gzip"))
def acte_archive(request: HttpRequest, id: int = ActeId):
    """L'archive du tour d'envoi en cours ; 404 tant qu'elle n'est pas construite."""
    message = acte_archive_message(_acte(request, id))
    if message is None:
        raise Http404
    sent = message.transmission
    return stored_file_response(sent.archive, sent.archive_name, content_type="application/gzip")


@router.get("/{id}/stamped", response={200: None, **READ_ERRORS}, url_name="actes_stamped",
            summary="Acte tamponné (PDF)",
            openapi_extra=_binary("Le document principal avec le tampon de transmission.", "application/pdf"))
def acte_stamped(request: HttpRequest, id: int = ActeId):
    """Disponible après l'accusé de réception, pour un document principal en PDF ; 404 sinon."""
    return documents.download_response(_acte(request, id), "stamped")


@router.get("/{id}/receipt", response={200: None, **READ_ERRORS}, url_name="actes_receipt",
            summary="Accusé de réception (PDF)",
            openapi_extra=_binary("L'accusé de réception, lisible par un agent.", "application/pdf"))
def acte_receipt(request: HttpRequest, id: int = ActeId):
    """Disponible après l'accusé de réception de la préfecture ; 404 avant."""
    return documents.download_response(_acte(request, id), "receipt")

"""The portal's notice search in the JSON API: GET /api/v1/marches/notices.

Public (`auth=None`), like the portal page it mirrors: the same criteria,
parsed by the same `SearchParams.from_query`, so an integrator and a company
looking at the page see the same notices in the same order. Nothing is
counted (see `search.notice_search`): `capped` says whether more follow.

Mounted in `api/root.py` with `api.add_router("/marches", router)`.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from territoires.api import errors
from territoires.api.schemas import ErrorOut, Text
from territoires.marches import essential
from territoires.marches.search import COUNT_CAP, SearchParams, notice_search
from territoires.marches.views.portal import notice_path_prefix
from territoires.tenancy.models import Body

router = Router(tags=["marchés"])

MAX_LIMIT = 100


class NoticeFilters(Schema):
    q: Text | None = Field(None, title="Recherche", max_length=200,
                           description="Mots cherchés dans l'objet, la description, l'acheteur et le libellé "
                                       "CPV ; accents, majuscules et pluriels sont ignorés, tous les mots "
                                       "doivent figurer.")
    cpv: str | None = Field(None, title="Code CPV", max_length=12,
                            description="Division CPV (2 chiffres, par exemple 45) ou début de code (4523).")
    nuts: str | None = Field(None, title="Code NUTS", max_length=5,
                             description="Lieu d'exécution : code NUTS ou son début (FRC11, FRC2, FRC).")
    departement: str | None = Field(None, title="Département", max_length=3,
                                    description="Numéro de département de la région (21, 25, 39, 58, 70, 71, "
                                                "89, 90).")
    procedure: str | None = Field(None, title="Procédure", max_length=15,
                                  description="Code de procédure : mapa, open, restricted, neg-w-call, "
                                              "neg-wo-call, comp-dial, innovation, concession, other.")
    nature: str | None = Field(None, title="Nature du marché", max_length=10,
                               description="works (travaux), supplies (fournitures) ou services.")
    buyer: Text | None = Field(None, title="Acheteur", max_length=200,
                               description="Partie du nom de l'acheteur (majuscules ignorées).")
    open: bool = Field(False, title="En cours seulement",
                       description="true : seulement les avis dont la date limite n'est pas passée et qui "
                                   "ne sont pas annulés.")
    sort: str | None = Field(None, title="Tri", max_length=10,
                             description="deadline (date limite la plus proche, par défaut), published "
                                         "(publication la plus récente) ou relevance (pertinence).")
    offset: int = Field(0, ge=0, le=COUNT_CAP, title="Rang du premier élément",
                        description=f"Rang du premier avis renvoyé (0 pour le début, {COUNT_CAP} au plus).")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, title="Nombre d'éléments par page",
                       description=f"Nombre d'avis par page ({MAX_LIMIT} au plus).")


class NoticeOut(Schema):
    title: str = Field(..., description="Intitulé de l'avis.")
    buyer: str = Field(..., description="Nom de l'acheteur.")
    cpv_main: str = Field(..., description="Code CPV principal (8 chiffres, sans chiffre de contrôle).")
    nuts: str = Field(..., description="Lieu d'exécution (code NUTS 3).")
    deadline: datetime | None = Field(..., description="Date limite de remise des offres (UTC).")
    source: str = Field(..., description="territoires, eforms (TED) ou boamp.")
    source_id: str = Field(..., description="Identifiant de l'avis chez sa source.")
    url: str = Field(..., description="Adresse de l'avis sur la plateforme.")


class NoticePageOut(Schema):
    items: list[NoticeOut]
    count: int = Field(..., description="Nombre d'avis jusqu'à la fin de cette page (offset + items) : "
                                        "le nombre total exact quand capped vaut false.")
    capped: bool = Field(..., description="true : d'autres avis suivent cette page (augmentez offset).")


errors.register_field_labels([NoticeFilters])


def _out(notice, notices_url: str) -> dict:
    return {
        "title": notice.title, "buyer": notice.buyer_name, "cpv_main": notice.cpv_main, "nuts": notice.nuts,
        "deadline": notice.deadline, "source": notice.source, "source_id": notice.source_id,
        "url": f"{notices_url}{notice.pk}/",
    }


@router.get("/notices", auth=None, response={200: NoticePageOut, 422: ErrorOut}, url_name="marches_notices",
            summary="Rechercher des avis de marché")
def notices_search(request: HttpRequest, filters: Query[NoticeFilters]):
    """Les avis du portail (consultations publiées ici, avis BOAMP et TED de la région), comme la page
    « Salle des marchés » : mêmes critères, même ordre. Sans authentification."""
    query = filters.model_dump(exclude={"offset", "limit", "open"}, exclude_none=True)
    query["open_only"] = "1" if filters.open else ""
    params, problems = SearchParams.from_query(query)
    if problems:
        raise ValidationError({name: [message] for name, message in problems.items()})
    page = notice_search(params, offset=filters.offset, limit=filters.limit)
    notices_url = settings.PUBLIC_URL.rstrip("/") + notice_path_prefix()
    return {"items": [_out(notice, notices_url) for notice in page.items], "count": page.total,
            "capped": page.capped}


class DecpFilters(Schema):
    year: int = Field(..., ge=2024, le=2100, title="Année",
                      description="Année de notification des marchés (format DECP v2, depuis 2024).")
    siren: str | None = Field(None, pattern=r"^\d{9}$", title="SIREN de l'acheteur",
                              description="Seulement les marchés de cet acheteur (9 chiffres).")


errors.register_field_labels([DecpFilters])


@router.get("/decp", auth=None, response={200: dict, 404: ErrorOut, 422: ErrorOut}, url_name="marches_decp",
            summary="Données essentielles des marchés (DECP v2)")
def decp(request: HttpRequest, filters: Query[DecpFilters]):
    """Les données essentielles publiées des marchés attribués sur la plateforme pour une année, au format
    DECP v2 (schéma 2.0.3 de data.gouv.fr) : `{"marches": {"marche": [...]}}`. Données ouvertes, sans
    authentification."""
    body = None
    if filters.siren:
        body = Body.objects.filter(siren=filters.siren).first()
        if body is None:
            raise Http404
    records = list(essential.decp_published(body=body, year=filters.year))
    if not records:
        raise Http404
    return HttpResponse(essential.decp_export(records), content_type="application/json; charset=utf-8")

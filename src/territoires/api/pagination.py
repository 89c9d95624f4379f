"""Bounded limit/offset pagination: huge values are a 422, not a database overflow."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="Nombre d'éléments par page (200 au plus).")
        offset: int = Field(0, ge=0, le=1_000_000, description="Rang du premier élément renvoyé (0 pour le début).")

    class Output(Schema):
        items: list
        count: int = Field(..., description="Nombre total d'éléments.")

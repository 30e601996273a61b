"""Page-number pagination: `?page=&page_size=`, answered as
{"count", "page", "page_size", "results"}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

T = TypeVar("T")
M = TypeVar("M", bound=Model)

MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")


class Page(Schema, Generic[T]):
    count: int = Field(description="Rows on all pages together.")
    page: int
    page_size: int
    results: list[T]


@dataclass
class PageOf(Generic[M]):
    """One page of rows, fetched, so the endpoint can prefetch what they show."""

    count: int
    page: int
    page_size: int
    results: list[M]


def paginate(rows: QuerySet[M], params: PageParams) -> PageOf[M]:
    start = (params.page - 1) * params.page_size
    return PageOf(
        count=rows.count(),
        page=params.page,
        page_size=params.page_size,
        results=list(rows[start : start + params.page_size]),
    )

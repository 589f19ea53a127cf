"""Bodies every context shares: the request base (unknown fields refused) and pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Request(BaseModel):
    """A body a client sends: unknown fields refused, and strict types (``"3"``
    is not an integer, ``true`` is not 1). A field whose wire form is a string
    (a UUID, a timestamp) says ``Field(strict=False)``."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None

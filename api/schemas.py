"""Bodies every context shares: the request base (unknown fields refused) and pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonDict

T = TypeVar("T")


class Request(BaseModel):
    """A body a client sends: unknown fields refused, and strict types (``"3"``
    is not an integer, ``true`` is not 1). A field whose wire form is a string
    (a UUID, a timestamp) says ``Field(strict=False)``."""

    model_config = ConfigDict(extra="forbid", strict=True)


# Documented, not enforced here: the domain refuses other names with its own
# code (invalid_display_name, invalid_slot_name). Trimmed, 1 to 64 characters,
# no control characters.
NAME_RULES: JsonDict = {
    "minLength": 1,
    "pattern": r"^[^\x00-\x20\x7f-\xa0](?:[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0])?$",
}
CURSOR_RULES: JsonDict = {"minLength": 1}  # a cursor is what the previous page's next_cursor said


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None

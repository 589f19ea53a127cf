"""Read model ``content_packages`` (seed 000): package_id, version,
release_notes, checksum, required_client_version, plus kind, size and the
versions as integer arrays so ``GET /v1/content?client_version=`` compares
them numerically (``1.10`` after ``1.9``): jsonb arrays of four integers
compare element by element."""

from __future__ import annotations

from domain.narrative.content import ContentPackage, version_parts
from projections.model import Event, Handler, Projection, Row, Table, fresh

SCHEMA = "narrative"

CONTENT_PACKAGES = Table(
    "content_packages",
    SCHEMA,
    owner=None,
    columns=(
        ("package_id", "uuid NOT NULL"),
        ("kind", "text NOT NULL"),
        ("version", "text NOT NULL"),
        ("version_parts", "jsonb NOT NULL"),
        ("release_notes", "text NOT NULL"),
        ("checksum", "text NOT NULL"),
        ("size_bytes", "int NOT NULL"),
        ("required_client_version", "text NOT NULL"),
        ("required_client_parts", "jsonb NOT NULL"),
        ("published_at", "timestamptz NOT NULL"),
    ),
    key=("package_id",),
    indexes=("(required_client_parts)",),
)


@fresh
def published(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "package_id": event.originator_id,
        "kind": data["kind"],
        "version": data["version"],
        "version_parts": version_parts(data["version"]),
        "release_notes": data["release_notes"],
        "checksum": data["checksum"],
        "size_bytes": data["size_bytes"],
        "required_client_version": data["required_client_version"],
        "required_client_parts": version_parts(data["required_client_version"]),
        "published_at": event.timestamp,
    }


PROJECTION = Projection(
    name="content",
    schema_version=2,  # 2: moved from public into the narrative schema
    tables=(CONTENT_PACKAGES,),
    replaces=("public.content_packages",),
    handlers={ContentPackage.Created.TOPIC: [Handler(CONTENT_PACKAGES, published)]},
)

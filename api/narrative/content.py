"""Content delivery (seed 000): admins publish packages; clients ask what applies to their version."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.narrative.deps import Blobs, Narrative
from api.problems import Problem
from api.schemas import Request
from domain.narrative.content import KINDS, VERSION, ContentPackage, version_parts
from infra.idempotency import Stored
from projections.narrative.content import CONTENT_PACKAGES

router = routing.router(prefix="/v1/content", tags=["content"])


class ContentIn(Request):
    kind: str = Field(description=f"One of {', '.join(KINDS)}.")
    version: str = Field(pattern=VERSION.pattern)
    release_notes: str = Field("", max_length=10_000)
    required_client_version: str = Field(pattern=VERSION.pattern)
    checksum: str = Field(description="SHA-256 of the content, hex.", max_length=64)
    content_base64: str = Field(description="The package bytes (bounded by the request size limit).")


class ContentOut(BaseModel):
    package_id: UUID
    kind: str
    version: str
    release_notes: str
    checksum: str
    size_bytes: int
    required_client_version: str
    published_at: Any = None
    position: int | None = None


@router.post("", status_code=201, response_model=ContentOut)
def publish(body: ContentIn, cmd: CommandDep, narrative: Narrative, blobs: Blobs) -> Response:
    """Publish a package (admins). The checksum must match the content, and a
    (kind, version) is published once."""
    if not cmd.principal.is_admin:
        raise Problem(403, "forbidden", "only admins publish content")
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(422, "invalid_content", "content_base64 is not base64") from None

    def command() -> Stored:
        # Verified, and stored content-addressed, before the event that names it.
        package = ContentPackage.publish(
            body.kind, body.version, body.release_notes, body.checksum, content, body.required_client_version
        )
        blobs.put(package.checksum, content)
        written = narrative.publish_content(package)
        p = written.aggregate
        out = ContentOut(
            package_id=p.id,
            kind=p.kind,
            version=p.package_version,
            release_notes=p.release_notes,
            checksum=p.checksum,
            size_bytes=p.size_bytes,
            required_client_version=p.required_client_version,
            published_at=p.created_on,
            position=written.position,
        )
        return Stored(201, out.model_dump_json().encode(), {"content-type": "application/json"})

    return cmd.run(body.model_dump(exclude={"content_base64"}) | {"size": len(content)}, command)


@router.get("", response_model=list[ContentOut], dependencies=[ReadYourWrites])
def applicable(
    _: CurrentPrincipal,
    db: ReadDb,
    client_version: Annotated[str, Query(pattern=VERSION.pattern, description="The client's build, e.g. 1.4.2")],
    kind: Annotated[str | None, Query(description="Only this kind.")] = None,
) -> list[dict[str, Any]]:
    """Packages a client of ``client_version`` can apply (their required client
    version is not newer), newest first per kind (at most 200)."""
    if kind is not None and kind not in KINDS:
        raise Problem(422, "invalid_kind", f"kind must be one of {list(KINDS)}")
    with db.connection() as conn:
        return conn.execute(
            f"SELECT * FROM {CONTENT_PACKAGES.qualified} "
            "WHERE required_client_parts <= %s AND (%s::text IS NULL OR kind = %s) "
            "ORDER BY kind, version_parts DESC LIMIT 200",
            (Jsonb(version_parts(client_version)), kind, kind),
        ).fetchall()


class OctetStream(Response):
    media_type = "application/octet-stream"


@router.get(
    "/{package_id}/download",
    response_class=OctetStream,
    responses={200: {"description": "The package bytes", "content": {OctetStream.media_type: {}}}},
)
def download(package_id: UUID, _: CurrentPrincipal, db: ReadDb, blobs: Blobs) -> Response:
    """The package's bytes; the ETag is its checksum."""
    with db.connection() as conn:
        row = conn.execute(
            f"SELECT checksum FROM {CONTENT_PACKAGES.qualified} WHERE package_id = %s", (package_id,)
        ).fetchone()
    content = blobs.get(row["checksum"]) if row else None
    if row is None or content is None:
        raise Problem(404, "not_found", f"content package {package_id} not found")
    return Response(content, media_type="application/octet-stream", headers={"ETag": f'"{row["checksum"]}"'})

"""Content packages (seed 000's content delivery): hotfixes, seasonal drops and
localization updates that admins publish and clients fetch by their version.

A package is identified by (kind, version): publishing the same one twice is
refused, so a client that saw a checksum for a version never sees it change.
The checksum is the SHA-256 of the content and is verified against the bytes
uploaded; a mismatch is refused before anything is stored.
"""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand

KINDS = ("hotfix", "seasonal", "localization")
VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
CHECKSUM = re.compile(r"^[0-9a-f]{64}$")
RELEASE_NOTES_MAX = 10_000


class ChecksumMismatch(InvalidCommand):
    code = "checksum_mismatch"


class PackageExists(Conflict):
    code = "package_exists"


def version_parts(version: str) -> list[int]:
    """``"1.10.2"`` -> ``[1, 10, 2, 0]``: compares numerically, padded to four parts."""
    if not VERSION.match(version):
        raise InvalidCommand(f"{version!r} is not a version like 1.4.2", field="version")
    parts = [int(p) for p in version.split(".")]
    return parts + [0] * (4 - len(parts))


def package_id(kind: str, version: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/content/{kind}/{version}")


class ContentPackage(Aggregate):
    """One published package of content."""

    TOPIC = "lorekeeper.content_package"

    class Created(Aggregate.Created):
        """The package was published."""

        TOPIC: ClassVar[str] = "lorekeeper.content_package.Created"
        kind: str
        version: str
        release_notes: str
        checksum: str
        size_bytes: int
        required_client_version: str

    def __init__(
        self, kind: str, version: str, release_notes: str, checksum: str, size_bytes: int, required_client_version: str
    ) -> None:
        self.kind = kind
        # Not ``version``: that is the aggregate's own (event count), which this would overwrite.
        self.package_version = version
        self.release_notes = release_notes
        self.checksum = checksum
        self.size_bytes = size_bytes
        self.required_client_version = required_client_version

    @staticmethod
    def create_id(kind: str, version: str, **_: object) -> UUID:
        return package_id(kind, version)

    @classmethod
    def publish(
        cls, kind: str, version: str, release_notes: str, checksum: str, content: bytes, required_client_version: str
    ) -> ContentPackage:
        if kind not in KINDS:
            raise InvalidCommand(f"kind must be one of {list(KINDS)}", field="kind")
        version_parts(version)
        version_parts(required_client_version)
        if len(release_notes) > RELEASE_NOTES_MAX:
            raise InvalidCommand(f"release notes are at most {RELEASE_NOTES_MAX} characters")
        checksum = checksum.lower()
        if not CHECKSUM.match(checksum):
            raise InvalidCommand("checksum must be a SHA-256 in hex (64 characters)", field="checksum")
        actual = hashlib.sha256(content).hexdigest()
        if actual != checksum:
            raise ChecksumMismatch("the checksum does not match the uploaded content", actual=actual)
        return cls(
            kind=kind,
            version=version,
            release_notes=release_notes,
            checksum=checksum,
            size_bytes=len(content),
            required_client_version=required_client_version,
        )

"""Publishing a content package: every refusal with what clients show, and the
package as published."""

from __future__ import annotations

import hashlib

import pytest

from domain.kernel.errors import InvalidCommand
from domain.narrative.content import (
    RELEASE_NOTES_MAX,
    ChecksumMismatch,
    ContentPackage,
    package_id,
    version_parts,
)

CONTENT = b"satire recalibrated"
SUM = hashlib.sha256(CONTENT).hexdigest()


def publish(**overrides) -> ContentPackage:
    args = {
        "kind": "hotfix",
        "version": "1.0.1",
        "release_notes": "notes",
        "checksum": SUM,
        "content": CONTENT,
        "required_client_version": "1.0",
    } | overrides
    return ContentPackage.publish(**args)


def test_a_published_package_keeps_what_it_was_published_with():
    package = publish()
    assert (package.kind, package.package_version, package.release_notes) == ("hotfix", "1.0.1", "notes")
    assert (package.checksum, package.size_bytes, package.required_client_version) == (SUM, len(CONTENT), "1.0")
    assert package.id == package_id("hotfix", "1.0.1") != package_id("hotfix", "1.0.2")
    assert package.version == 1


def test_an_upper_case_checksum_is_the_same_checksum():
    assert publish(checksum=SUM.upper()).checksum == SUM


@pytest.mark.parametrize(
    ("version", "parts"),
    [("1", [1, 0, 0, 0]), ("1.10.2", [1, 10, 2, 0]), ("999999.0.0.7", [999999, 0, 0, 7])],
)
def test_versions_compare_numerically_padded_to_four_parts(version, parts):
    assert version_parts(version) == parts


@pytest.mark.parametrize("version", ["", "1.", "1.2.3.4.5", "1234567", "v1", "1.-2"])
def test_other_versions_are_refused_naming_the_field(version):
    with pytest.raises(InvalidCommand) as refused:
        version_parts(version)
    assert refused.value.message == f"{version!r} is not a version like 1.4.2"
    assert refused.value.details == {"field": "version"}


def test_every_refusal_says_what_is_wrong():
    with pytest.raises(InvalidCommand) as kind:
        publish(kind="patch")
    assert (kind.value.message, kind.value.details) == (
        "kind must be one of ['hotfix', 'seasonal', 'localization']",
        {"field": "kind"},
    )
    with pytest.raises(InvalidCommand):
        publish(version="x")
    with pytest.raises(InvalidCommand):
        publish(required_client_version="x")
    assert publish(release_notes="n" * RELEASE_NOTES_MAX).release_notes == "n" * RELEASE_NOTES_MAX
    with pytest.raises(InvalidCommand, match=f"release notes are at most {RELEASE_NOTES_MAX} characters"):
        publish(release_notes="n" * (RELEASE_NOTES_MAX + 1))
    with pytest.raises(InvalidCommand) as malformed:
        publish(checksum="abc")
    assert malformed.value.details == {"field": "checksum"}


def test_a_checksum_of_other_bytes_is_refused_with_the_actual_one():
    with pytest.raises(ChecksumMismatch) as refused:
        publish(checksum=hashlib.sha256(b"other").hexdigest())
    assert refused.value.code == "checksum_mismatch"
    assert refused.value.details == {"actual": SUM}

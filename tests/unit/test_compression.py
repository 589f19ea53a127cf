"""Answers assembled from parts compressed once (api/compression.py): whatever
the parts and their order, the result is one valid stream of the encoding the
client weighs highest, and inflates to the plain answer."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.compression import Part, assembled, chosen

json_like = st.binary(max_size=3000) | st.text(alphabet='{}[]:,"abc0123 ', max_size=5000).map(str.encode)


@given(st.lists(json_like, max_size=70))
def test_parts_in_any_order_make_one_stream_that_inflates_to_the_plain_answer(plains):
    parts = [Part.of(p) for p in plains]
    whole = b"".join(plains)
    assert assembled(parts, None) == whole
    assert zlib.decompress(assembled(parts, "deflate")) == whole  # zlib's header and combined Adler-32 checked
    assert gzip.decompress(assembled(parts, "gzip")) == whole  # gzip's CRC-32 and size checked


def test_a_part_is_compressed_once_and_counts_both_forms():
    part = Part.of(b'{"blocks":{}}' * 1000)
    assert len(part.deflated) < len(part.plain) // 10 and len(part) == len(part.plain) + len(part.deflated)


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("br, zstd", None),
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("gzip, deflate", "deflate"),  # equal weights: deflate, whose checksum is combined, not computed
        ("deflate, gzip, br, zstd", "deflate"),
        ("GZIP;Q=0.9, deflate;q=0.5", "gzip"),
        ("deflate;q=0, gzip", "gzip"),
        ("*", "deflate"),
        ("*;q=0", None),
        ("gzip;q=0, deflate;q=0", None),
        ("*;q=0.5, gzip;q=0.8", "gzip"),
        ("gzip;q=nonsense", None),
    ],
)
def test_the_encoding_chosen_is_the_one_the_client_weighs_highest(header, encoding):
    assert chosen(header) == encoding

"""Large answers assembled from parts compressed once: ``deflate`` and ``gzip``
without compressing at request time.

An area of 8 x 8 chunks answers about 0.8 MB of JSON; sent as it is, the copy
through the socket was two fifths of the server's CPU. Each part of such an
answer (one chunk's JSON) is kept compressed, as raw DEFLATE ending on a
byte boundary (``Z_SYNC_FLUSH``), so that any sequence of parts is one valid
DEFLATE stream (RFC 1951: a part never refers back into another, and only the
closing empty block is final). A stream is wrapped as the client asked
(``Accept-Encoding``):

- ``deflate`` (RFC 1950's zlib format, as HTTP's ``deflate`` means): its
  Adler-32 is combined from the parts' own, two integer sums per part;
- ``gzip`` (RFC 1952): its CRC-32 is computed over the plain parts at request
  time (0.2 ms for 0.8 MB, outside the GIL), so ``deflate`` is preferred when a
  client takes both equally.

A client that takes neither gets the plain JSON. Hand-written because neither
Starlette nor a maintained package assembles precompressed parts (Starlette's
``GZipMiddleware`` compresses every answer again: 10 ms for an area), and the
two checksums are all it takes.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

LEVEL = 6  # zlib's default: an area's JSON shrinks about 13 times; compressed once per part, when first kept
BASE = 65521  # Adler-32's modulus
ZLIB_HEADER = b"\x78\x9c"  # deflate, 32 KiB window, default level (RFC 1950)
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name or time, unknown OS (RFC 1952)
FINAL_BLOCK = b"\x03\x00"  # an empty final block with fixed codes
ENCODINGS = ("deflate", "gzip")  # in the order preferred when a client's weights are equal


@dataclass(frozen=True, slots=True)
class Part:
    """Some bytes of an answer, with their raw DEFLATE form and its checksum."""

    plain: bytes
    deflated: bytes
    adler: int

    @classmethod
    def of(cls, plain: bytes) -> Part:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        return cls(plain, compressor.compress(plain) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.adler32(plain))

    def __len__(self) -> int:  # what a cache keeping it holds, in bytes
        return len(self.plain) + len(self.deflated)


def chosen(accept_encoding: str | None) -> str | None:
    """The encoding of ``ENCODINGS`` the client weighs highest (``Accept-Encoding``,
    RFC 9110 12.5.3, ``*`` included), or None for the plain answer."""
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        name, _, params = item.partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip().lower()] = weight
    best = max(ENCODINGS, key=lambda e: weights.get(e, weights.get("*", 0.0)))
    return best if weights.get(best, weights.get("*", 0.0)) > 0 else None


def assembled(parts: list[Part], encoding: str | None) -> bytes:
    """The parts one after the other, in ``encoding`` (None: plain)."""
    if encoding is None:
        return b"".join([p.plain for p in parts])
    body = b"".join([p.deflated for p in parts])
    if encoding == "deflate":
        # Adler-32 is two sums (RFC 1950 8.2): low = 1 + the bytes, high = the sum of
        # every low along the way. A part of n bytes whose own are (low', high') adds
        # low' - 1 to low, and n * low + high' - n to high (zlib's adler32_combine,
        # which Python's zlib does not expose, folded over the parts).
        low, high = 1, 0
        for part in parts:
            n = len(part.plain)
            high += n * low + (part.adler >> 16) - n
            low += (part.adler & 0xFFFF) - 1
        adler = (high % BASE) << 16 | low % BASE
        return b"".join((ZLIB_HEADER, body, FINAL_BLOCK, struct.pack(">I", adler)))
    crc, size = 0, 0
    for part in parts:
        crc, size = zlib.crc32(part.plain, crc), size + len(part.plain)
    return b"".join((GZIP_HEADER, body, FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)))

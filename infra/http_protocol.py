"""uvicorn's HTTP protocol with a bound on the time a client may take to send
a request's headers.

uvicorn bounds idle keep-alive connections, but not header reading: 2,000
connections sending one header line every 5 s stayed open for as long as the
clients liked (slowloris). Here every connection must finish a request's
headers within ``header_timeout`` seconds of its first byte (or of the
connection opening), or it is closed. Bodies are bounded by size at the ASGI
layer (api/limits.py). A reverse proxy in front (docs/operations.md) may add
its own timeouts; this one holds without it.

A subclass rather than a proxy because uvicorn has no such setting and the
backend must be safe as ``make run`` starts it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeaderTimeoutProtocol(HttpToolsProtocol):
    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # a keep-alive connection's next request

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\nconnection: close\r\n"
                b"content-length: 36\r\n\r\nrequest headers took too long (408)\n"
            )
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for ``uvicorn.run(http=...)``, bounding headers to ``seconds``."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})


def uvicorn_options(header_timeout: float = HeaderTimeoutProtocol.header_timeout) -> dict[str, Any]:
    """The uvicorn options every server of this backend (and the benchmarks' baselines) uses."""
    return {
        "http": with_header_timeout(header_timeout),
        "ws_per_message_deflate": False,  # session frames are small JSON; compressing costs more than it saves
        "timeout_keep_alive": 5,
    }

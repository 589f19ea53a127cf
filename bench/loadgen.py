"""A minimal keep-alive HTTP/1.1 load generator on asyncio streams.

Hand-written on purpose: Python HTTP clients (httpx, aiohttp) cost more CPU per
request than the server under test on this 2-core machine, and the load tool
must not be what the benchmark measures. It speaks only what the benchmark
needs: JSON requests, Content-Length responses, one connection per client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader
        self.writer: asyncio.StreamWriter

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def anonymous(self) -> dict[str, str]:
        """Sign a new anonymous player up on this connection: its bearer header."""
        signup = await self.request("POST", "/v1/auth/anonymous", b"{}")
        return {"Authorization": f"Bearer {orjson.loads(signup.body)['access_token']}"}

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 30)
        status_line, *header_lines = head.decode().split("\r\n")
        parsed = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                parsed[name.strip().lower()] = value.strip()
        data = await self.reader.readexactly(int(parsed.get("content-length", "0")))
        return Response(int(status_line.split()[1]), parsed, data)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Result:
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)


async def run_clients(clients: list[Callable[[], Awaitable[bool]]], seconds: float) -> tuple[Result, float]:
    """Each client callable does one request and returns success; run all for ``seconds``."""
    result = Result()
    deadline = time.perf_counter() + seconds

    async def loop(step: Callable[[], Awaitable[bool]]) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = await step()
            result.latencies.append(time.perf_counter() - started)
            if ok:
                result.ok += 1
            else:
                result.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in clients))
    return result, time.perf_counter() - started

"""Slow clients cannot hold connections: headers must arrive within the bound."""

from __future__ import annotations

import socket
import time

import pytest


def connect(live_server) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", live_server.port), timeout=10)
    s.settimeout(10)
    return s


def closed_after(s: socket.socket) -> tuple[float, bytes]:
    started = time.monotonic()
    received = b""
    while chunk := s.recv(4096):
        received += chunk
    return time.monotonic() - started, received


@pytest.mark.parametrize("live_server", [{"header_timeout_seconds": 1.5}], indirect=True)
def test_a_client_sending_headers_slowly_is_answered_408_and_closed(live_server):
    s = connect(live_server)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    try:
        for _ in range(10):  # one header line a second: slowloris
            time.sleep(1)
            s.sendall(b"X-Slow: 1\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    _, received = closed_after(s)
    assert time.monotonic() - started < 6
    assert received.startswith(b"HTTP/1.1 408")


@pytest.mark.parametrize("live_server", [{"header_timeout_seconds": 1.5}], indirect=True)
def test_a_connection_that_sends_nothing_is_closed(live_server):
    waited, _ = closed_after(connect(live_server))
    assert waited < 5


@pytest.mark.parametrize("live_server", [{"header_timeout_seconds": 1.5}], indirect=True)
def test_a_prompt_client_on_a_keep_alive_connection_is_not_cut_off(live_server):
    s = connect(live_server)
    for _ in range(3):
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 ")
        time.sleep(1)  # longer, in all, than the header bound: only header time counts
    s.close()

"""The OpenAPI document tells the truth: a bounded schemathesis run (every
check, the stateful phase included) against the real server must find no
server error, no undocumented status, content type or body."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = os.environ.get("LOREKEEPER_FUZZ_EXAMPLES", "15")


def test_schemathesis_finds_nothing_the_document_does_not_say(live_server, tmp_path):
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        http.post("/v1/auth/anonymous", json={"display_name": "Fuzz"}).raise_for_status()
    report = tmp_path / "report"
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            f"{live_server.url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--request-timeout",
            "15",
            "--max-response-time",
            "15",
            "--seed",
            "1",
            "--header",
            f"Authorization: {live_server.token('admin')['Authorization']}",
            "--generation-codec",
            "utf-8",
            "--no-color",
            "--report-dir",
            str(report),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]

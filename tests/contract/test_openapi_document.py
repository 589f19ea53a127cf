"""The OpenAPI document, read as a client developer reads it."""

from __future__ import annotations

import re

PROBLEM = "application/problem+json"


def test_every_failure_answer_is_documented_as_a_problem(http):
    document = http.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "500" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400 and path != "/health":
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_rules_the_edge_enforces_are_in_the_document(http):
    document = http.get("/openapi.json").json()
    put = document["paths"]["/v1/save-slots/{slot_id}"]["put"]
    if_match = next(p for p in put["parameters"] if p["name"].lower() == "if-match")
    assert if_match["required"] is True and "pattern" in if_match["schema"]
    assert {"400", "412", "428", "413", "422", "429"} <= set(put["responses"])
    wait = document["paths"]["/v1/players/{player_id}"]["get"]
    position = next(p for p in wait["parameters"] if p["name"] == "min_position")
    assert position["schema"]["maximum"] == 2**63 - 1
    assert {"422", "503"} <= set(wait["responses"])
    value = document["components"]["schemas"]["JsonValue"]
    assert any(b.get("maximum") == 2**63 - 1 for b in value["anyOf"])


def test_content_types_are_the_real_ones(http):
    document = http.get("/openapi.json").json()
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert any(kind.startswith("text/plain") for kind in metrics)
    download = document["paths"]["/v1/content/{package_id}/download"]["get"]["responses"]["200"]["content"]
    assert list(download) == ["application/octet-stream"]


def test_the_docs_page_needs_no_cdn(http):
    page = http.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and not [s for s in sources if s.startswith(("http://", "https://", "//"))], sources
    for source in sources:
        assert http.get(source).status_code == 200, source

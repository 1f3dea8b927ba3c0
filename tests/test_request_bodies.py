"""Request bodies over real HTTP: one limit however the body is framed (Content-Length, chunked,
multipart), a 413 that names it, never a body cut short; and Content-Types that do not parse."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import DATA, LiveServer, production_server

PASSPORT = (DATA / "passports" / "complete.ttl").read_bytes()
VIOLATION = b'ex:specification elm:volumeOfLearning "75"^^xsd:integer .\n'
COMMENTS = (b"#" * 99 + b"\n") * 44_000  # 4.4 MB of Turtle comments


def post(url: str, path: str, body: bytes, headers: dict[str, str], chunked: bool) -> tuple[int, Message, bytes]:
    """POST with http.client, the body sent chunked (in 64 KiB pieces) or with a Content-Length."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        if chunked:
            pieces: Iterator[bytes] = (body[i:i + 65536] for i in range(0, len(body), 65536))
            conn.request("POST", path, body=pieces, headers=headers, encode_chunked=True)
        else:
            conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def assert_too_large(status: int, headers: Message, body: bytes, limit: int) -> None:
    assert status == 413 and headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["type"].endswith("/payload-too-large")
    assert f"at most {limit} bytes" in problem["detail"] and "MICROCRED_MAX_BODY" in problem["detail"]
    assert problem["limit"] == limit


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_passport_body_over_the_limit_is_413_not_truncated(live_server: LiveServer, settings, chunked: bool) -> None:
    body = PASSPORT + COMMENTS + VIOLATION
    assert len(body) > settings.max_body
    answer = post(live_server.url, "/validate", body, {"Content-Type": "text/turtle"}, chunked)
    assert_too_large(*answer, settings.max_body)


def test_a_chunked_query_over_the_limit_is_413_not_cut_before_its_limit(live_server: LiveServer, settings) -> None:
    query = b"SELECT * WHERE { ?s ?p ?o }" + b" " * settings.max_body + b"LIMIT 1"
    answer = post(live_server.url, "/sparql", query, {"Content-Type": "application/sparql-query"}, True)
    assert_too_large(*answer, settings.max_body)


def test_a_chunked_multipart_upload_over_the_limit_is_413(live_server: LiveServer, settings) -> None:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.ttl"\r\n'
            "Content-Type: text/turtle\r\n\r\n").encode() + PASSPORT + COMMENTS + VIOLATION + \
        f"\r\n--{boundary}--\r\n".encode()
    answer = post(live_server.url, "/validate", body,
                  {"Content-Type": f"multipart/form-data; boundary={boundary}"}, True)
    assert_too_large(*answer, settings.max_body)


def test_a_chunked_passport_under_the_limit_is_read_to_its_last_triple(live_server: LiveServer) -> None:
    body = PASSPORT + COMMENTS[:1_000_000] + VIOLATION
    status, _, answer = post(live_server.url, "/validate", body,
                             {"Content-Type": "text/turtle", "Accept": "application/json"}, True)
    report = json.loads(answer)
    assert status == 200 and report["conforms"] is False
    assert {(r["path"], r["severity"]) for r in report["results"]} == {("elm:volumeOfLearning", "Violation")}


@pytest.mark.parametrize("path, content_type", [("/validate", ";;;"), ("/sparql", ";;;"),
                                                ("/validate", "text"), ("/validate", "a b/c")])
def test_an_unparseable_content_type_is_415_not_sniffed(live_server: LiveServer, path: str,
                                                        content_type: str) -> None:
    body = PASSPORT if path == "/validate" else b"ASK {}"
    status, headers, answer = post(live_server.url, path, body, {"Content-Type": content_type}, False)
    assert status == 415 and headers["Content-Type"] == "application/problem+json"
    assert "is not a media type" in json.loads(answer)["detail"]


@pytest.mark.slow
def test_chunked_bodies_over_the_limit_are_413_through_the_production_server(tmp_path: Path) -> None:
    """granian (`microcred serve --workers 2`) frames bodies itself; the same limit holds there."""
    limit = 200_000
    settings = {"MICROCRED_MAX_BODY": str(limit), "MICROCRED_VALIDATION_WORKERS": "1",
                "MICROCRED_QUERY_WORKERS": "1"}
    with production_server(tmp_path, settings) as url:
        over = PASSPORT + COMMENTS[:limit] + VIOLATION
        assert_too_large(*post(url, "/validate", over, {"Content-Type": "text/turtle"}, True), limit)
        query = b"SELECT * WHERE { ?s ?p ?o }" + b" " * limit + b"LIMIT 1"
        assert_too_large(*post(url, "/sparql", query, {"Content-Type": "application/sparql-query"}, True), limit)
        under = PASSPORT + COMMENTS[:100_000] + VIOLATION
        status, _, answer = post(url, "/validate", under, {"Content-Type": "text/turtle"}, True)
        assert status == 200 and json.loads(answer)["conforms"] is False

"""Regression tests for hostile passports: each names what broke, over real HTTP and the real CLI."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import CORPUS, LiveServer
from microcred.cli import main
from microcred.config import load_settings
from microcred.errors import LimitExceeded
from microcred.web import create_app
from microcred.workers import Job, ValidationPool

DATA = Path(__file__).resolve().parent / "data"
PASSPORTS = DATA / "passports"
EX = "https://passports.example.org/"
BOM = b"\xef\xbb\xbf"
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "hahahahahahahahahahahahahahahahahahahahahahahahahahahahahahahahahahaha">
""" + b"".join(b' <!ENTITY %s "%s">\n' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10)
               for i in range(9)) + b"""]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
 <rdf:Description rdf:about="https://a.example/x"><dct:title>&j;</dct:title></rdf:Description>
</rdf:RDF>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
 <rdf:Description rdf:about="https://a.example/x"><dct:title>&secret;</dct:title></rdf:Description>
</rdf:RDF>
"""
REFUSED = "RDF/XML with a DTD that declares entities is refused"


@pytest.fixture(scope="module")
def context_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contexts")  # empty: a test adds to it while the server runs


@pytest.fixture(scope="module")
def server(settings, vocabulary, context_dir: Path):  # noqa: ANN001, ANN201
    app = create_app(settings.replace(context_dir=str(context_dir), validation_workers=2,
                                      validation_timeout=2.0, max_body=8 * 1024 * 1024), vocabulary)
    with LiveServer(app) as live:
        live.pool = app.extensions["microcred"].extras["validation"].pool  # type: ignore[attr-defined]
        yield live
    live.pool.close()


def post(server: LiveServer, data: bytes, content_type: str | None, query: str = ""):  # noqa: ANN201
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(server.url + "/validate" + query, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def cli(runner, *args: str, context_dir: Path | None = None):  # noqa: ANN001, ANN201
    env = {"MICROCRED_CONTEXT_DIR": str(context_dir)} if context_dir else {}
    return runner.invoke(main, list(args), env=env)


# 1. --workers -1 hung for ever on a pool with no worker

@pytest.mark.parametrize("workers", ["-1", "0"])
def test_cli_validate_with_workers_below_one_is_a_usage_error(runner, workers: str) -> None:  # noqa: ANN001
    result = cli(runner, "validate", str(PASSPORTS / "complete.ttl"), "--workers", workers)
    assert result.exit_code == 2 and "--workers" in result.output


def test_a_pool_with_negative_workers_is_refused() -> None:
    from microcred.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="at least one worker"):
        ValidationPool(load_settings(environ={}), -1)


# 2, 7. entity declarations in RDF/XML were expanded (billion laughs) or misreported (external)

@pytest.mark.parametrize("document,line", [(LAUGHS, 3), (EXTERNAL, 2)])
def test_rdfxml_declaring_entities_is_refused_over_http(server: LiveServer, document: bytes, line: int) -> None:
    status, _, problem = post(server, document, "application/rdf+xml")
    assert status == 400 and problem["type"].endswith("/rdf-syntax")
    assert problem["detail"].startswith(REFUSED) and problem["line"] == line and problem["column"] > 1
    status, _, report = post(server, (PASSPORTS / "complete.rdf").read_bytes(), "application/rdf+xml")
    assert status == 200 and report["conforms"] is True  # ordinary RDF/XML still reads


def test_rdfxml_declaring_entities_is_refused_by_the_cli(runner, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "laughs.rdf").write_bytes(LAUGHS)
    result = cli(runner, "validate", str(tmp_path / "laughs.rdf"))
    assert result.exit_code == 2 and REFUSED in result.stderr and "(line 3, column" in result.stderr


@pytest.mark.corpus
def test_edc_rdfxml_sample_still_reads() -> None:
    from microcred.validation import PassportValidator

    validator = PassportValidator.from_settings(load_settings(environ={}))
    graph, _ = validator.parse((CORPUS / "elm" / "rdf-xml" / "EDC-generic-full.rdf").read_bytes(),
                               "application/rdf+xml")
    assert len(graph) > 100


def test_validation_past_the_memory_cap_is_503_memory_and_the_worker_is_replaced() -> None:
    settings = load_settings({"validation_memory": 1536, "validation_timeout": 60.0}, environ={})
    huge = b"".join(b'<https://a.example/s%d> <https://a.example/p> "%d" .\n' % (i, i) for i in range(2_000_000))
    complete = Job((PASSPORTS / "complete.ttl").read_bytes(), "text/turtle", "issued")
    with ValidationPool(settings, 1, "forkserver") as pool:
        outcomes = pool.validate_many([Job(huge, "application/n-triples", name="huge.nt"), complete])
        assert isinstance(outcomes[0], LimitExceeded) and outcomes[0].extra["reason"] == "memory"
        assert "huge.nt" in outcomes[0].detail
        assert outcomes[1].conforms  # a fresh worker took over


# 3. a leading UTF-8 byte order mark was a syntax error

@pytest.mark.parametrize("name,media_type", [("complete.ttl", "text/turtle"), ("complete.nt", "application/n-triples"),
                                             ("complete.rdf", "application/rdf+xml")])
def test_passport_starting_with_a_bom_validates(server: LiveServer, name: str, media_type: str) -> None:
    status, _, report = post(server, BOM + (PASSPORTS / name).read_bytes(), media_type)
    assert status == 200 and report["conforms"] is True


def test_passport_starting_with_a_bom_validates_in_the_cli(runner, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "bom.ttl").write_bytes(BOM + (PASSPORTS / "complete.ttl").read_bytes())
    (tmp_path / "bom.jsonld").write_bytes(BOM + b'{"@id": "https://a.example/x", "https://a.example/p": "v"}')
    result = cli(runner, "validate", "--format", "json", str(tmp_path))
    body = json.loads(result.stdout)
    assert body["summary"] == {"files": 2, "conforming": 1, "notConforming": 1, "errors": 0}


# 4. the queue had no bound: waiting for a worker did not count toward the limit

def test_busy_pool_answers_503_busy_with_retry_after(server: LiveServer) -> None:
    pool = server.pool  # type: ignore[attr-defined]
    pool.start()
    held = [pool._idle.get() for _ in range(pool.size)]  # every worker taken, as by long validations
    try:
        status, headers, problem = post(server, (PASSPORTS / "complete.ttl").read_bytes(), "text/turtle")
    finally:
        for worker in held:
            pool._idle.put(worker)
    assert status == 503 and problem["reason"] == "busy" and int(headers["Retry-After"]) >= 1
    status, _, report = post(server, (PASSPORTS / "complete.ttl").read_bytes(), "text/turtle")
    assert status == 200 and report["conforms"] is True


def test_overrun_answers_503_timeout_with_retry_after(server: LiveServer) -> None:
    big = "\n".join(f"<{EX}c{i}> a <http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential> ; "
                    f"<https://www.w3.org/2018/credentials#credentialSubject> <{EX}p{i}> . "
                    f"<{EX}p{i}> <http://data.europa.eu/snb/model/elm/hasClaim> <{EX}a{i}> ."
                    for i in range(14000)).encode()  # under max_body, over 2 s
    status, headers, problem = post(server, big, "text/turtle")
    assert status == 503 and problem["reason"] == "timeout" and problem["limit"] == 2.0
    assert int(headers["Retry-After"]) >= 1


# 5. a running server ignored `microcred contexts add` until restarted

def test_context_added_while_the_server_runs_is_used_without_restart(server: LiveServer, runner,  # noqa: ANN001
                                                                     context_dir: Path) -> None:
    passport = (PASSPORTS / "complete.jsonld").read_bytes()
    status, _, problem = post(server, passport, "application/ld+json")
    assert status == 400 and f"microcred contexts add {EX}context.jsonld" in problem["detail"]
    added = cli(runner, "contexts", "add", str(DATA / "contexts" / "passport.jsonld"), "--url",
                EX + "context.jsonld", context_dir=context_dir)
    assert added.exit_code == 0, added.output
    for _ in range(3):  # each worker process sees it
        status, _, report = post(server, passport, "application/ld+json")
        assert status == 200 and report["conforms"] is True


# 6. invalid JSON-LD leaked Python exceptions, or silently gave no triples

@pytest.mark.parametrize("document,detail,pointer", [
    ('{"@context": 5, "@id": "https://a.example/x"}', "@context at /@context must be null, a string", "/@context"),
    ('{"@language": 5}', "@language at /@language must be a string, not the number 5", "/@language"),
    ('{"@id": 5}', "@id at /@id must be a string", "/@id"),
    ('{"@graph": [{"@id": "https://a.example/a b", "https://a.example/p": "v"}]}',
     "@id at /@graph/0/@id is not an IRI: 'https://a.example/a b' holds a space", "/@graph/0/@id"),
    ('{"@id": "<https://a.example/x>", "https://a.example/p": "v"}', "holds the character '<'", "/@id"),
    ('{"@id": "https://a.example/x", "@type": [1]}', "@type at /@type must be a string or an array", "/@type"),
])
def test_invalid_jsonld_keywords_are_400_naming_keyword_and_value(server: LiveServer, document: str, detail: str,
                                                                  pointer: str) -> None:
    status, _, problem = post(server, document.encode(), "application/ld+json")
    assert status == 400 and detail in problem["detail"] and problem["pointer"] == pointer
    assert "Error" not in problem["detail"]  # no Python exception names


@pytest.mark.parametrize("document,media_type,detail", [
    (b'{"title": "no context maps this term"}', "application/ld+json", "the JSON-LD document holds no RDF statements"),
    (b'{"payload": "eyJhbGciOiJFUzI1NiJ9.e30.sig", "signatures": []}', "application/ld+json",
     "extract the credential from its payload"),
    (b"@prefix ex: <https://a.example/> .", "text/turtle", "the Turtle document holds no RDF statements"),
])
def test_document_without_statements_is_400_not_a_report(server: LiveServer, document: bytes, media_type: str,
                                                         detail: str) -> None:
    status, _, problem = post(server, document, media_type)
    assert status == 400 and detail in problem["detail"]


# 8. a term longer than pyoxigraph's buffer gave "validation failed unexpectedly: MemoryError"

def test_term_too_long_for_the_parser_is_a_clear_error_in_the_cli(runner, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "long.ttl").write_bytes(b'<https://a.example/s> <https://a.example/p> "'
                                        + b"x" * (17 * 1024 * 1024) + b'" .\n')
    result = cli(runner, "validate", str(tmp_path / "long.ttl"))
    assert result.exit_code == 2 and "too large for the parser" in result.stderr
    assert "MemoryError" not in result.stderr and "unexpectedly" not in result.stderr


# 9. an empty passport was a 400, a non-conforming report or exit 1, depending on the way in

def test_empty_passport_is_the_same_error_every_way_in(server: LiveServer, runner) -> None:  # noqa: ANN001
    status, _, raw = post(server, b" \n", "text/turtle")
    assert status == 400 and raw["detail"].startswith("empty document")
    boundary = "b0undary"
    form = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="empty.ttl"\r\n'
            f"Content-Type: text/turtle\r\n\r\n\r\n--{boundary}--\r\n").encode()
    status, _, upload = post(server, form, f"multipart/form-data; boundary={boundary}")
    assert status == 400 and "empty document" in upload["detail"] and upload["source"] == "empty.ttl"
    result = cli(runner, "validate", "/dev/null")
    assert result.exit_code == 2 and "empty document" in result.stderr


# 10. unknown message languages were accepted silently

def test_unknown_message_language_is_refused(server: LiveServer, runner) -> None:  # noqa: ANN001
    passport = (PASSPORTS / "missing-title.ttl").read_bytes()
    status, _, problem = post(server, passport, "text/turtle", "?_lang=fr")
    assert status == 400 and "not 'fr'" in problem["detail"] and problem["accepted"] == ["en", "it"]
    status, _, report = post(server, passport, "text/turtle", "?_lang=it-CH&_profile=draft")
    assert status == 200 and report["results"][0]["messageLang"] == "it"
    result = cli(runner, "validate", "--lang", "fr", str(PASSPORTS / "complete.ttl"))
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'it'" in result.output

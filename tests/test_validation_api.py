"""The validation API over real HTTP: negotiation, batches, limits and errors as problem+json."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from conftest import LiveServer
from microcred.contexts import ContextStore
from microcred.web import create_app

DATA = Path(__file__).resolve().parent / "data"
PASSPORTS = DATA / "passports"
EX = "https://passports.example.org/"


@pytest.fixture(scope="module")
def server(settings, vocabulary, tmp_path_factory):  # noqa: ANN001, ANN201
    contexts = tmp_path_factory.mktemp("contexts")
    ContextStore(contexts).add(EX + "context.jsonld", (DATA / "contexts" / "passport.jsonld").read_bytes())
    app = create_app(settings.replace(context_dir=str(contexts), max_body=300_000, validation_workers=2),
                     vocabulary)
    with LiveServer(app) as live:
        yield live
    app.extensions["microcred"].extras["validation"].pool.close()


def call(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):  # noqa: ANN201
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n".encode() + body + b"\r\n" for name, body in files]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_get_lists_profiles_or_shows_the_page(server: LiveServer) -> None:
    status, headers, body = call(server.url + "/validate")
    listing = json.loads(body)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert listing["default"] == "issued" and [p["id"] for p in listing["profiles"]] == ["draft", "issued"]
    status, headers, body = call(server.url + "/validate", headers={"Accept": "text/html"})
    assert status == 200 and b'<textarea id="passport" name="passport"' in body


def test_post_gives_the_json_summary(server: LiveServer) -> None:
    status, _, body = call(server.url + "/validate?_profile=draft", (PASSPORTS / "missing-title.ttl").read_bytes(),
                           {"Content-Type": "text/turtle"})
    report = json.loads(body)
    assert status == 200 and report["conforms"] is False and report["profile"] == "draft"
    assert [(r["focusNode"], r["path"], r["severity"]) for r in report["results"]] == [
        (EX + "achievement", "dct:title", "Violation")]
    assert report["results"][0]["glossaryTerm"] == "https://w3id.org/microcred/glossary/micro-credential"


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml"), ("application/n-triples", "nt")])
def test_post_negotiates_the_shacl_report(server: LiveServer, accept: str, fmt: str) -> None:
    status, headers, body = call(server.url + "/validate?profile=issued&_lang=it",
                                 (PASSPORTS / "missing-awarding-body.ttl").read_bytes(),
                                 {"Content-Type": "text/turtle", "Accept": accept})
    graph = Graph().parse(data=body, format=fmt)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    (result,) = graph.objects(None, SH.result)
    assert str(graph.value(result, SH.focusNode)) == EX + "achievement"
    assert str(graph.value(result, SH.resultMessage)).startswith("Una microcredenziale deve indicare l'ente")
    assert next(graph.objects(None, SH.conforms)).toPython() is False


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml"), ("application/n-triples", "nt")])
def test_served_report_keeps_message_language_and_value_datatype(server: LiveServer, accept: str, fmt: str) -> None:
    _, _, body = call(server.url + "/validate?_profile=issued&_lang=en",
                      (PASSPORTS / "wrong-workload-datatype.ttl").read_bytes(),
                      {"Content-Type": "text/turtle", "Accept": accept})
    graph = Graph().parse(data=body, format=fmt)
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    (result,) = graph.objects(report, SH.result)
    assert graph.value(result, RDF.type) == SH.ValidationResult
    assert graph.value(result, SH.focusNode) == URIRef(EX + "specification")
    assert graph.value(result, SH.resultPath) == URIRef("http://data.europa.eu/snb/model/elm/volumeOfLearning")
    assert graph.value(result, SH.resultSeverity) == SH.Violation
    assert graph.value(result, SH.sourceConstraintComponent) == SH.DatatypeConstraintComponent
    message = graph.value(result, SH.resultMessage)
    assert message.language == "en" and str(message).startswith("A volume of learning must be one xsd:duration")
    assert graph.value(result, SH.value) == Literal("75", datatype=XSD.integer)


def test_served_report_keeps_blank_node_paths(server: LiveServer) -> None:
    _, _, body = call(server.url + "/validate?_profile=issued", (PASSPORTS / "missing-issuer-country.ttl").read_bytes(),
                      {"Content-Type": "text/turtle", "Accept": "text/turtle"})
    graph = Graph().parse(data=body, format="turtle")
    results = list(graph.objects(None, SH.result))
    assert len(results) == 2 and all(graph.value(r, SH.resultMessage).language == "en" for r in results)
    (result,) = (r for r in results if graph.value(r, SH.focusNode) == URIRef(EX + "university"))
    branches = Collection(graph, graph.value(graph.value(result, SH.resultPath), SH.alternativePath))
    assert [[str(p).rsplit("/", 1)[-1] for p in Collection(graph, b)] for b in branches] == [
        ["location", "address", "countryCode"], ["eidasLegalIdentifier", "spatial"]]


def test_html_report_is_grouped_by_focus_node(server: LiveServer) -> None:
    status, _, body = call(server.url + "/validate", (PASSPORTS / "missing-issuer-country.ttl").read_bytes(),
                           {"Content-Type": "text/turtle", "Accept": "text/html"})
    page = body.decode()
    assert status == 200
    assert page.count("<h3><code>") == 2  # the university and its eIDAS identifier
    assert 'href="/glossary/credential"' in page


def test_batch_upload_gives_a_report_each_and_a_summary(server: LiveServer) -> None:
    body, content_type = multipart([("complete.jsonld", (PASSPORTS / "complete.jsonld").read_bytes()),
                                    ("missing-workload.ttl", (PASSPORTS / "missing-workload.ttl").read_bytes()),
                                    ("bad.nt", (PASSPORTS / "malformed" / "bad.nt").read_bytes())])
    status, _, answer = call(server.url + "/validate", body, {"Content-Type": content_type})
    batch = json.loads(answer)
    assert status == 200
    assert batch["summary"] == {"passports": 3, "conforming": 1, "notConforming": 1, "errors": 1}
    assert [(r["source"], r["conforms"]) for r in batch["reports"]] == [("complete.jsonld", True),
                                                                      ("missing-workload.ttl", False)]
    assert batch["errors"][0]["source"] == "bad.nt" and batch["errors"][0]["line"] == 2


@pytest.mark.parametrize("name,media_type,line,column", [
    ("bad.ttl", "text/turtle", 3, 24), ("bad.nt", "application/n-triples", 2, 69),
    ("bad.jsonld", "application/ld+json", 4, 7), ("bad.rdf", "application/rdf+xml", 4, 5),
    ("bad.trig", "application/trig", 4, 1)])
def test_malformed_passport_is_400_with_its_position(server: LiveServer, name: str, media_type: str,
                                                     line: int, column: int) -> None:
    status, headers, body = call(server.url + "/validate", (PASSPORTS / "malformed" / name).read_bytes(),
                                 {"Content-Type": media_type})
    problem = json.loads(body)
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert (problem["line"], problem["column"]) == (line, column)
    assert problem["type"] == "https://w3id.org/microcred/problems/rdf-syntax"


@pytest.mark.parametrize("body,headers,status,slug", [
    (b"x" * 400_000, {"Content-Type": "text/turtle"}, 413, "payload-too-large"),
    (b"<a> <b> <c> .", {"Content-Type": "image/png"}, 415, "unsupported-media-type"),
    (b"[" * 100_000, {"Content-Type": "application/ld+json"}, 400, "bad-request"),
    (b'{"@context": "https://nowhere.example/ctx", "@id": "https://a.example/x"}',
     {"Content-Type": "application/ld+json"}, 400, "jsonld-context-unavailable"),
])
def test_bad_requests_are_problems_and_the_service_keeps_serving(server: LiveServer, body: bytes, headers: dict,
                                                                 status: int, slug: str) -> None:
    got, answer_headers, answer = call(server.url + "/validate", body, headers)
    assert got == status and answer_headers["Content-Type"] == "application/problem+json"
    assert json.loads(answer)["type"].endswith(slug)
    again, _, _ = call(server.url + "/validate", (PASSPORTS / "complete.ttl").read_bytes(),
                       {"Content-Type": "text/turtle"})
    assert again == 200


def test_unknown_profile_is_404(server: LiveServer) -> None:
    status, _, body = call(server.url + "/validate?_profile=nope", b"<a:b> <a:c> <a:d> .",
                           {"Content-Type": "application/n-triples"})
    assert status == 404 and json.loads(body)["profiles"] == ["draft", "issued"]


def test_openapi_describes_validation(server: LiveServer) -> None:
    _, _, body = call(server.url + "/openapi.json")
    paths = json.loads(body)["paths"]
    assert set(paths["/validate"]) == {"get", "post"}
    assert {"400", "404", "413", "415", "503"} <= set(paths["/validate"]["post"]["responses"])

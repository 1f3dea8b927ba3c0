"""The W3C SPARQL 1.1 Protocol test suite (../shared/corpus/sparql-protocol) against /sparql,
on both backends, each loaded with the suite's data as the named graphs it expects.

Of the 34 tests, 27 apply to a read-only query service and run here:
- the 13 query tests (query_get, query_post_form, query_post_direct, the 6 dataset tests,
  the 4 content-type tests): the expected status, result format and boolean;
- the 7 bad_query_* tests: each must get a 4xx;
- the 7 bad_update_* tests: each must get a 4xx. They pass because this service refuses every
  update, not because it finds the particular fault each one carries.
The 7 update_* tests do not apply: they expect SPARQL Update to succeed (CLEAR, DROP, INSERT,
with using-graph-uri / using-named-graph-uri and a service-defined base), which a read-only
endpoint refuses by design. Their first request is still sent, and must be refused with 400.
"""

from __future__ import annotations

import http.client
import json
import xml.dom.minidom
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

from conftest import CORPUS, LiveServer, start_oxigraph
from microcred.store import open_engine

SUITE = CORPUS / "sparql-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
NOT_APPLICABLE = "SPARQL Update: this endpoint is read-only by design"
TABULAR = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"}
BOOLEAN = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {"text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"}


def load_manifest() -> list[dict[str, Any]]:
    """The suite's tests in manifest order, each with its requests and expectations."""
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = []
        for req in Collection(graph, graph.value(action, HT.requests)):
            body = graph.value(req, HT.body)
            response = graph.value(req, HT.resp)
            headers = {}
            if graph.value(req, HT.headers) is not None:
                for header in Collection(graph, graph.value(req, HT.headers)):
                    headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            requests.append({
                "method": str(graph.value(req, HT.methodName)),
                "path": str(graph.value(req, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(graph.value(body, CNT.chars)).encode(
                    str(graph.value(body, CNT.characterEncoding))),
                "statuses": {str(s).rsplit("#", 1)[-1] for s in graph.objects(response, MF.expectedStatus)},
                "format": graph.value(response, MF.expectedFormat),
                "boolean": graph.value(response, MF.expectedBoolean),
            })
        data = [(SUITE / Path(str(graph.value(d, UT.graph))).name, str(graph.value(d, rdflib.RDFS.label)))
                for d in graph.objects(entry, UT.graphData)]
        tests.append({"name": str(entry).rsplit("#", 1)[-1], "requests": requests, "data": data})
    return tests


TESTS = load_manifest() if SUITE.is_dir() else []
ABSENT = [pytest.param({"name": "absent"}, marks=pytest.mark.skip(
    reason=f"the W3C protocol suite is not beside this checkout ({SUITE.name} under ../shared/corpus)"))]


def suite_store() -> ox.Store:
    """Every graph the suite loads, each under the name it expects."""
    store = ox.Store()
    for test in TESTS:
        for path, name in test["data"]:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    return store


@pytest.fixture(scope="module", params=["embedded", "remote"])
def protocol_server(request: pytest.FixtureRequest, sparql_settings, sparql_vocabulary,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from microcred.web import create_app

    store = suite_store()
    oxigraph = None
    settings = sparql_settings
    if request.param == "remote":
        oxigraph = start_oxigraph(tmp_path_factory.mktemp("protocol"), store)
        settings = settings.replace(sparql_endpoint=oxigraph.url)
    app = create_app(settings, sparql_vocabulary)
    extras = app.extensions["microcred"].extras
    extras["sparql"].close()
    extras["sparql"] = open_engine(settings, store)  # the suite's dataset, not the vocabulary
    try:
        with LiveServer(app) as server:
            yield server
    finally:
        extras["sparql"].close()
        if oxigraph is not None:
            oxigraph.stop()


def send(server: LiveServer, req: dict[str, Any]) -> tuple[int, str, bytes]:
    """One request of the suite, sent as written (no headers added but Host)."""
    path = req["path"].replace("/sparql/", "/sparql", 1)
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(req["method"], path, body=req["body"], headers=req["headers"])
        response = connection.getresponse()
        media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        return response.status, media_type, response.read()
    finally:
        connection.close()


def boolean_of(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    text = xml.dom.minidom.parseString(body).getElementsByTagName("boolean")[0].firstChild.data
    return text.strip() == "true"


def check(response: tuple[int, str, bytes], req: dict[str, Any]) -> None:
    status, media_type, body = response
    assert f"StatusCode{status // 100}xx" in req["statuses"], (status, body[:300])
    if req["format"] is not None and status < 300:
        expected = {"tabular": TABULAR, "boolean": BOOLEAN, "RDF": RDF_TYPES}[str(req["format"])]
        assert media_type in expected
        if str(req["format"]) == "RDF":
            rdflib.Graph().parse(data=body, format={"text/turtle": "turtle", "application/ld+json": "json-ld",
                                                     "application/rdf+xml": "xml",
                                                     "application/n-triples": "nt"}[media_type])
    if req["boolean"] is not None:
        assert boolean_of(media_type, body) is req["boolean"].toPython()


@pytest.mark.corpus
@pytest.mark.parametrize("test", [t for t in TESTS if not t["name"].startswith("update_")] or ABSENT,
                         ids=lambda t: t["name"])
def test_w3c_protocol(protocol_server: LiveServer, test: dict[str, Any]) -> None:
    for req in test["requests"]:
        check(send(protocol_server, req), req)


@pytest.mark.corpus
@pytest.mark.parametrize("test", [t for t in TESTS if t["name"].startswith("update_")] or ABSENT,
                         ids=lambda t: t["name"])
def test_w3c_update_tests_are_refused(protocol_server: LiveServer, test: dict[str, Any]) -> None:
    """Not applicable (see the module docstring); the update itself must get a 400."""
    status, media_type, body = send(protocol_server, test["requests"][0])
    assert status == 400 and media_type == "application/problem+json"
    assert json.loads(body)["type"].endswith("/query-refused")


@pytest.mark.corpus
def test_the_suite_is_complete() -> None:
    names = [t["name"] for t in TESTS]
    assert len(names) == 34
    assert sum(n.startswith("update_") for n in names) == 7

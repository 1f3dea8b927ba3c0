"""/sparql over real HTTP, against both backends (embedded pyoxigraph, a real Oxigraph server):
SPARQLWrapper for each query form and format, raw requests of the three protocol kinds, the
service description, CORS, the HTML form, refusals and limits."""

from __future__ import annotations

import csv
import http.client
import io
import json
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import rdflib
from rdflib.namespace import SKOS
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from conftest import Listener
from microcred.namespaces import MC, SD

PREFIXES = f"PREFIX skos: <{SKOS}>\nPREFIX mc: <{MC}>\n"
LABELS_QUERY = PREFIXES + "SELECT ?label WHERE { mc:micro-credential skos:prefLabel ?label } ORDER BY ?label"
LABELS = ["Microcredential", "micro-credential", "micro-credenziale"]
CONSTRUCT_QUERY = PREFIXES + """CONSTRUCT { ?t skos:broader ?b } WHERE { ?t skos:broader ?b }"""
BROADER = {(MC["micro-credential"], SKOS.broader, MC.credential),
           (MC["stackable-micro-credential"], SKOS.broader, MC["micro-credential"])}


def endpoint(server: Any) -> str:
    return server.url + "/sparql"


def wrapper(server: Any, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint(server))
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method != "GET":
        sparql.setMethod(POST)
    if method == "POSTDIRECTLY":
        sparql.setRequestMethod(POSTDIRECTLY)
    return sparql


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a request sent exactly as given (no default Content-Type)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request(method or ("POST" if data is not None else "GET"), target, body=data,
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def get(server: Any, query: str, accept: str = "*/*", **params: str) -> tuple[int, dict, bytes]:
    return fetch(endpoint(server) + "?" + urlencode({"query": query, **params}),
                 headers={"Accept": accept})


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_select_as_json_with_sparqlwrapper(sparql_server, method: str) -> None:
    results = wrapper(sparql_server, LABELS_QUERY, JSON, method).query().convert()
    assert results["head"]["vars"] == ["label"]
    assert [b["label"]["value"] for b in results["results"]["bindings"]] == LABELS
    assert {b["label"]["xml:lang"] for b in results["results"]["bindings"]} == {"de", "en", "it"}


def test_select_as_xml_with_sparqlwrapper(sparql_server) -> None:
    document = wrapper(sparql_server, LABELS_QUERY, XML).query().convert()
    literals = document.getElementsByTagName("literal")
    assert [node.firstChild.data for node in literals] == LABELS
    assert [node.getAttribute("xml:lang") for node in literals] == ["de", "en", "it"]


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_as_csv_and_tsv_with_sparqlwrapper(sparql_server, fmt: str, delimiter: str) -> None:
    text = wrapper(sparql_server, LABELS_QUERY, fmt).query().convert().decode("utf-8")
    if fmt == CSV:
        rows = list(csv.reader(io.StringIO(text)))
    else:
        rows = [line.split(delimiter) for line in text.splitlines()]
    if fmt == CSV:  # CSV keeps lexical forms only
        assert rows == [["label"]] + [[label] for label in LABELS]
    else:  # TSV keeps the terms in Turtle syntax
        assert rows == [["?label"], ['"Microcredential"@de'], ['"micro-credential"@en'],
                        ['"micro-credenziale"@it']]


@pytest.mark.parametrize("fmt", [JSON, XML])
@pytest.mark.parametrize(("query", "expected"), [
    (PREFIXES + "ASK { mc:micro-credential skos:broader mc:credential }", True),
    (PREFIXES + "ASK { mc:credential skos:broader mc:micro-credential }", False),
])
def test_ask_with_sparqlwrapper(sparql_server, fmt: str, query: str, expected: bool) -> None:
    result = wrapper(sparql_server, query, fmt).query().convert()
    if fmt == JSON:
        assert result["boolean"] is expected
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == str(expected).lower()


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, RDFXML])
def test_construct_with_sparqlwrapper(sparql_server, fmt: str) -> None:
    result = wrapper(sparql_server, CONSTRUCT_QUERY, fmt).query().convert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result,
                                                                                  format="turtle")
    assert set(graph) == BROADER


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, RDFXML])
def test_describe_with_sparqlwrapper(sparql_server, fmt: str) -> None:
    query = PREFIXES + "DESCRIBE mc:recognition"
    result = wrapper(sparql_server, query, fmt, "POST").query().convert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result,
                                                                                  format="turtle")
    assert set(graph.objects(MC.recognition, SKOS.prefLabel)) == {
        rdflib.Literal("recognition", lang="en"), rdflib.Literal("riconoscimento", lang="it")}
    assert set(graph.subjects()) == {MC.recognition}


def test_construct_as_n_triples(sparql_server) -> None:
    status, headers, body = get(sparql_server, CONSTRUCT_QUERY, "application/n-triples")
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    assert set(rdflib.Graph().parse(data=body, format="nt")) == BROADER


def labels_from_json(body: bytes) -> list[str]:
    return [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_the_three_request_kinds_over_raw_http(sparql_server) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = fetch(endpoint(sparql_server) + "?" + urlencode({"query": LABELS_QUERY}), headers=accept)
    by_form = fetch(endpoint(sparql_server), urlencode({"query": LABELS_QUERY}).encode(),
                    {**accept, "Content-Type": "application/x-www-form-urlencoded"})
    direct = fetch(endpoint(sparql_server), LABELS_QUERY.encode(),
                   {**accept, "Content-Type": "application/sparql-query"})
    for status, headers, body in (by_get, by_form, direct):
        assert status == 200
        assert headers["Content-Type"] == "application/sparql-results+json"
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in headers["Vary"]
        assert labels_from_json(body) == LABELS


def test_the_default_graph_is_the_union_of_the_files(sparql_server) -> None:
    query = PREFIXES + "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    rows = json.loads(get(sparql_server, query)[2])["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == ["urn:microcred:vocab:notes.ttl",
                                              "urn:microcred:vocab:terms.ttl"]
    union = json.loads(get(sparql_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[2])
    assert int(union["results"]["bindings"][0]["n"]["value"]) == sum(int(r["n"]["value"]) for r in rows)


def test_protocol_graphs_choose_the_dataset(sparql_server) -> None:
    query = "SELECT ?s ?p WHERE { ?s ?p ?o }"
    status, _, body = get(sparql_server, query, **{"default-graph-uri": "urn:microcred:vocab:notes.ttl"})
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert [(r["s"]["value"], r["p"]["value"]) for r in rows] == [(str(MC["micro-credential"]),
                                                                   str(SKOS.scopeNote))]
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    body = get(sparql_server, named, **{"named-graph-uri": "urn:microcred:vocab:terms.ttl"})[2]
    assert [r["g"]["value"] for r in json.loads(body)["results"]["bindings"]] == [
        "urn:microcred:vocab:terms.ttl"]


def test_relative_iris_resolve_against_the_endpoint(sparql_server) -> None:
    status, _, body = get(sparql_server, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert status == 200
    assert body.decode().startswith(f"<{endpoint(sparql_server)[:-len('sparql')]}s> ")


def problem(response: tuple[int, dict, bytes]) -> dict:
    status, headers, body = response
    assert headers["Content-Type"] == "application/problem+json"
    data = json.loads(body)
    assert data["status"] == status
    return data


def test_a_select_is_never_answered_in_a_graph_format(sparql_server) -> None:
    response = get(sparql_server, LABELS_QUERY, "text/turtle, application/ld+json")
    assert response[0] == 406
    # the SPARQL results formats, and the HTML results page for people; never an RDF syntax
    assert problem(response)["accepted"] == ["application/sparql-results+json",
                                             "application/sparql-results+xml", "text/csv",
                                             "text/tab-separated-values", "text/html"]


def test_a_construct_is_never_answered_in_a_results_format(sparql_server) -> None:
    response = get(sparql_server, CONSTRUCT_QUERY, "application/sparql-results+json")
    assert response[0] == 406
    assert "text/turtle" in problem(response)["accepted"]


def test_a_malformed_query_gets_the_parsers_message_and_position(sparql_server) -> None:
    response = get(sparql_server, "SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL ?s }")
    assert response[0] == 400
    data = problem(response)
    assert (data["line"], data["column"]) == (3, 12)  # the ?s where "{" should be
    assert 'expected "{"' in data["detail"]


@pytest.mark.parametrize("request_args", [
    ("GET", "?update=CLEAR%20ALL", None, {}),
    ("POST", "", b"update=CLEAR+ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}),
    ("POST", "", b"query=DROP+ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", {"Content-Type": "application/sparql-query"}),
])
def test_updates_are_refused_and_change_nothing(sparql_server, request_args) -> None:
    method, suffix, data, headers = request_args
    before = get(sparql_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[2]
    response = fetch(endpoint(sparql_server) + suffix, data, headers, method)
    assert response[0] == 400
    assert problem(response)["type"].endswith("/query-refused")
    assert get(sparql_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[2] == before


@pytest.mark.parametrize(("data", "headers", "status"), [
    (b"ASK {}", {"Content-Type": "text/plain"}, 415),
    (b"query=ASK%20%7B%7D", {}, 415),
    ("ASK {}".encode("utf-16"), {"Content-Type": "application/sparql-query; charset=UTF-16"}, 415),
    (b"ASK { ?s ?p \"\xff\" }", {"Content-Type": "application/sparql-query"}, 400),
    (b"query=ASK+%7B%7D&query=ASK+%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
    (b"default-graph-uri=urn%3Ax", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
])
def test_malformed_protocol_requests_get_a_4xx_problem(sparql_server, data, headers, status) -> None:
    response = fetch(endpoint(sparql_server), data, headers, "POST")
    assert response[0] == status
    problem(response)


def test_methods_other_than_get_and_post_are_not_allowed(sparql_server) -> None:
    status, headers, _ = fetch(endpoint(sparql_server) + "?query=ASK%20%7B%7D", method="PUT")
    assert status == 405
    assert set(headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST", "OPTIONS"}


def test_a_body_over_the_limit_is_refused(sparql_server, sparql_settings) -> None:
    body = b"ASK {}" + b" " * sparql_settings.max_body
    response = fetch(endpoint(sparql_server), body, {"Content-Type": "application/sparql-query"})
    assert response[0] == 413


def test_service_description(sparql_server) -> None:
    status, headers, body = fetch(endpoint(sparql_server), headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    service = rdflib.URIRef(endpoint(sparql_server))
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(o).rsplit("/", 1)[-1] for o in graph.objects(service, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                       "SPARQL_Results_TSV", "Turtle", "JSON-LD", "RDF_XML", "N-Triples"}
    dataset = graph.value(service, SD.defaultDataset)
    assert graph.value(dataset, SD.defaultGraph) is not None
    jsonld = fetch(endpoint(sparql_server), headers={"Accept": "application/ld+json"})
    assert set(rdflib.Graph().parse(data=jsonld[2], format="json-ld").objects(
        service, SD.resultFormat)) == set(graph.objects(service, SD.resultFormat))


def test_cors_preflight(sparql_server) -> None:
    status, headers, _ = fetch(endpoint(sparql_server), method="OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_a_browser_gets_the_query_form_with_examples_that_run(sparql_server) -> None:
    status, headers, body = fetch(endpoint(sparql_server), headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert '<form method="get" action="/sparql">' in page and "<textarea" in page
    assert "The definition of micro-credential" in page
    definition = PREFIXES.replace(f"PREFIX mc: <{MC}>", f"PREFIX mc: <{MC}>") + \
        "SELECT ?definition WHERE {\n  mc:micro-credential skos:definition ?definition .\n}"
    result = json.loads(get(sparql_server, definition)[2])
    assert [b["definition"]["value"] for b in result["results"]["bindings"]] == [
        "A credential for a small volume of learning (test data)."]


def test_too_many_results_are_refused(sparql_server, sparql_settings) -> None:
    query = "SELECT * { ?s ?p ?o . ?a ?b ?c }"
    for accept in ("application/sparql-results+json", "text/csv"):
        response = get(sparql_server, query, accept)
        assert response[0] == 503
        data = problem(response)
        assert (data["reason"], data["limit"]) == ("size", sparql_settings.max_results)
    response = get(sparql_server, "CONSTRUCT { ?s ?p ?c } WHERE { ?s ?p ?o . ?a ?b ?c }",
                   "text/turtle")
    assert response[0] == 503 and problem(response)["reason"] == "size"
    assert response[1]["Retry-After"] == "5"  # every 503 asks the client to come back later


#: Six-way cross product with COUNT: no result for a very long time, even on 40 triples.
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"


def test_refused_and_endless_queries_leave_the_others_answering(sparql_server, sparql_settings) -> None:
    listener = Listener()
    bad: dict[str, tuple[int, dict, bytes]] = {}
    requests = {
        "endless": lambda: get(sparql_server, ENDLESS),
        "update": lambda: fetch(endpoint(sparql_server), b"DELETE WHERE { ?s ?p ?o }",
                                {"Content-Type": "application/sparql-update"}),
        "service": lambda: get(sparql_server, f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"),
    }
    threads = [threading.Thread(target=lambda n=name, r=run: bad.__setitem__(n, r()))
               for name, run in requests.items()]
    try:
        for thread in threads:
            thread.start()
        answers = []
        while any(thread.is_alive() for thread in threads) or len(answers) < 20:
            status, _, body = get(sparql_server, LABELS_QUERY)
            answers.append((status, labels_from_json(body) if status == 200 else body))
        for thread in threads:
            thread.join()
    finally:
        listener.close()
    assert answers == [(200, LABELS)] * len(answers)
    assert bad["endless"][0] == 503 and problem(bad["endless"])["reason"] == "timeout"
    assert bad["update"][0] == 400 and problem(bad["update"])["type"].endswith("/query-refused")
    assert bad["service"][0] == 400 and "SERVICE" in problem(bad["service"])["detail"]
    assert listener.connections == 0
    assert labels_from_json(get(sparql_server, LABELS_QUERY)[2]) == LABELS


def test_cors_preflight_on_validate_lets_other_origins_post_turtle(sparql_server) -> None:
    status, headers, body = fetch(sparql_server.url + "/validate", method="OPTIONS", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"] and "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_options_on_sparql_carries_an_allow_header(sparql_server) -> None:
    status, headers, _ = fetch(endpoint(sparql_server), method="OPTIONS")
    assert status == 204
    assert set(headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_a_405_problem_lists_the_allowed_methods(sparql_server) -> None:
    status, headers, body = fetch(sparql_server.url + "/validate", b"x", method="DELETE")
    problem = json.loads(body)
    assert status == 405 and set(problem["allowed"]) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert "DELETE is not allowed here" in problem["detail"] and "POST" in problem["detail"]


def test_service_descriptions_for_invented_hosts_do_not_grow_the_cache(app) -> None:  # noqa: ANN001
    """The description names the endpoint from the Host header; a client inventing hosts must not
    be able to fill memory with cached copies."""
    from microcred.web import state
    from microcred.web.sparql import DESCRIPTION_CACHE_LIMIT

    client = app.test_client()
    for i in range(DESCRIPTION_CACHE_LIMIT + 20):
        response = client.get("/sparql", headers={"Host": f"h{i}.example", "Accept": "text/turtle"})
        assert response.status_code == 200
        assert f"http://h{i}.example/sparql".encode() in response.data
    assert len(state(app).extras["sparql-description"]) <= DESCRIPTION_CACHE_LIMIT


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_select_results_as_an_html_table(client) -> None:  # noqa: ANN001
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c ?l WHERE { "
             "?c skos:prefLabel ?l FILTER(?l = 'Micro-credential'@en) }")
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<th scope=\"col\">?c</th>" in page and "<th scope=\"col\">?l</th>" in page
    # our terms link to this service's own pages, with the IRI as the text
    assert '<a href="/glossary/micro-credential">https://w3id.org/microcred/glossary/micro-credential</a>' in page
    assert '<span lang="en">Micro-credential</span>' in page
    assert "1 row<" in page
    # the query stays in the form, escaped
    assert "FILTER(?l = &#39;Micro-credential&#39;@en)" in page


def test_html_results_for_ask_and_construct_and_machine_formats_unchanged(client) -> None:  # noqa: ANN001
    ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "_mediatype": "text/html"})
    assert ask.mimetype == "text/html" and "<p>true</p>" in ask.get_data(as_text=True)
    construct = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT}, query_string={
        "query": "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 1"})
    assert construct.mimetype == "text/html" and "<pre><code>" in construct.get_data(as_text=True)
    anything = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "*/*"})
    assert anything.mimetype == "application/sparql-results+json"
    assert anything.get_json() == {"head": {}, "boolean": True}

"""Dereferencing over real HTTP: 303s, every media type, negotiation, caching, errors, round trips."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from microcred.namespaces import MC, MCO, RDFS, SKOS

TERM = "/glossary/micro-credential"
TERM_IRI = MC["micro-credential"]
VOCAB = Path(__file__).resolve().parent.parent / "vocab"
MEDIA = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdf", "xml"),
    "application/n-triples": ("nt", "nt"),
    "text/html": ("html", None),
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET", follow: bool = False):
    """(status, headers, body) of a real HTTP request; redirects are not followed unless asked."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def vocabulary_graph() -> Graph:
    graph = Graph()
    for path in sorted(VOCAB.glob("*.ttl")):
        graph.parse(path)
    return graph


def expected_description(iri: URIRef) -> Graph:
    """What vocab/ says about a term, read with rdflib alone: its bounded description plus the
    labels of the resources it links to."""
    source, out = vocabulary_graph(), Graph()
    todo, seen = [iri], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in source.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    for o in set(out.objects()):
        if isinstance(o, URIRef) and o != iri:
            for p in (SKOS.prefLabel, RDFS.label):
                for label in source.objects(o, p):
                    out.add((o, p, label))
    return out


@pytest.mark.parametrize("media_type", list(MEDIA))
def test_term_iri_redirects_to_a_document_of_each_media_type(live_server, media_type: str) -> None:
    status, headers, _ = fetch(live_server.url + TERM, {"Accept": media_type})
    assert status == 303
    assert headers["Location"] == f"{TERM}.{MEDIA[media_type][0]}"
    assert "Accept" in headers["Vary"]
    status, headers, body = fetch(live_server.url + headers["Location"])
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media_type
    assert headers["ETag"].startswith('"') and len(headers["ETag"]) > 10
    assert headers["Last-Modified"] and "max-age" in headers["Cache-Control"]
    assert int(headers["Content-Length"]) == len(body)
    if MEDIA[media_type][1]:
        graph = Graph().parse(data=body, format=MEDIA[media_type][1])
        assert (TERM_IRI, SKOS.prefLabel, Literal("Micro-credential", lang="en")) in graph
    else:
        assert b"<h1" in body and b"Micro-credential" in body


def test_rdflib_resolves_a_term_iri_over_http(live_server) -> None:
    graph = Graph().parse(live_server.url + TERM)
    assert (TERM_IRI, SKOS.prefLabel, Literal("Micro-credential", lang="en")) in graph
    assert (TERM_IRI, SKOS.broader, MC.credential) in graph
    definitions = list(graph.objects(TERM_IRI, SKOS.definition))
    assert any(d.language == "en" and d.startswith("Sub-unit of a credential") for d in definitions)
    notes = [n for n in graph.objects(TERM_IRI, MCO.translationNote) if n.language == "it"]
    assert notes, "the Italian translation note travels with the term"
    # the labels of linked terms come along, so no second request is needed to show them
    assert (MC.credential, SKOS.prefLabel, Literal("Credential", lang="en")) in graph


@pytest.mark.parametrize("media_type", [m for m, (_, fmt) in MEDIA.items() if fmt])
def test_round_trip_is_isomorphic_to_vocab(live_server, media_type: str) -> None:
    ext, fmt = MEDIA[media_type]
    _, _, body = fetch(f"{live_server.url}{TERM}.{ext}")
    served = Graph().parse(data=body, format=fmt)
    assert isomorphic(served, expected_description(TERM_IRI))


@pytest.mark.parametrize("accept, ext", [
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.91", "ttl"),
    ("text/*;q=0.3, application/n-triples;q=0.8", "nt"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("*/*", "html"),
    ("", "html"),
    ("text/turtle;q=0, */*;q=0.1", "html"),
    ("application/json", "jsonld"),
    ("text/turtle; charset=utf-8", "ttl"),
    ("image/png, text/turtle;q=0.1", "ttl"),
])
def test_q_values_wildcards_and_parameters(live_server, accept: str, ext: str) -> None:
    status, headers, _ = fetch(live_server.url + TERM, {"Accept": accept} if accept else {})
    assert status == 303 and headers["Location"] == f"{TERM}.{ext}"


@pytest.mark.parametrize("override, ext", [("ttl", "ttl"), ("application/n-triples", "nt"),
                                           ("jsonld", "jsonld"), ("text/html", "html")])
def test_mediatype_override_beats_accept(live_server, override: str, ext: str) -> None:
    status, headers, _ = fetch(f"{live_server.url}{TERM}?_mediatype={override}", {"Accept": "application/rdf+xml"})
    assert status == 303 and headers["Location"] == f"{TERM}.{ext}"


def test_unacceptable_media_type_gets_406_listing_types(live_server) -> None:
    status, headers, body = fetch(live_server.url + TERM, {"Accept": "image/png"})
    assert status == 406
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 406
    assert set(problem["accepted"]) == set(MEDIA)


def test_unknown_mediatype_override_gets_406(live_server) -> None:
    status, _, body = fetch(f"{live_server.url}{TERM}?_mediatype=image/gif")
    assert status == 406 and "image/gif" in json.loads(body)["detail"]


def test_unknown_term_is_404_naming_the_nearest_terms(live_server) -> None:
    status, headers, body = fetch(live_server.url + "/glossary/micro-credentail", {"Accept": "text/turtle"})
    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["nearest"][0] == str(TERM_IRI)


def test_unknown_document_is_404(live_server) -> None:
    status, _, _ = fetch(live_server.url + "/glossary/no-such-term.ttl")
    assert status == 404


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt", "html"])
def test_if_none_match_gets_304(live_server, ext: str) -> None:
    url = f"{live_server.url}{TERM}.{ext}"
    _, headers, _ = fetch(url)
    status, again, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    assert again["ETag"] == headers["ETag"]
    status, _, _ = fetch(url, {"If-None-Match": '"something-else"'})
    assert status == 200


def test_if_modified_since_gets_304(live_server) -> None:
    url = f"{live_server.url}{TERM}.ttl"
    _, headers, _ = fetch(url)
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})[0] == 200


@pytest.mark.parametrize("path", [TERM, f"{TERM}.ttl", f"{TERM}.html"])
def test_head_matches_get_without_a_body(live_server, path: str) -> None:
    get_status, get_headers, _ = fetch(live_server.url + path)
    status, headers, body = fetch(live_server.url + path, method="HEAD")
    assert status == get_status and body == b""
    assert headers.get("ETag") == get_headers.get("ETag")
    assert headers.get("Location") == get_headers.get("Location")


def test_scheme_documents_hold_the_whole_vocabulary(live_server) -> None:
    status, headers, _ = fetch(live_server.url + "/glossary", {"Accept": "application/n-triples"})
    assert status == 303 and headers["Location"] == "/glossary.nt"
    _, _, body = fetch(live_server.url + "/glossary.nt")
    served = Graph().parse(data=body, format="nt")
    concepts = set(served.subjects(SKOS.inScheme, URIRef(str(MC)[:-1])))
    assert {MC[s] for s in ("credential", "credentialisation", "micro-credential", "qualification",
                            "micro-qualification", "recognition", "learning-passport",
                            "credentials-clearinghouse")} <= concepts


def test_html_page_language_follows_lang_parameter(live_server) -> None:
    _, _, body = fetch(f"{live_server.url}{TERM}.html?_lang=it")
    assert b'<html lang="it">' in body
    assert "microcredenziale".encode() in body


def test_openapi_description_lists_the_dereferencing_paths(live_server) -> None:
    status, headers, body = fetch(live_server.url + "/openapi.json")
    assert status == 200
    spec = json.loads(body)
    assert spec["openapi"].startswith("3.")
    assert "/resource" in spec["paths"] and "/{path}" in spec["paths"]


@pytest.mark.parametrize("uri", ["hello", "http%3A%2F%2Fx%2Fa%20b", "%00", "javascript%3Aalert(1)", "http%3A%2F%2Fx%2F%25zz"])
def test_the_resolver_answers_400_for_a_value_that_is_not_an_iri(live_server, uri: str) -> None:  # noqa: ANN001
    for path in ("/resource", "/resource.ttl"):
        status, headers, body = fetch(f"{live_server.url}{path}?uri={uri}")
        assert status == 400 and headers["Content-Type"] == "application/problem+json"
        problem = json.loads(body)
        assert problem["parameter"] == "uri" and "is not an IRI" in problem["detail"]


def test_the_resolver_keeps_404_for_an_iri_not_described(live_server) -> None:  # noqa: ANN001
    status, _, body = fetch(f"{live_server.url}/resource?uri=https%3A%2F%2Fexample.org%2Fnothing")
    assert status == 404 and "is not described" in json.loads(body)["detail"]


def test_a_60_kb_path_is_not_echoed_whole_in_the_404(live_server) -> None:  # noqa: ANN001
    path = "/glossary/" + "a" * 60_000
    status, _, body = fetch(live_server.url + path, {"Accept": "application/json"})
    assert status == 404 and len(body) < 2_000
    problem = json.loads(body)
    assert problem["instance"].startswith("/glossary/aaaa") and "(60010 characters)" in problem["instance"]


def test_a_huge_accept_is_not_echoed_whole_in_the_406(live_server) -> None:  # noqa: ANN001
    accept = "image/png, " + ", ".join(f"image/x-{i}" for i in range(4_000))  # 55 KB: one header line
    status, _, body = fetch(live_server.url + TERM, {"Accept": accept})
    assert status == 406 and len(body) < 2_000
    assert "image/png, image/x-0" in json.loads(body)["detail"]


@pytest.mark.parametrize("accept", ["garbage", ";;;", "text/turtle;q=2", "*/html", "text/turtle;q=inf, image/png;q=1_0"])
def test_an_accept_header_of_which_nothing_parses_is_ignored_not_406(live_server, accept: str) -> None:  # noqa: ANN001
    status, headers, _ = fetch(live_server.url + TERM, {"Accept": accept})
    assert status == 303 and headers["Location"].endswith(TERM + ".html")


def test_malformed_q_values_do_not_count_as_1(live_server) -> None:  # noqa: ANN001
    status, headers, _ = fetch(live_server.url + TERM, {"Accept": "text/turtle;q=2, application/rdf+xml;q=0.5"})
    assert status == 303 and headers["Location"].endswith(TERM + ".rdf")
    assert fetch(live_server.url + TERM, {"Accept": "image/png"})[0] == 406  # parses, nothing fits: still 406

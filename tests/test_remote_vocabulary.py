"""Serving the vocabulary from a remote SPARQL endpoint: a real Oxigraph server holds vocab/, the
app starts with an empty vocabulary directory, and what it serves equals the embedded mode's bytes.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import LiveServer, OxigraphServer, start_oxigraph
from microcred.config import Settings
from microcred.conneg import DOCUMENT_FORMATS
from microcred.endpointstore import EndpointStore
from microcred.vocabulary import Vocabulary, load_vocabulary
from microcred.web import create_app

TERM = "/glossary/micro-qualification"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with OPENER.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def remote_settings(settings: Settings, endpoint: str, tmp: Path) -> Settings:
    empty = tmp / "no-vocab"
    empty.mkdir(exist_ok=True)
    return settings.replace(sparql_endpoint=endpoint, vocab_dir=str(empty))


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, vocabulary: Vocabulary) -> Iterator[OxigraphServer]:
    """A real Oxigraph server holding vocab/, each file a named graph as the loader makes them."""
    server = start_oxigraph(tmp_path_factory.mktemp("remote-vocab"), vocabulary.store)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory, settings: Settings,
           oxigraph: OxigraphServer) -> Iterator[LiveServer]:
    """The app, started from the endpoint alone, behind a live server."""
    app = create_app(remote_settings(settings, oxigraph.url, tmp_path_factory.mktemp("remote")))
    with LiveServer(app) as server:
        server.app = app  # type: ignore[attr-defined]
        yield server
    app.extensions["microcred"].extras["sparql"].close()


def test_no_file_is_read_and_the_version_comes_from_the_endpoint(tmp_path: Path, settings: Settings,
                                                                   oxigraph: OxigraphServer) -> None:
    remote_config = remote_settings(settings, oxigraph.url, tmp_path)
    assert list(Path(remote_config.vocab_dir).iterdir()) == []
    first, second = load_vocabulary(remote_config), load_vocabulary(remote_config)
    assert first.files == [] and isinstance(first.store, EndpointStore)
    assert first.version == second.version  # every worker over one endpoint agrees
    assert first.graph_names() == ["urn:microcred:vocab:glossary.ttl", "urn:microcred:vocab:ontology.ttl"]
    assert first.last_modified == "Thu, 03 Dec 2026 00:00:00 GMT"  # the newest dct:modified
    embedded = load_vocabulary(settings)
    assert sorted(first.resources) == sorted(embedded.resources)
    assert dict(first.resources.items()) == dict(embedded.resources)
    assert first.languages == embedded.languages
    assert first.kind(settings.base_iri + "glossary/micro-qualification") == "concept"


@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS, ids=lambda f: f.token)
def test_a_term_dereferences_to_the_embedded_modes_bytes(remote: LiveServer, live_server: LiveServer, fmt) -> None:
    status, headers, _ = fetch(remote.url + TERM, {"Accept": fmt.media_type})
    assert status == 303 and headers["Location"] == f"{TERM}.{fmt.extension}"
    status, headers, body = fetch(remote.url + headers["Location"])
    assert status == 200 and headers["Content-Type"] == fmt.content_type
    _, embedded_headers, embedded = fetch(live_server.url + f"{TERM}.{fmt.extension}")
    assert body == embedded and headers["ETag"] == embedded_headers["ETag"]
    if fmt.token != "html":
        ours = Graph().parse(data=body, format=fmt.rdflib_name)
        assert len(ours) > 15 and isomorphic(ours, Graph().parse(data=embedded, format=fmt.rdflib_name))


def test_every_document_equals_the_embedded_one(remote: LiveServer, vocabulary: Vocabulary) -> None:
    client = remote.app.test_client()  # type: ignore[attr-defined]
    local = create_app(vocabulary.settings, vocabulary).test_client()
    compared = 0
    for iri in sorted(vocabulary.resources):
        path = vocabulary.path_for_iri(iri)
        for suffix in [f.extension for f in DOCUMENT_FORMATS] + ["it.html", "de.html"]:
            assert client.get(f"{path}.{suffix}").data == local.get(f"{path}.{suffix}").data, f"{path}.{suffix}"
            compared += 1
    assert compared == len(vocabulary.resources) * 7


def test_conditional_requests_get_304(remote: LiveServer) -> None:
    _, headers, _ = fetch(remote.url + TERM + ".ttl")
    status, again, body = fetch(remote.url + TERM + ".ttl", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, _, _ = fetch(remote.url + TERM + ".ttl", {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304


def test_the_html_page_and_the_home_page(remote: LiveServer, live_server: LiveServer) -> None:
    status, headers, page = fetch(remote.url + TERM + ".it.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Micro-qualification" in page.decode() and page == fetch(live_server.url + TERM + ".it.html")[2]
    assert fetch(remote.url + "/index.en.html")[2] == fetch(live_server.url + "/index.en.html")[2]


def test_search_finds_micro_qualification(remote: LiveServer) -> None:
    status, _, body = fetch(remote.url + "/search?q=partial+qual", {"Accept": "application/json"})
    first = json.loads(body)["results"][0]
    assert status == 200 and first["label"] == "Micro-qualification"
    assert first["matched"] == "partial qualification" and first["field"] == "alt"


def test_sparql_answers_from_the_endpoint(remote: LiveServer) -> None:
    query = "SELECT ?l WHERE { <https://w3id.org/microcred/glossary/micro-qualification> " \
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = 'en') }"
    status, _, body = fetch(remote.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                            {"Accept": "application/sparql-results+json"})
    assert status == 200
    assert [b["l"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["Micro-qualification"]


def test_an_unknown_term_is_404_with_the_nearest_terms(remote: LiveServer, settings: Settings) -> None:
    status, headers, body = fetch(remote.url + "/glossary/micro-qualificaton", {"Accept": "application/json"})
    problem = json.loads(body)
    assert status == 404 and headers["Content-Type"] == "application/problem+json"
    assert problem["nearest"][0] == settings.base_iri + "glossary/micro-qualification"


def test_the_endpoint_going_down_is_a_502_and_the_service_recovers(tmp_path: Path, settings: Settings,
                                                                   vocabulary: Vocabulary) -> None:
    server = start_oxigraph(tmp_path, vocabulary.store)
    try:
        app = create_app(remote_settings(settings, server.url, tmp_path))
        with LiveServer(app) as live:
            assert fetch(live.url + TERM + ".ttl")[0] == 200
            server.stop()
            status, headers, body = fetch(live.url + TERM + ".pl.html", {"Accept": "application/json"})
            problem = json.loads(body)
            assert status == 502 and headers["Content-Type"] == "application/problem+json"
            assert problem["title"] == "SPARQL backend failed" and "could not be reached" in problem["detail"]
            assert fetch(live.url + "/glossary/unknown", {"Accept": "application/json"})[0] == 502
            assert fetch(live.url + TERM + ".ttl")[0] == 200  # rendered before: still served
            server.start()
            status, _, page = fetch(live.url + TERM + ".pl.html")
            assert status == 200 and page == create_app(settings, vocabulary).test_client().get(
                TERM + ".pl.html").data
            assert fetch(live.url + "/glossary/unknown")[0] == 404
        app.extensions["microcred"].extras["sparql"].close()
    finally:
        server.stop()


NESTED = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://w3id.org/microcred/nested/> .
ex:scheme a skos:ConceptScheme ; skos:prefLabel "Nested"@en .
ex:term a skos:Concept ; skos:prefLabel "Term"@en ; skos:inScheme ex:scheme ; skos:related ex:other ;
    ex:source [ ex:title "A source"@en ; ex:part [ ex:page "12" ; ex:note [ ex:text "deep" ] ] ] .
<https://w3id.org/microcred/nested/term#part> a skos:Concept ; skos:prefLabel "Part"@en ; ex:extra [ ex:value 3 ] .
ex:other a skos:Concept ; skos:prefLabel "Other"@en , "Autre"@fr .
"""


def test_blank_nodes_and_fragments_are_described_as_in_the_embedded_mode(tmp_path: Path,
                                                                         settings: Settings) -> None:
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "nested.ttl").write_text(NESTED)
    local = load_vocabulary(settings.replace(vocab_dir=str(tmp_path / "vocab")))
    server = start_oxigraph(tmp_path, local.store)
    try:
        remote = load_vocabulary(remote_settings(settings, server.url, tmp_path))
        for name in ("term", "term#part", "other", "scheme"):
            iri = settings.base_iri + "nested/" + name
            ours, theirs = remote.describe(iri), local.describe(iri)
            assert len(ours) > 2 and isomorphic(ours, theirs), name
        term = remote.describe(settings.base_iri + "nested/term")
        assert "deep" in {str(o) for o in term.objects()} and "Autre" in {str(o) for o in term.objects()}
        assert remote.resources.fragments(settings.base_iri + "nested/term") == [settings.base_iri + "nested/term#part"]
    finally:
        server.stop()

"""nginx and Apache httpd, with the generated configuration over site/, publish the vocabulary alone."""

from __future__ import annotations

from typing import Iterator

import pytest
from rdflib import Graph

from microcred.namespaces import MC, SKOS

from conftest import APACHE, APACHE_MISSING, NGINX, NGINX_MISSING, SITE, apache_serving, nginx_serving
from test_terms import fetch

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"



@pytest.fixture(scope="module", params=["nginx", "apache"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx (then Apache httpd) on a free loopback port serving site/ with the configuration generated
    for it; stopped after."""
    if request.param == "nginx":
        if NGINX is None:
            pytest.skip(NGINX_MISSING)
        with nginx_serving(SITE, tmp_path_factory.mktemp("nginx")) as url:
            yield url
    else:
        if APACHE is None:
            pytest.skip(APACHE_MISSING)
        with apache_serving(SITE, tmp_path_factory.mktemp("apache")) as url:
            yield url


def test_term_iri_serves_turtle_to_an_rdf_client(server: str) -> None:
    status, headers, _ = fetch(server + "/glossary/micro-credential", {"Accept": "text/turtle"})
    assert status == 303
    assert headers["Location"].endswith("/glossary/micro-credential.ttl")
    assert "Accept" in headers["Vary"]
    status, headers, body = fetch(server + "/glossary/micro-credential", {"Accept": "text/turtle"}, follow=True)
    assert status == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=body, format="turtle")
    assert (MC["micro-credential"], SKOS.broader, MC.credential) in graph
    assert body == (SITE / "glossary" / "micro-credential.ttl").read_bytes()


def test_term_iri_serves_html_to_a_browser_in_its_language(server: str) -> None:
    status, headers, _ = fetch(server + "/glossary/micro-credential", {"Accept": BROWSER_ACCEPT})
    assert status == 303 and headers["Location"].endswith("/glossary/micro-credential.html")
    status, headers, body = fetch(server + "/glossary/micro-credential",
                                  {"Accept": BROWSER_ACCEPT, "Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}, follow=True)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<html lang="it">' in body and "microcredenziale".encode() in body


@pytest.mark.parametrize("accept, ext, media_type", [
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/rdf+xml", "rdf", "application/rdf+xml"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/json", "jsonld", "application/ld+json"),
    ("*/*", "html", "text/html; charset=utf-8"),
])
def test_every_format_has_its_media_type(server: str, accept: str, ext: str, media_type: str) -> None:
    status, headers, _ = fetch(server + "/glossary", {"Accept": accept})
    assert status == 303 and headers["Location"].endswith(f"/glossary.{ext}")
    status, headers, _ = fetch(server + f"/glossary.{ext}")
    assert status == 200 and headers["Content-Type"] == media_type


def test_search_page_and_index_are_served_and_configuration_is_not(server: str) -> None:
    assert fetch(server + "/search?q=qual")[0] == 200
    status, headers, _ = fetch(server + "/search-index.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert fetch(server + "/nginx/server.conf")[0] == 404
    assert fetch(server + "/.htaccess")[0] == 404
    assert fetch(server + "/glossary/no-such-term")[0] == 404

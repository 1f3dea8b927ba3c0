"""The static site: site/ equals a fresh build, byte for byte, and holds what publishing needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from microcred.cli import main
from microcred.errors import ConfigurationError
from microcred.hosting import htaccess, nginx_http
from microcred.namespaces import MC, SKOS
from microcred.site import MARKER, build_site, site_files

SITE = Path(__file__).resolve().parent.parent / "site"


@pytest.fixture(scope="module")
def fresh(app, vocabulary) -> dict[str, bytes]:  # noqa: ANN001
    return site_files(app, vocabulary)


def test_committed_site_equals_a_fresh_build(fresh: dict[str, bytes]) -> None:
    committed = {str(p.relative_to(SITE)): p.read_bytes() for p in sorted(SITE.rglob("*")) if p.is_file()}
    assert sorted(committed) == sorted(fresh), "site/ is stale: run `microcred build-site`"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert stale == [], f"site/ is stale ({len(stale)} files differ): run `microcred build-site`"


def test_site_holds_pages_documents_and_configuration(fresh: dict[str, bytes], vocabulary) -> None:  # noqa: ANN001
    for name in ("index.html", "search.html", "search-index.json", "static/search.js", "static/style.css",
                 "nginx/http.conf", "nginx/server.conf", ".htaccess", "glossary.ttl"):
        assert name in fresh, name
    for ext in ("html", "ttl", "jsonld", "rdf", "nt", "it.html", "fr.html"):
        assert f"glossary/micro-credential.{ext}" in fresh
    assert len(vocabulary.languages) >= 2
    term = Graph().parse(data=fresh["glossary/micro-credential.ttl"], format="turtle")
    assert (MC["micro-credential"], SKOS.prefLabel, Literal("microcredenziale", lang="it")) in term
    whole = Graph().parse(data=fresh["glossary.nt"], format="nt")
    assert len(set(whole.subjects(SKOS.inScheme, None))) >= 8
    assert b'<html lang="it">' in fresh["glossary/micro-credential.it.html"]


def test_site_files_carry_no_dates(fresh: dict[str, bytes], vocabulary) -> None:  # noqa: ANN001
    stamp = vocabulary.last_modified.encode()
    assert [name for name, data in fresh.items() if stamp in data] == []


def test_static_search_index_holds_every_label_folded(fresh: dict[str, bytes]) -> None:
    index = json.loads(fresh["search-index.json"])
    resources = {r["iri"]: r for r in index["resources"]}
    mq = str(MC["micro-qualification"])
    assert resources[mq]["page"] == "/glossary/micro-qualification.{lang}.html"
    number = sorted(resources).index(mq)
    assert [number, "partial qualification", "en", "alt", "partial qualification"] in index["entries"]


def test_generated_configuration_names_every_language_and_format(vocabulary) -> None:  # noqa: ANN001
    conf = nginx_http(vocabulary.languages)
    assert '"html:it" it.html;' in conf and '"~*^\\s*text/turtle" ttl;' in conf
    apache = htaccess(vocabulary.languages)
    assert "AddType application/n-triples .nt" in apache
    assert "RewriteRule ^ %{REQUEST_URI}.ttl [R=303,E=MC_VARY:1,L]" in apache


def test_build_site_command_writes_and_replaces_its_own_directory(runner, tmp_path: Path) -> None:  # noqa: ANN001
    target = tmp_path / "out"
    result = runner.invoke(main, ["build-site", "--output", str(target)], env={})
    assert result.exit_code == 0, result.output
    assert (target / MARKER).exists() and (target / "glossary" / "micro-credential.it.html").exists()
    (target / "stale.html").write_text("old")
    assert runner.invoke(main, ["build-site", "--output", str(target)], env={}).exit_code == 0
    assert not (target / "stale.html").exists()


def test_build_site_refuses_a_directory_it_did_not_make(app, vocabulary, runner, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "precious.txt").write_text("keep me")
    result = runner.invoke(main, ["build-site", "--output", str(tmp_path)], env={})
    assert result.exit_code == 2 and "not a site built by microcred" in result.output
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    with pytest.raises(ConfigurationError, match="not a site built"):
        build_site(app, vocabulary, tmp_path)

"""The vocabulary loader and negotiation core, without HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from microcred.conneg import FORMATS, HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, choose_language, negotiate
from microcred.errors import ConfigurationError, NotAcceptable, NotFound, RDFSyntaxError
from microcred.namespaces import MC, SKOS
from microcred.vocabulary import load_vocabulary
from microcred.web import create_app

from conftest import CORPUS, DATA, LiveServer
from test_terms import fetch

ALL = (HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle", TURTLE),
    ("application/n-triples;q=0.2, application/rdf+xml;q=0.1", NTRIPLES),
    ("text/*", HTML),  # text/html comes before text/turtle in our order
    ("application/*;q=0.5, text/turtle;q=0.4", JSONLD),
    ("TEXT/TURTLE", TURTLE),
    ("text/turtle;;;, garbage", TURTLE),
    ("application/rdf+xml, */*;q=0.1", RDFXML),
])
def test_negotiate(accept: str, expected) -> None:  # noqa: ANN001
    assert negotiate(accept, ALL) is expected


def test_negotiate_refuses_with_the_list_of_types() -> None:
    with pytest.raises(NotAcceptable) as caught:
        negotiate("image/png, text/turtle;q=0", ALL)
    assert caught.value.extra["accepted"] == [f.media_type for f in ALL]


@pytest.mark.parametrize("header, expected", [
    ("it-IT,it;q=0.9,en;q=0.8", "it"),
    ("fr;q=0.4, it;q=0.5", "it"),
    ("de", "en"),
    ("*", "en"),
    (None, "en"),
    ("pt-BR", "pt"),
])
def test_choose_language(header: str | None, expected: str) -> None:
    assert choose_language(header, {"en", "it", "fr", "pt"}, "en") == expected


def test_every_document_format_has_a_distinct_extension() -> None:
    assert len({f.extension for f in FORMATS.values()}) == len(FORMATS)


def test_malformed_vocabulary_file_names_file_and_line(settings) -> None:  # noqa: ANN001
    with pytest.raises(RDFSyntaxError) as caught:
        load_vocabulary(settings.replace(vocab_dir=str(DATA / "vocab-broken")))
    assert caught.value.extra["file"] == "broken.ttl"
    assert caught.value.extra["line"] == 4


def test_missing_vocabulary_directory_is_a_configuration_error(settings, tmp_path: Path) -> None:  # noqa: ANN001
    with pytest.raises(ConfigurationError):
        load_vocabulary(settings.replace(vocab_dir=str(tmp_path / "absent")))


def test_another_base_iri_serves_the_same_vocabulary_under_it(settings) -> None:  # noqa: ANN001
    base = "http://localhost:8000/"
    vocabulary = load_vocabulary(settings.replace(base_iri=base))
    iri = base + "glossary/micro-credential"
    assert vocabulary.kind(iri) == "concept"
    graph = vocabulary.describe(iri)
    assert (URIRef(iri), SKOS.broader, URIRef(base + "glossary/credential")) in graph
    assert not any(str(t).startswith("https://w3id.org/microcred/") for triple in graph for t in triple)
    with pytest.raises(NotFound):
        vocabulary.kind(str(MC["micro-credential"]))


def test_version_changes_with_the_files(settings, tmp_path: Path) -> None:  # noqa: ANN001
    shutil.copytree(settings.vocab_dir, tmp_path / "v")
    first = load_vocabulary(settings.replace(vocab_dir=str(tmp_path / "v")))
    (tmp_path / "v" / "extra.ttl").write_text(
        '<https://w3id.org/microcred/glossary/extra> <http://www.w3.org/2004/02/skos/core#prefLabel> "Extra"@en .\n')
    second = load_vocabulary(settings.replace(vocab_dir=str(tmp_path / "v")))
    assert first.version != second.version
    assert second.label(str(MC.extra)) == "Extra"


def test_documents_are_byte_identical_across_loads(settings, vocabulary) -> None:  # noqa: ANN001
    again = load_vocabulary(settings)
    for fmt in (TURTLE, JSONLD, RDFXML, NTRIPLES, HTML):
        assert again.representation(str(MC["micro-credential"]), fmt).body == \
            vocabulary.representation(str(MC["micro-credential"]), fmt).body


@pytest.mark.corpus
def test_a_second_skos_vocabulary_in_vocab_is_served_too(settings, tmp_path: Path) -> None:  # noqa: ANN001
    """A real third-party glossary dropped into vocab/ dereferences like ours, through the resolver
    for IRIs outside our base."""
    target = tmp_path / "vocab"
    shutil.copytree(settings.vocab_dir, target)
    shutil.copy(CORPUS / "skos-vocab" / "data-stewardship-terminology.ttl", target)
    source = Graph().parse(target / "data-stewardship-terminology.ttl")
    concept = sorted(source.subjects(SKOS.prefLabel, None))[0]
    label = next(l for l in source.objects(concept, SKOS.prefLabel) if l.language == "en")
    app = create_app(settings.replace(vocab_dir=str(target)))
    with LiveServer(app) as server:
        from urllib.parse import quote

        status, headers, _ = fetch(f"{server.url}/resource?uri={quote(str(concept), safe='')}",
                                   {"Accept": "text/turtle"})
        assert status == 303 and headers["Location"].startswith("/resource.ttl?uri=")
        served = Graph().parse(server.url + headers["Location"], format="turtle")
        assert (concept, SKOS.prefLabel, Literal(str(label), lang="en")) in served
        # and our own terms are still there
        assert fetch(server.url + "/glossary/micro-credential.ttl")[0] == 200


def test_vocabulary_file_with_a_byte_order_mark_loads(settings) -> None:  # noqa: ANN001
    vocabulary = load_vocabulary(settings.replace(vocab_dir=str(DATA / "vocab-bom")))
    assert vocabulary.label(str(MC.bom)) == "Byte order mark"


@pytest.mark.parametrize("base", ["https://w3id.org/microcred/", "http://localhost:8000/"])
def test_relative_iris_resolve_against_the_base_not_the_file_path(settings, base: str) -> None:  # noqa: ANN001
    vocabulary = load_vocabulary(settings.replace(vocab_dir=str(DATA / "vocab-relative"), base_iri=base))
    assert vocabulary.kind(base + "glossary/relative") == "concept"
    assert not any(iri.startswith("file:") for iri in vocabulary.resources)

"""Pages for people: term and scheme pages in each language, with accessible structure."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal

from microcred.namespaces import MC, MCO, SKOS


TERM = "/glossary/micro-credential"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """A parsed page: elements with attributes and text, nesting checked as it goes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.errors: list[str] = []
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {[e['tag'] for e in self.stack]}")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": [e["tag"] for e in self.stack]}
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1]["tag"] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1]['tag'] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element["text"] += data

    def find(self, tag: str, **attrs: str) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())]


def page(client, url: str, **headers: str) -> tuple[Page, str]:  # noqa: ANN001
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    return Page(html), html


def assert_accessible(doc: Page) -> None:
    """Structure every page must have: well nested, lang, landmarks, one h1, labelled controls, unique ids."""
    assert doc.errors == []
    assert doc.find("html")[0]["attrs"]["lang"]
    assert all(e["attrs"]["lang"] for e in doc.elements if "lang" in e["attrs"])
    assert len(doc.find("h1")) == 1 and len(doc.find("main")) == 1
    assert doc.find("header") and doc.find("footer") and doc.find("nav")
    ids = [e["attrs"]["id"] for e in doc.elements if "id" in e["attrs"]]
    assert len(ids) == len(set(ids))
    labelled = {e["attrs"].get("for") for e in doc.find("label")}
    for control in [e for e in doc.elements if e["tag"] in ("input", "select", "textarea")]:
        if control["attrs"].get("type") != "hidden":
            assert control["attrs"].get("id") in labelled or control["attrs"].get("aria-label"), control
    for nav in doc.find("nav"):
        assert nav["attrs"].get("aria-label")
    levels = [int(e["tag"][1]) for e in doc.elements if e["tag"] in ("h1", "h2", "h3", "h4")]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


@pytest.mark.parametrize("url", [f"{TERM}.html", f"{TERM}.it.html", "/glossary.html", "/glossary.fr.html",
                                 "/ontology.html", "/", "/search.html?q=cred", "/glossary/topics.de.html"])
def test_every_page_is_well_formed_and_accessible(client, url: str) -> None:  # noqa: ANN001
    assert_accessible(page(client, url)[0])


def test_term_page_in_italian_shows_the_italian_label_and_translation_note(client) -> None:  # noqa: ANN001
    doc, html = page(client, f"{TERM}.it.html")
    assert doc.find("html")[0]["attrs"]["lang"] == "it"
    assert doc.find("h1")[0]["text"].strip() == "microcredenziale" and "lang" not in doc.find("h1")[0]["attrs"]
    notes = [e for e in doc.elements if e["tag"] == "p" and "section" in e["parents"] and e["attrs"].get("lang")]
    italian = [n for n in notes if n["attrs"]["lang"] == "it"]
    assert italian and "credenziali" in italian[0]["text"]
    section = doc.find("section", **{"aria-labelledby": "translation-notes"})
    assert section and "Note di traduzione" in section[0]["text"]
    # the Italian note comes first, before notes in other languages
    ordered = [n["attrs"]["lang"] for n in notes if "li" in n["parents"]]
    assert ordered[0] == "it" and set(ordered) >= {"it", "en", "fr"}


def test_term_page_in_english_has_every_section(client, vocabulary) -> None:  # noqa: ANN001
    doc, html = page(client, f"{TERM}.en.html")
    assert doc.find("h1")[0]["text"].strip() == vocabulary.label(str(MC["micro-credential"]), "en")
    assert "Sub-unit of a credential" in doc.find("blockquote")[0]["text"]
    assert doc.find("a", href="https://microcredentials.eu/terminology/")  # the definition's source
    assert doc.find("a", href="/glossary/credential.en.html")  # broader, in the same language
    assert doc.find("a", href="http://data.europa.eu/snb/learning-opportunity/74a4a268e8")  # relatedMatch
    assert "Related match" in html and "See also" in html
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
                       ("nt", "application/n-triples")):
        assert doc.find("a", href=f"{TERM}.{ext}", type=media)
    alt = [e for e in doc.elements if e["tag"] == "span" and e["attrs"].get("lang") == "it"]
    assert any(e["text"] == "microcredenziali" for e in alt)


def test_term_page_embeds_its_description_as_json_ld(client) -> None:  # noqa: ANN001
    doc, _ = page(client, f"{TERM}.html")
    script = doc.find("script", type="application/ld+json")[0]["text"]
    assert json.loads(script)["@context"]["skos"] == str(SKOS)
    graph = Graph().parse(data=script, format="json-ld")
    assert (MC["micro-credential"], SKOS.prefLabel, Literal("microcredenziale", lang="it")) in graph
    assert any(n.language == "it" for n in graph.objects(MC["micro-credential"], MCO.translationNote))


def test_language_switch_lists_every_language_and_marks_the_current_one(client, vocabulary) -> None:  # noqa: ANN001
    doc, _ = page(client, f"{TERM}.fr.html")
    nav = [e for e in doc.find("a") if "nav" in e["parents"] and e["attrs"].get("hreflang")]
    assert [a["attrs"]["hreflang"] for a in nav] == vocabulary.languages
    assert [a["attrs"]["href"] for a in nav if a["attrs"].get("aria-current")] == [f"{TERM}.fr.html"]
    assert all(a["attrs"]["lang"] == a["attrs"]["hreflang"] for a in nav)


@pytest.mark.parametrize("headers, query, lang, varies", [
    ({"Accept-Language": "it-IT,it;q=0.9"}, "", "it", True),
    ({"Accept-Language": "fr;q=0.5, de"}, "", "de", True),
    ({"Accept-Language": "ja"}, "", "en", True),
    ({"Accept-Language": "it"}, "?_lang=fr", "fr", False),
    ({}, "?_lang=pt-BR", "pt", False),
    ({}, "?_lang=xx", "en", False),
])
def test_page_language_from_accept_language_or_lang(client, headers, query, lang, varies) -> None:  # noqa: ANN001
    response = client.get(f"{TERM}.html{query}", headers=headers)
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    assert ("Accept-Language" in response.headers.get("Vary", "")) is varies


def test_unknown_page_language_of_a_term_is_404_naming_the_languages(client, vocabulary) -> None:  # noqa: ANN001
    response = client.get("/glossary/micro-credential.xx.html")
    problem = response.get_json()
    assert response.status_code == 404 and problem["languages"] == list(vocabulary.languages)
    assert "'xx'" in problem["detail"] and ", ".join(vocabulary.languages) in problem["detail"]


def test_unknown_page_language_is_404(client) -> None:  # noqa: ANN001
    assert client.get(f"{TERM}.xx.html").status_code == 404
    assert client.get("/index.xx.html").status_code == 404


def test_same_label_on_every_view(client, vocabulary) -> None:  # noqa: ANN001
    """The scheme page, the term page and search all show the fallback label for a language."""
    label = vocabulary.label(str(MC["micro-qualification"]), "pl")  # no Polish label: falls back to English
    assert label == vocabulary.label(str(MC["micro-qualification"]), "en")
    scheme = page(client, "/glossary.pl.html")[0]
    assert label in [a["text"] for a in scheme.find("a", href="/glossary/micro-qualification.pl.html")]
    term = page(client, "/glossary/micro-qualification.pl.html")[0]
    assert term.find("h1")[0]["text"].strip() == label and term.find("h1")[0]["attrs"]["lang"] == "en"
    found = client.get("/search?q=partial&lang=pl", headers={"Accept": "application/json"}).get_json()
    assert found["results"][0]["label"] == label and found["results"][0]["label_lang"] == "en"


def test_scheme_page_lists_top_concepts_with_narrower_and_all_concepts(client) -> None:  # noqa: ANN001
    doc, _ = page(client, "/glossary.en.html")
    tree = doc.find("section", **{"aria-labelledby": "top-concepts"})[0]
    assert "Credential" in tree["text"] and "Micro-credential" in tree["text"]
    links = [a["attrs"]["href"] for a in doc.find("a") if "section" in a["parents"]]
    for term in ("credential", "micro-credential", "qualification", "micro-qualification", "recognition",
                 "learning-passport", "credentials-clearinghouse", "credentialisation"):
        assert f"/glossary/{term}.en.html" in links
    assert doc.find("h2", id="microhe")  # a hash resource described in the scheme's document


def test_home_page_lists_the_schemes_in_each_language(client) -> None:  # noqa: ANN001
    doc, _ = page(client, "/index.it.html")
    assert doc.find("a", href="/glossary.it.html") and doc.find("html")[0]["attrs"]["lang"] == "it"


@pytest.mark.parametrize("path", ["/validate", "/quality", "/sparql"])
def test_service_pages_share_the_design(app, client, path: str) -> None:  # noqa: ANN001
    """The validation page, the quality report and the SPARQL form use the same base: stylesheet,
    header with navigation and search, landmarks."""
    if not any(rule.rule == path for rule in app.url_map.iter_rules()):
        pytest.skip(f"{path} is not served by this app")
    doc, _ = page(client, path, Accept="text/html")
    assert_accessible(doc)
    assert doc.find("link", rel="stylesheet", href="/static/style.css")
    assert doc.find("script", src="/static/search.js")
    assert doc.find("input", id="site-search", role="combobox")
    assert doc.find("a", href="/glossary") and doc.find("a", href="/validate")


SCRIPT_VOCAB = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix t: <https://w3id.org/microcred/test/> .
t:scheme a skos:ConceptScheme ; skos:prefLabel "Test"@en ; skos:hasTopConcept t:thing .
t:thing a skos:Concept ; skos:inScheme t:scheme ; skos:prefLabel "Thing"@en ;
    skos:exactMatch <javascript:alert(4)> ; skos:closeMatch <mailto:someone@example.org> ;
    skos:relatedMatch <urn:isbn:9780000000000> ; skos:broadMatch <https://example.org/broader> ;
    rdfs:seeAlso <data:text/html,hi> ;
    <vbscript:msgbox> "a property with a script IRI" .
"""


def test_script_iris_in_a_vocabulary_are_shown_as_text_not_links(tmp_path) -> None:  # noqa: ANN001
    from microcred.config import load_settings
    from microcred.web import create_app

    (tmp_path / "test.ttl").write_text(SCRIPT_VOCAB)
    app = create_app(load_settings({"vocab_dir": str(tmp_path)}, environ={}))
    try:
        doc, html = page(app.test_client(), "/test/thing.en.html")
    finally:
        app.extensions["microcred"].extras["sparql"].close()
    assert not doc.errors
    hrefs = [e["attrs"].get("href") for e in doc.find("a")]
    assert "https://example.org/broader" in hrefs
    assert not [h for h in hrefs if h and h.split(":", 1)[0] in ("javascript", "data", "vbscript", "mailto", "urn")]
    for iri in ("javascript:alert(4)", "mailto:someone@example.org", "urn:isbn:9780000000000", "data:text/html,hi"):
        assert f"<code>{iri}</code>" in html

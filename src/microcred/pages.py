"""What a page shows about a resource: the view model the Jinja templates render, with every
label resolved for the page's language by the vocabulary's one fallback order.

Core module: no Flask. The live pages and the static site both render these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from microcred.conneg import RDF_FORMATS
from microcred.iris import web_href
from microcred.messages import language_name
from microcred.namespaces import DCTERMS, MCO, RDF, RDFS, SKOS

if TYPE_CHECKING:
    from microcred.vocabulary import Vocabulary

NOTES = (("scope_note", SKOS.scopeNote), ("example", SKOS.example), ("note", SKOS.note),
         ("history_note", SKOS.historyNote), ("change_note", SKOS.changeNote),
         ("editorial_note", SKOS.editorialNote))
HIERARCHY = (("broader", SKOS.broader), ("narrower", SKOS.narrower), ("related", SKOS.related),
             ("in_scheme", SKOS.inScheme))
MAPPINGS = tuple((p, SKOS[p]) for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"))
SOURCES = (MCO.definitionSource, DCTERMS.source)
#: Shown in their own sections; every other property goes to "Details".
SHOWN = {SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition, MCO.translationNote,
         MCO.definitionSource, MCO.definitionAttribution, SKOS.topConceptOf, SKOS.hasTopConcept,
         RDFS.seeAlso, DCTERMS.source, RDF.type, DCTERMS.title, DCTERMS.description}
SHOWN |= {p for _, p in NOTES + HIERARCHY + MAPPINGS}
KINDS = {"concept": "concept", "scheme": "scheme"}


def page_href(vocabulary: Vocabulary, iri: str, lang: str) -> str | None:
    """Where a page in `lang` links for `iri`: our page in the same language, the IRI itself when
    it is an http(s) IRI, or None (shown as text: mailto:, urn:, javascript:...).

    Links keep the reader's language: /glossary/credential.it.html works on the live service and as
    a file of the static site alike.
    """
    path = vocabulary.path_for_iri(iri)
    if path is not None and iri in vocabulary.resources:
        doc, hashmark, fragment = path.partition("#")
        if doc.endswith("/"):
            doc += "index"
        return f"{doc}.{lang}.html" + (f"#{fragment}" if hashmark else "")
    if iri in vocabulary.resources:
        return f"/resource.html?uri={quote(iri, safe='')}&_lang={lang}"
    return web_href(iri)


def document_path(vocabulary: Vocabulary, iri: str, suffix: str) -> str:
    """The URL of one of a resource's documents: `suffix` is "ttl", "html", "it.html"..."""
    path = vocabulary.path_for_iri(iri)
    if path is not None:
        return f"{path}.{suffix}"
    lang, _, ext = suffix.rpartition(".")
    return f"/resource.{ext}?uri={quote(iri, safe='')}" + (f"&_lang={lang}" if lang else "")


class PageBuilder:
    """Turns what the vocabulary says about one resource into plain values for a template."""

    def __init__(self, vocabulary: Vocabulary, iri: str, lang: str) -> None:
        self.vocabulary, self.iri, self.lang = vocabulary, iri, lang
        self.graph: Graph = vocabulary.describe(iri)
        self.subject = URIRef(iri)

    def values(self, predicate: URIRef, subject: Node | None = None) -> list[Node]:
        return sorted(self.graph.objects(subject or self.subject, predicate), key=_sort_key)

    def literal(self, node: Literal) -> dict[str, Any]:
        tag = node.language or ""
        return {"text": str(node), "lang": tag, "foreign": tag != self.lang, "language": language_name(tag)}

    def link(self, node: Node) -> dict[str, Any]:
        iri = str(node)
        known = iri in self.vocabulary.labels
        label, tag = self.vocabulary.label_and_language(iri, self.lang) if known else (iri, "")
        return {"iri": iri, "href": page_href(self.vocabulary, iri, self.lang), "label": label,
                "lang": tag, "foreign": known and tag != self.lang, "known": known}

    def item(self, node: Node) -> dict[str, Any]:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, URIRef):
            return self.link(node)
        return {"text": "(a structured value: see the downloads)", "lang": "en", "foreign": self.lang != "en"}

    def texts(self, predicate: URIRef, subject: Node | None = None) -> list[dict[str, Any]]:
        """Literals of a property, the page's language first, then by language tag."""
        found = [self.literal(v) for v in self.values(predicate, subject) if isinstance(v, Literal)]
        return sorted(found, key=lambda v: (v["lang"] != self.lang, v["lang"], v["text"]))

    def links(self, predicates: Iterable[URIRef]) -> list[dict[str, Any]]:
        found = {str(v): self.link(v) for p in predicates for v in self.values(p) if isinstance(v, URIRef)}
        return sorted(found.values(), key=lambda v: (v["label"].casefold(), v["iri"]))

    def definitions(self) -> list[dict[str, Any]]:
        sources = [self.link(v) for p in SOURCES for v in self.values(p) if isinstance(v, URIRef)]
        sources = list({s["iri"]: s for s in sources}.values())
        attributions = self.texts(MCO.definitionAttribution)
        return [dict(d, sources=sources, attributions=attributions) for d in self.texts(SKOS.definition)]

    def other_languages(self) -> list[dict[str, Any]]:
        pref = {v.language or "": str(v) for v in self.values(SKOS.prefLabel) if isinstance(v, Literal)}
        alts: dict[str, list[str]] = {}
        for v in self.values(SKOS.altLabel):
            if isinstance(v, Literal):
                alts.setdefault(v.language or "", []).append(str(v))
        return [{"lang": tag, "language": language_name(tag), "pref": pref.get(tag, ""), "alt": alts.get(tag, [])}
                for tag in sorted(set(pref) | set(alts))]

    def details(self, subject: Node | None = None, skip: set = SHOWN) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for pred, obj in sorted(self.graph.predicate_objects(subject or self.subject), key=_sort_key):
            if pred in skip:
                continue
            name = self.graph.namespace_manager.normalizeUri(str(pred))
            row = rows.setdefault(name, {"name": name, "iri": str(pred), "href": web_href(str(pred)), "values": []})
            row["values"].append(self.item(obj))
        return list(rows.values())

    def context(self) -> dict[str, Any]:
        """Everything the templates need for this resource's page."""
        kind = self.vocabulary.kind(self.iri)
        label, label_lang = self.vocabulary.label_and_language(self.iri, self.lang)
        return {
            "iri": self.iri, "kind": KINDS.get(kind, "resource"), "lang": self.lang,
            "label": label, "label_lang": label_lang,
            "descriptions": self.texts(DCTERMS.description),
            "definitions": self.definitions(),
            "translation_notes": self.texts(MCO.translationNote),
            "alt_labels": self.texts(SKOS.altLabel),
            "other_languages": self.other_languages(),
            "notes": [(key, self.texts(p)) for key, p in NOTES if self.texts(p)],
            "hierarchy": [(key, self.links([p])) for key, p in HIERARCHY if self.links([p])],
            "mappings": [(key, self.links([p])) for key, p in MAPPINGS if self.links([p])],
            "see_also": self.links([RDFS.seeAlso]),
            "details": self.details(),
            "top_concepts": self.top_concepts() if kind == "scheme" else [],
            "members": self.members() if kind == "scheme" else [],
            "hashed": self.hashed(),
        }

    def top_concepts(self) -> list[dict[str, Any]]:
        """The scheme's top concepts, each with its narrower concepts (two levels)."""
        tops = self.links([SKOS.hasTopConcept])
        tops += [self.link(s) for s in self.graph.subjects(SKOS.topConceptOf, self.subject)]
        tops = sorted({t["iri"]: t for t in tops}.values(), key=lambda t: (t["label"].casefold(), t["iri"]))
        for top in tops:
            narrower = {str(n) for n in self.graph.objects(URIRef(top["iri"]), SKOS.narrower)}
            narrower |= {str(n) for n in self.graph.subjects(SKOS.broader, URIRef(top["iri"]))}
            top["narrower"] = sorted((self.link(URIRef(n)) for n in narrower), key=lambda t: t["label"].casefold())
        return tops

    def members(self) -> list[dict[str, Any]]:
        """Every concept of the scheme, alphabetically by the label shown."""
        found = {q.subject.value for q in self.vocabulary.store.quads_for_pattern(
            None, ox.NamedNode(str(SKOS.inScheme)), ox.NamedNode(self.iri)) if isinstance(q.subject, ox.NamedNode)}
        return sorted((self.link(URIRef(m)) for m in found), key=lambda m: (m["label"].casefold(), m["iri"]))

    def hashed(self) -> list[dict[str, Any]]:
        """Resources under this one's IRI with a fragment (described on this page, anchored)."""
        prefix = self.iri + "#"
        found = sorted(self.vocabulary.resources.fragments(self.iri))
        return [dict(self.link(URIRef(s)), id=s[len(prefix):], rows=self.details(URIRef(s), {RDF.type}))
                for s in found]


def page_context(vocabulary: Vocabulary, iri: str, lang: str) -> dict[str, Any]:
    """What a page shows about `iri` in `lang`: sections, links, downloads, languages."""
    context = PageBuilder(vocabulary, iri, lang).context()
    context["downloads"] = [(f, document_path(vocabulary, iri, f.extension)) for f in RDF_FORMATS]
    context["alternates"] = language_links(vocabulary, iri, lang)
    context["canonical"] = document_path(vocabulary, iri, "html")
    return context


def language_links(vocabulary: Vocabulary, iri: str | None, lang: str) -> list[dict[str, Any]]:
    """The language switch: one link per language the vocabulary has, to this page in it."""
    return [{"lang": tag, "name": language_name(tag), "current": tag == lang,
             "href": document_path(vocabulary, iri, f"{tag}.html") if iri else f"/index.{tag}.html"}
            for tag in vocabulary.languages]


def _sort_key(item: Any) -> tuple:
    return tuple((type(x).__name__, str(x), getattr(x, "language", "") or "") for x in
                 (item if isinstance(item, tuple) else (item,)))

"""Serialise what the vocabulary says about a resource: RDF in four syntaxes, and HTML pages.

Core module: no Flask. Jinja renders the pages, so the live service and the static site share them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Graph, Literal, URIRef

from microcred.conneg import FORMATS, RDF_FORMATS, Format
from microcred.namespaces import PREFIXES

if TYPE_CHECKING:
    from microcred.vocabulary import Vocabulary

#: The JSON-LD context of every JSON-LD document we write: our prefixes.
JSONLD_CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))


def serialize(graph: Graph, fmt: Format) -> bytes:
    """Serialise a graph deterministically in one RDF format."""
    if fmt.token == "nt":
        lines = graph.serialize(format="nt11", encoding="utf-8").splitlines()
        return b"".join(sorted(line + b"\n" for line in lines if line.strip()))
    if fmt.token == "jsonld":
        data = json.loads(graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True))
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")


def render_rdf(vocabulary: "Vocabulary", iri: str, fmt: Format, variant: str = "") -> bytes:
    """A resource's description in an RDF format."""
    return serialize(vocabulary.describe(iri), fmt)


_ENV: Environment | None = None


def template_environment() -> Environment:
    """The Jinja environment shared by the live pages and the static site."""
    global _ENV  # one immutable environment per process; templates are package data
    if _ENV is None:
        _ENV = Environment(loader=PackageLoader("microcred", "templates"),
                           autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    return _ENV


def link_for(vocabulary: "Vocabulary", iri: str) -> str:
    """Where a page links for `iri`: its local path, the resolver, or the IRI itself."""
    path = vocabulary.path_for_iri(iri)
    if path is not None and iri in vocabulary.resources:
        return path
    if iri in vocabulary.resources:
        from urllib.parse import quote

        return "/resource?uri=" + quote(iri, safe="")
    return iri


def document_url(vocabulary: "Vocabulary", iri: str, fmt: Format) -> str:
    """The URL of the document for `iri` in `fmt` (no negotiation needed there)."""
    path = vocabulary.path_for_iri(iri)
    if path is not None:
        return f"{path}.{fmt.extension}"
    from urllib.parse import quote

    return f"/resource.{fmt.extension}?uri=" + quote(iri, safe="")


def page_context(vocabulary: "Vocabulary", iri: str, lang: str) -> dict[str, Any]:
    """What a page shows about a resource, with labels resolved for `lang`."""
    graph = vocabulary.describe(iri)
    subject = URIRef(iri)
    rows: dict[str, list[dict[str, Any]]] = {}
    for pred, obj in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1]))):
        name = graph.namespace_manager.normalizeUri(pred)
        if isinstance(obj, Literal):
            value = {"text": str(obj), "lang": obj.language or "", "datatype": str(obj.datatype or "")}
        elif isinstance(obj, URIRef):
            value = {"iri": str(obj), "href": link_for(vocabulary, str(obj)),
                     "label": vocabulary.label(str(obj), lang) if str(obj) in vocabulary.labels else ""}
        else:
            value = {"text": graph.value(obj, None) and "…" or "", "blank": True}
        rows.setdefault(name, []).append(value)
    embedded = serialize(vocabulary.describe(iri), FORMATS["jsonld"]).decode("utf-8")
    return {
        "iri": iri,
        "kind": vocabulary.kind(iri),
        "label": vocabulary.label(iri, lang),
        "lang": lang,
        "rows": rows,
        "downloads": [(f, document_url(vocabulary, iri, f)) for f in RDF_FORMATS],
        "jsonld": embedded.replace("</", "<\\/"),
        "members": _members(vocabulary, iri, lang),
    }


def _members(vocabulary: "Vocabulary", iri: str, lang: str) -> list[dict[str, str]]:
    """The concepts of a scheme, sorted by label, for the scheme page."""
    if vocabulary.kind(iri) != "scheme":
        return []
    import pyoxigraph as ox

    from microcred.namespaces import SKOS

    found = {q.subject.value for q in vocabulary.store.quads_for_pattern(None, ox.NamedNode(str(SKOS.inScheme)),
                                                                         ox.NamedNode(iri))}
    members = [{"iri": m, "href": link_for(vocabulary, m), "label": vocabulary.label(m, lang)} for m in found]
    return sorted(members, key=lambda m: m["label"].casefold())


def render_html(vocabulary: "Vocabulary", iri: str, fmt: Format, variant: str = "") -> bytes:
    """A resource's HTML page in the language `variant` (or the default language)."""
    lang = variant or vocabulary.settings.default_language
    context = page_context(vocabulary, iri, lang)
    template = template_environment().get_template("resource.html")
    return template.render(**context, title=context["label"]).encode("utf-8")


RENDERERS = {"ttl": render_rdf, "jsonld": render_rdf, "rdf": render_rdf, "nt": render_rdf, "html": render_html}

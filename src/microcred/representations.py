"""Serialise what the vocabulary says about a resource: RDF in four syntaxes, and HTML pages.

Core module: no Flask. Jinja renders the pages, so the live service and the static site share them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from rdflib import Graph

from microcred.conneg import FORMATS, Format
from microcred.iris import web_href
from microcred.messages import message
from microcred.namespaces import PREFIXES

if TYPE_CHECKING:
    from microcred.vocabulary import Vocabulary

#: The JSON-LD context of every JSON-LD document we write: our prefixes.
JSONLD_CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))


def serialize(graph: Graph, fmt: Format) -> bytes:
    """Serialise a graph deterministically in one RDF format (the same bytes in every process)."""
    if fmt.token == "nt":
        lines = graph.serialize(format="nt11", encoding="utf-8").splitlines()
        return b"".join(sorted(line + b"\n" for line in lines if line.strip()))
    graph = sorted_graph(graph)
    if fmt.token == "jsonld":
        data = json.loads(graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True))
        return (json.dumps(sort_arrays(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")


class SortedGraph(Graph):
    """A graph that lists its subjects in sorted order: rdflib's RDF/XML serialiser writes them in
    the order of a set, which differs between processes."""

    def subjects(self, predicate: Any = None, object: Any = None, unique: bool = False) -> Any:
        found = set(super().subjects(predicate, object))
        return iter(sorted(found, key=lambda n: (type(n).__name__, str(n))))


def sorted_graph(graph: Graph) -> Graph:
    """A copy whose triples were added in sorted order, so every serialiser writes the same bytes
    in every process."""
    out = SortedGraph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for triple in sorted(graph, key=lambda t: tuple((type(n).__name__, n.n3()) for n in t)):
        out.add(triple)
    for predicate in sorted({str(p) for p in out.predicates()}):  # new prefixes (ns1, ns2...) in a fixed order
        try:
            out.namespace_manager.compute_qname_strict(predicate)
        except ValueError:  # a predicate RDF/XML cannot write; the serialiser reports it
            pass
    return out


def sort_arrays(data: Any) -> Any:
    """JSON with every array sorted (RDF values are unordered; a stable order keeps bytes stable)."""
    if isinstance(data, dict):  # an @list is ordered: its items keep their order
        return {k: [sort_arrays(i) for i in v] if k == "@list" and isinstance(v, list) else sort_arrays(v)
                for k, v in data.items()}
    if isinstance(data, list):
        items = [sort_arrays(v) for v in data]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return data


def render_rdf(vocabulary: Vocabulary, iri: str, fmt: Format, variant: str = "") -> bytes:
    """A resource's description in an RDF format."""
    return serialize(vocabulary.describe(iri), fmt)


_ENV: Environment | None = None


def template_environment() -> Environment:
    """The Jinja environment shared by the live pages and the static site."""
    global _ENV  # one immutable environment per process; templates are package data
    if _ENV is None:
        _ENV = Environment(loader=PackageLoader("microcred", "templates"),
                           autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        _ENV.globals["t"] = translate
        _ENV.globals["web_href"] = web_href
    return _ENV


def translate(key: str, lang: Any = None) -> Markup:
    """Interface text in the page's language; text shown in English instead is marked lang="en"."""
    wanted = str(lang) if lang else "en"
    text, used = message(key, wanted)
    if used.split("-")[0] == wanted.split("-")[0]:
        return Markup.escape(text)
    return Markup('<span lang="{}">{}</span>').format(used, text)


def link_for(vocabulary: Vocabulary, iri: str) -> str | None:
    """Where a page links for `iri`: its local path, the resolver, the IRI itself when it is an
    http(s) IRI, or None (shown as text)."""
    path = vocabulary.path_for_iri(iri)
    if path is not None and iri in vocabulary.resources:
        return path
    if iri in vocabulary.resources:
        from urllib.parse import quote

        return "/resource?uri=" + quote(iri, safe="")
    return web_href(iri)


def document_url(vocabulary: Vocabulary, iri: str, fmt: Format) -> str:
    """The URL of the document for `iri` in `fmt` (no negotiation needed there)."""
    path = vocabulary.path_for_iri(iri)
    if path is not None:
        return f"{path}.{fmt.extension}"
    from urllib.parse import quote

    return f"/resource.{fmt.extension}?uri=" + quote(iri, safe="")


def render_html(vocabulary: Vocabulary, iri: str, fmt: Format, variant: str = "") -> bytes:
    """A resource's HTML page in the language `variant` (or the default language)."""
    from microcred.pages import page_context

    lang = variant or vocabulary.settings.default_language
    context = page_context(vocabulary, iri, lang)
    embedded = serialize(vocabulary.describe(iri), FORMATS["jsonld"]).decode("utf-8")
    context["jsonld"] = embedded.replace("</", "<\\/").replace("<!--", "<\\u0021--")
    name = "scheme.html" if context["kind"] == "scheme" else "resource.html"
    return template_environment().get_template(name).render(**context, title=context["label"]).encode("utf-8")


def render_index(vocabulary: Vocabulary, lang: str) -> bytes:
    """The home page in `lang`: the concept schemes served, with their descriptions."""
    from microcred.pages import language_links, page_href

    schemes: list[dict[str, Any]] = []
    for iri, kind in vocabulary.resources.items():
        if kind == "scheme":
            label, label_lang = vocabulary.label_and_language(iri, lang)
            schemes.append({"href": page_href(vocabulary, iri, lang), "label": label, "lang": label_lang})
    schemes.sort(key=lambda s: (s["label"].casefold(), s["href"]))
    template = template_environment().get_template("index.html")
    return template.render(schemes=schemes, title="microcred", lang=lang,
                           alternates=language_links(vocabulary, None, lang)).encode("utf-8")


RENDERERS = {"ttl": render_rdf, "jsonld": render_rdf, "rdf": render_rdf, "nt": render_rdf, "html": render_html}


def render_search(vocabulary: Vocabulary, query: str, lang: str, hits: list[dict[str, Any]]) -> bytes:
    """The search page in `lang`: the form and, for a query, its results."""
    from microcred.pages import language_links

    asked = f"q={quote(query)}&" if query else ""
    alternates = [dict(a, href=f"/search.html?{asked}lang={a['lang']}") for a in language_links(vocabulary, None, lang)]
    template = template_environment().get_template("search.html")
    return template.render(query=query, hits=hits, lang=lang, title="Search",
                           alternates=alternates).encode("utf-8")

"""Reading a submitted passport: its format (declared or detected), and parsing into an rdflib Graph.

Core module: no Flask. Turtle, TriG, N-Triples and RDF/XML go through pyoxigraph (positions in
its errors, no entity expansion); JSON-LD through rdflib with contexts inlined from the local
store. Nothing is fetched: owl:imports in the data are data, never followed.
"""

from __future__ import annotations

import json
import xml.sax
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.parsers.jsonld import to_rdf

from microcred.contexts import ContextStore, inline_contexts
from microcred.errors import InputError, RDFSyntaxError, UnsupportedMediaType
from microcred.jsonldcheck import check_keywords
from microcred.rdfterms import to_rdflib
from microcred.xmlsafety import refuse_entity_declarations


@dataclass(frozen=True)
class InputFormat:
    """A syntax we read: token, media types that announce it, pyoxigraph format (None: JSON-LD)."""

    token: str
    name: str
    media_types: tuple[str, ...]
    oxigraph: Any


INPUT_FORMATS: tuple[InputFormat, ...] = (
    InputFormat("ttl", "Turtle", ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE),
    InputFormat("jsonld", "JSON-LD", ("application/ld+json", "application/json"), None),
    InputFormat("rdf", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"),
                ox.RdfFormat.RDF_XML),
    InputFormat("nt", "N-Triples", ("application/n-triples", "text/plain"), ox.RdfFormat.N_TRIPLES),
    InputFormat("trig", "TriG", ("application/trig",), ox.RdfFormat.TRIG),
)
BY_MEDIA_TYPE = {m: f for f in INPUT_FORMATS for m in f.media_types}
BY_TOKEN = {f.token: f for f in INPUT_FORMATS}
BY_SUFFIX = {".ttl": "ttl", ".turtle": "ttl", ".jsonld": "jsonld", ".json": "jsonld", ".rdf": "rdf",
             ".xml": "rdf", ".owl": "rdf", ".nt": "nt", ".trig": "trig"}
#: Media types that say nothing about the syntax: detect it from the bytes instead.
UNSPECIFIC = {"", "application/octet-stream", "application/x-www-form-urlencoded"}
BOM = b"\xef\xbb\xbf"
#: pyoxigraph's lexer buffer: a single term (a literal, an IRI) or line longer than this cannot be read.
PARSER_BUFFER = 16 * 1024 * 1024
EMPTY = "empty document: the passport holds no bytes but white space; send one in an RDF syntax"


def format_for(media_type: str | None, data: bytes) -> InputFormat:
    """The format a Content-Type (parameters allowed) announces, or the one detected in `data`."""
    bare = (media_type or "").split(";")[0].strip().lower()
    if bare in BY_MEDIA_TYPE:
        return BY_MEDIA_TYPE[bare]
    if bare in BY_TOKEN:
        return BY_TOKEN[bare]
    if bare not in UNSPECIFIC:
        raise UnsupportedMediaType(
            f"cannot read {bare}; send one of the RDF syntaxes listed in `accepted`",
            accepted=[m for f in INPUT_FORMATS for m in f.media_types[:1]])
    return detect_format(data)


def detect_format(data: bytes) -> InputFormat:
    """Guess the syntax from the first significant bytes: JSON, XML, else Turtle-family (TriG)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return BY_TOKEN["jsonld"]
    if head[:1] == b"<" and (head[1:2] in (b"?", b"!") or (head[1:2].isalpha() and b"://" not in
                                                             head.split(None, 1)[0].split(b">")[0])):
        return BY_TOKEN["rdf"]  # an XML tag, not an IRI opening a Turtle or N-Triples statement
    return BY_TOKEN["trig"]  # TriG reads Turtle and N-Triples too


def parse_passport(data: bytes, fmt: InputFormat, contexts: ContextStore,
                   base: str | None = None) -> Graph:
    """Parse `data` into a new Graph (named graphs of TriG are merged), or raise a typed error."""
    data = data.removeprefix(BOM)  # editors on Windows write one
    if not data.strip():
        raise InputError(EMPTY)
    try:
        graph = _parse_jsonld(data, contexts, base) if fmt.oxigraph is None else _parse_oxigraph(data, fmt, base)
    except RecursionError as exc:
        raise InputError(f"the {fmt.name} document is nested too deeply to be read") from exc
    if not len(graph):
        raise InputError(f"the {fmt.name} document holds no RDF statements: nothing to validate")
    return graph


def _parse_oxigraph(data: bytes, fmt: InputFormat, base: str | None) -> Graph:
    graph = Graph()
    add = graph.add
    terms: dict[Any, Any] = {}  # predicates, classes and nodes recur: convert each term once

    def term(node: Any) -> Any:
        converted = terms.get(node)
        if converted is None:
            converted = terms[node] = to_rdflib(node)
        return converted

    if fmt.token == "rdf":
        refuse_entity_declarations(data)
    try:
        for quad in ox.parse(data, fmt.oxigraph, base_iri=base, lenient=False):
            add((term(quad.subject), term(quad.predicate), term(quad.object)))
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        if line is None and fmt.token == "rdf":
            line, column = _xml_position(data)
        raise RDFSyntaxError(f"malformed {fmt.name}: {exc.msg}", line=line, column=column,
                             format=fmt.name) from None
    except MemoryError as exc:
        if "buffer maximal size" not in str(exc):
            raise
        raise InputError(f"the {fmt.name} document is too large for the parser: it holds a single term "
                         f"(a literal or an IRI) or line longer than {PARSER_BUFFER // 2**20} MiB",
                         format=fmt.name) from None
    return graph


def _xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Line and column (1-based) of an XML well-formedness error, from the SAX parser's locator."""
    parser: Any = xml.sax.make_parser()  # an expat reader: it has feed() and close()
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    try:
        parser.feed(data)
        parser.close()
    except xml.sax.SAXParseException as exc:
        return exc.getLineNumber(), (exc.getColumnNumber() or 0) + 1
    return None, None


def _parse_jsonld(data: bytes, contexts: ContextStore, base: str | None) -> Graph:
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        raise RDFSyntaxError(f"malformed JSON-LD: not UTF-8 ({exc.reason})", line=1,
                             column=exc.start + 1, format="JSON-LD") from None
    except json.JSONDecodeError as exc:
        raise RDFSyntaxError(f"malformed JSON-LD: {exc.msg}", line=exc.lineno, column=exc.colno,
                             format="JSON-LD") from None
    if not isinstance(document, (dict, list)):
        raise RDFSyntaxError("malformed JSON-LD: the document must be an object or an array",
                             line=1, column=1, format="JSON-LD")
    check_keywords(document)
    document = inline_contexts(document, contexts, base)
    graph = Graph()
    try:
        to_rdf(document, graph, base=base or "")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # rdflib reports invalid JSON-LD structures (a bad @type, a list where a term is due) so
        raise RDFSyntaxError(f"invalid JSON-LD: {type(exc).__name__}: {exc}", format="JSON-LD") from None
    if not len(graph) and isinstance(document, dict) and "payload" in document and "@context" not in document:
        raise InputError("the JSON-LD document holds no RDF statements: it looks like a signed envelope; "
                         "extract the credential from its payload (decode the JWS) and validate that")
    return graph


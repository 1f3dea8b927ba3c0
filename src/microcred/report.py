"""The typed validation report and its renderings: JSON summary, SHACL report graph, plain text.

Core module: no Flask. A Report holds strings and tuples only, no rdflib terms, so a worker process
returns it cheaply; to_graph() rebuilds the terms (literals keep their datatype or language).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any, overload

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from microcred.namespaces import DCTERMS, PREFIXES, RDF, SH

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
SEVERITY_IRIS = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}
PATH_OPERATORS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


@dataclass(frozen=True)
class Result:
    """One finding: where (focus node, path, value), what (message, severity), and why."""

    focus_node: str | None
    path: str | None
    value: str | None
    value_kind: str | None
    message: str
    severity: str
    source_shape: str
    component: str
    glossary_term: str | None
    element: str | None
    focus_types: tuple[str, ...] = ()
    value_datatype: str | None = None
    value_lang: str | None = None
    message_lang: str | None = None
    #: the triples of a blank-node path (an RDF list, nested path nodes), terms as render_term writes them
    path_triples: tuple[tuple[str, str, str], ...] = ()

    @property
    def key(self) -> tuple:
        """What makes two results the same finding."""
        return (self.focus_node, self.path, self.value, self.severity, self.source_shape, self.component)

    def to_json(self) -> dict[str, Any]:
        """The result in the JSON summary: every field but the path's triples, in camelCase."""
        return {name: getattr(self, field) for field, name in JSON_FIELDS}


@dataclass(frozen=True)
class Report:
    """The outcome of validating one document against one profile."""

    profile: str
    conforms: bool
    counts: dict[str, int]
    results: tuple[Result, ...]
    triples: int
    source: str | None = None
    format: str | None = None
    elapsed_ms: float | None = None

    @classmethod
    def build(cls, profile: str, results: Iterable[Result], triples: int) -> Report:
        """A report from raw results: identical ones merged, sorted, counted."""
        unique: dict[tuple, Result] = {}
        for result in results:
            unique.setdefault(result.key, result)
        ordered = sorted(unique.values(), key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus_node or "",
                                                         r.path or "", r.source_shape, r.value or ""))
        counts = {name: sum(1 for r in ordered if r.severity == name) for name in SEVERITY_ORDER}
        return cls(profile, counts["Violation"] == 0, counts, tuple(ordered), triples)

    def with_source(self, name: str | None, fmt: str | None, elapsed_ms: float | None) -> Report:
        return replace(self, source=name, format=fmt, elapsed_ms=elapsed_ms)

    def to_json(self) -> dict[str, Any]:
        """The JSON summary."""
        return {"source": self.source, "profile": self.profile, "conforms": self.conforms,
                "counts": self.counts, "triples": self.triples, "format": self.format,
                "elapsedMs": self.elapsed_ms, "results": [r.to_json() for r in self.results]}

    def by_focus(self) -> list[tuple[str | None, list[Result]]]:
        """Results grouped by focus node, in report order (for the HTML page)."""
        groups: dict[str | None, list[Result]] = {}
        for result in self.results:
            groups.setdefault(result.focus_node, []).append(result)
        return list(groups.items())

    def to_graph(self) -> Graph:
        """The report as a SHACL ValidationReport graph (with dct:subject linking glossary terms)."""
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for result in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, SEVERITY_IRIS.get(result.severity, SH.Violation)))
            graph.add((node, SH.sourceConstraintComponent, URIRef(result.component)))
            graph.add((node, SH.sourceShape, parse_term(result.source_shape)))
            graph.add((node, SH.resultMessage, Literal(result.message, lang=result.message_lang)))
            if result.focus_node is not None:
                graph.add((node, SH.focusNode, parse_term(result.focus_node)))
            if result.value is not None:
                graph.add((node, SH.value, value_term(result)))
            if result.path_triples:
                graph.add((node, SH.resultPath, parse_term(result.path_triples[0][0])))
                for s, p, o in result.path_triples:
                    graph.add((parse_term(s), URIRef(p), parse_term(o)))
            elif result.path:
                graph.add((node, SH.resultPath, _expand(result.path)))
            if result.glossary_term:
                graph.add((node, DCTERMS.subject, URIRef(result.glossary_term)))
        return graph

    def to_text(self) -> str:
        """A plain-text rendering for the command line."""
        head = f"{self.source or '-'}: {'conforms' if self.conforms else 'does not conform'} to {self.profile}"
        counts = ", ".join(f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in self.counts.items() if n)
        lines = [head + (f" ({counts})" if counts else "")]
        for r in self.results:
            where = " ".join(x for x in (r.focus_node or "", r.path or "") if x)
            lines.append(f"  {r.severity}: {r.message}")
            lines.append(f"    at {where or '(document)'}" + (f" value {r.value}" if r.value else ""))
            if r.glossary_term:
                lines.append(f"    term {r.glossary_term}")
        return "\n".join(lines)


@overload
def render_term(term: Node, prefixes: dict[str, str] | None = None) -> str: ...
@overload
def render_term(term: None, prefixes: dict[str, str] | None = None) -> None: ...
def render_term(term: Node | None, prefixes: dict[str, str] | None = None) -> str | None:
    """A term as text: IRIs plain (or prefixed), blank nodes as _:id, literals by their lexical form."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, URIRef) and prefixes:
        return _curie(term, prefixes)
    return str(term)


def render_path(graph: Graph, path: Node, prefixes: dict[str, str]) -> str:
    """A SHACL property path in SPARQL property path syntax, with prefixed names."""
    if isinstance(path, URIRef):
        return _curie(path, prefixes)
    if (path, RDF.first, None) in graph:
        return "/".join(_wrap(graph, p, prefixes) for p in Collection(graph, path))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_wrap(graph, p, prefixes) for p in Collection(graph, alternatives)) + ")"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _wrap(graph, inverse, prefixes)
    for predicate, operator in PATH_OPERATORS.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return _wrap(graph, inner, prefixes) + operator
    return f"_:{path}"


def parse_term(text: str) -> Node:
    """An IRI or blank node back from render_term (no IRI starts with `_:`: a scheme begins with a letter)."""
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def value_term(result: Result) -> Node:
    """A result's sh:value as an RDF term: a literal keeps its language tag or datatype."""
    if result.value_kind == "literal":
        datatype = URIRef(result.value_datatype) if result.value_datatype and not result.value_lang else None
        return Literal(result.value or "", lang=result.value_lang, datatype=datatype)
    return parse_term(result.value or "")


def _wrap(graph: Graph, path: Node, prefixes: dict[str, str]) -> str:
    text = render_path(graph, path, prefixes)
    return f"({text})" if "/" in text and not text.startswith("(") else text


def _curie(iri: URIRef, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def _expand(path: str) -> URIRef:
    prefix, _, local = path.partition(":")
    return URIRef(PREFIXES[prefix] + local) if prefix in PREFIXES else URIRef(path.strip("<>"))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


JSON_FIELDS = tuple((f.name, _camel(f.name)) for f in fields(Result) if f.name != "path_triples")

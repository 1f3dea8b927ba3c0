"""The SKOS view of a graph that the quality checks read, built in one pass over the triples.

SKOS's own semantics are built in; sub-properties declared in the data count for its own terms.
Must not import Flask."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from microcred.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS

SKOS_NS = str(SKOS)
DC_TITLE = "http://purl.org/dc/elements/1.1/title"
STRING_TYPES = frozenset({"http://www.w3.org/2001/XMLSchema#string", str(RDF.langString)})


class Issue(NamedTuple):
    """One fault a check found: the resource (None for the whole vocabulary) and a sentence."""

    resource: str | None
    message: str
    severity: str | None = None  # None: the check's own severity


class Lit(NamedTuple):
    """A literal: its lexical form, lower-cased language tag (or None) and datatype IRI."""

    value: str
    lang: str | None
    datatype: str | None

    def is_text(self) -> bool:
        return self.lang is not None or self.datatype in STRING_TYPES or self.datatype is None


Node = str | Lit
Triple = tuple[str, str, Node]

LABELS = (str(SKOS.prefLabel), str(SKOS.altLabel), str(SKOS.hiddenLabel))
NOTES = tuple(str(p) for p in (SKOS.note, SKOS.definition, SKOS.scopeNote, SKOS.example,
                               SKOS.historyNote, SKOS.editorialNote, SKOS.changeNote))
MAPPINGS = tuple(str(p) for p in (SKOS.mappingRelation, SKOS.closeMatch, SKOS.exactMatch,
                                  SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch))
SEMANTIC = tuple(str(p) for p in (SKOS.semanticRelation, SKOS.broader, SKOS.narrower,
                                  SKOS.broaderTransitive, SKOS.narrowerTransitive,
                                  SKOS.related)) + MAPPINGS
#: property -> its inverse, for the relations SKOS expects to be stated both ways.
INVERSES = {str(a): str(b) for a, b in (
    (SKOS.broader, SKOS.narrower), (SKOS.narrower, SKOS.broader),
    (SKOS.broaderTransitive, SKOS.narrowerTransitive),
    (SKOS.narrowerTransitive, SKOS.broaderTransitive),
    (SKOS.related, SKOS.related), (SKOS.hasTopConcept, SKOS.topConceptOf),
    (SKOS.topConceptOf, SKOS.hasTopConcept), (SKOS.broadMatch, SKOS.narrowMatch),
    (SKOS.narrowMatch, SKOS.broadMatch), (SKOS.relatedMatch, SKOS.relatedMatch),
    (SKOS.exactMatch, SKOS.exactMatch), (SKOS.closeMatch, SKOS.closeMatch))}


def namespace_of(iri: str) -> str:
    """The IRI up to its last '#' or '/': how 'the same vocabulary' is told apart from others."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def from_rdflib(term: Any) -> Node:
    """An rdflib term as an index node."""
    kind = type(term).__name__
    if kind == "Literal":
        lang = term.language.lower() if term.language else None
        return Lit(str(term), lang, str(term.datatype) if term.datatype else None)
    return "_:" + str(term) if kind == "BNode" else str(term)


def from_oxigraph(term: Any) -> Node:
    """A pyoxigraph term as an index node."""
    kind = type(term).__name__
    if kind == "Literal":
        lang = term.language.lower() if term.language else None
        return Lit(term.value, lang, None if lang else term.datatype.value)
    if kind == "Triple":  # RDF-star quoted triple: no SKOS meaning, kept as an opaque node
        return "<<" + str(term) + ">>"
    return "_:" + term.value if kind == "BlankNode" else term.value


@dataclass
class SkosIndex:
    """What the checks need from a graph, as dictionaries and sets of strings."""

    triples: int = 0
    by_predicate: dict[str, list[tuple[str, Node]]] = field(
        default_factory=lambda: defaultdict(list))
    subjects: set[str] = field(default_factory=set)
    skos_uses: dict[str, list[Any]] = field(default_factory=dict)  # term -> [count, example]
    concepts: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)  # concepts not marked owl:deprecated
    schemes: set[str] = field(default_factory=set)
    labels: dict[str, dict[str, set[Lit]]] = field(default_factory=dict)  # kind -> IRI -> labels
    texts: dict[str, list[tuple[str, Lit]]] = field(default_factory=lambda: defaultdict(list))
    documented: set[str] = field(default_factory=set)
    titled: set[str] = field(default_factory=set)
    parents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    match_parents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    related: list[tuple[str, str]] = field(default_factory=list)
    exact: list[tuple[str, str]] = field(default_factory=list)
    semantic: list[tuple[str, str, str]] = field(default_factory=list)  # (s, p, o), IRIs only
    top: set[tuple[str, str]] = field(default_factory=set)  # (scheme, concept)
    in_scheme: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _subs: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    def add(self, s: str, p: str, o: Node) -> None:
        """Take in one triple."""
        self.triples += 1
        self.by_predicate[p].append((s, o))
        self.subjects.add(s)
        for term in (s, p, o):
            if type(term) is str and term.startswith(SKOS_NS):
                use = self.skos_uses.setdefault(term, [0, s])
                use[0] += 1

    def pairs(self, *roots: str) -> Iterator[tuple[str, str]]:
        """(subject, object) of each root property and its declared sub-properties; no literals."""
        for p in self.expand(*roots):
            for s, o in self.by_predicate.get(p, ()):
                if type(o) is str:
                    yield s, o

    def literals(self, *roots: str) -> Iterator[tuple[str, str, Lit]]:
        """(subject, property, literal) of each root property and its declared sub-properties."""
        for p in self.expand(*roots):
            for s, o in self.by_predicate.get(p, ()):
                if type(o) is Lit:
                    yield s, p, o

    def expand(self, *roots: str) -> set[str]:
        """The roots plus every property declared (transitively) a sub-property of one of them."""
        return self._closure(str(RDFS.subPropertyOf), roots)

    def _closure(self, relation: str, roots: Iterable[str]) -> set[str]:
        if relation not in self._subs:
            subs: dict[str, list[str]] = defaultdict(list)
            for s, o in self.by_predicate.get(relation, ()):
                if type(o) is str and not s.startswith(SKOS_NS):
                    subs[o].append(s)
            self._subs[relation] = subs
        subs = self._subs[relation]
        seen, todo = set(roots), list(roots)
        while todo:
            for sub in subs.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen


def build_index(triples: Iterable[Triple]) -> SkosIndex:
    """Read the triples once, then derive concepts, schemes, labels and relations."""
    index = SkosIndex()
    for s, p, o in triples:
        index.add(s, p, o)
    _derive_resources(index)
    _derive_relations(index)
    return index


def _derive_resources(ix: SkosIndex) -> None:
    types = ix.by_predicate.get(str(RDF.type), ())
    concept_classes = ix._closure(str(RDFS.subClassOf), [str(SKOS.Concept)])
    scheme_classes = ix._closure(str(RDFS.subClassOf), [str(SKOS.ConceptScheme)])
    typed = {s for s, o in types if o in concept_classes}
    ix.concepts.update(typed)
    ix.schemes.update(s for s, o in types if o in scheme_classes)
    for scheme, concept in ix.pairs(str(SKOS.hasTopConcept)):
        ix.top.add((scheme, concept))
    for concept, scheme in ix.pairs(str(SKOS.topConceptOf)):
        ix.top.add((scheme, concept))
    for scheme, concept in ix.top:
        ix.schemes.add(scheme)
        ix.concepts.add(concept)
        ix.in_scheme[concept].add(scheme)
    for concept, scheme in ix.pairs(str(SKOS.inScheme)):
        ix.schemes.add(scheme)
        ix.in_scheme[concept].add(scheme)
    hierarchical = (str(SKOS.broader), str(SKOS.narrower), str(SKOS.broaderTransitive),
                    str(SKOS.narrowerTransitive), str(SKOS.related))
    for s, o in ix.pairs(*hierarchical):
        ix.concepts.update((s, o))
    ix.concepts.update(s for s, _ in ix.pairs(*MAPPINGS))
    ix.concepts -= ix.schemes
    # A resource known only from relations, in a namespace none of the typed, labelled or
    # scheme-bound concepts use, belongs to another vocabulary (a mapping target), not to this one.
    core = typed | set(ix.in_scheme) | {s for s, _ in ix.by_predicate.get(str(SKOS.prefLabel), ())}
    core = core or {s for s, _ in ix.pairs(*hierarchical)}
    local = {namespace_of(c) for c in ix.concepts & core}
    ix.concepts = {c for c in ix.concepts if c in core or namespace_of(c) in local}
    deprecated = {s for s, o in ix.by_predicate.get(str(OWL.deprecated), ())
                  if type(o) is Lit and o.value.strip().lower() in ("true", "1")}
    ix.active = ix.concepts - deprecated
    # Labels and notes of SKOS's own terms (an embedded copy of SKOS) are not the vocabulary's.
    for kind in LABELS:
        per_resource: dict[str, set[Lit]] = defaultdict(set)
        for s, p, lit in ix.literals(kind):
            if not s.startswith(SKOS_NS):
                per_resource[s].add(lit)
                ix.texts[s].append((p, lit))
        ix.labels[kind] = per_resource
    for s, p, lit in ix.literals(*NOTES):
        if not s.startswith(SKOS_NS):
            ix.texts[s].append((p, lit))
    ix.documented = {s for p in ix.expand(*NOTES) for s, _ in ix.by_predicate.get(p, ())}
    titles = (str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title), DC_TITLE)
    ix.titled = {s for s, _, lit in ix.literals(*titles) if lit.value.strip()}


def _derive_relations(ix: SkosIndex) -> None:
    for s, o in ix.pairs(str(SKOS.broader), str(SKOS.broaderTransitive)):
        _link(ix, s, o)
    for s, o in ix.pairs(str(SKOS.narrower), str(SKOS.narrowerTransitive)):
        _link(ix, o, s)
    for s, o in ix.pairs(str(SKOS.broadMatch)):
        ix.match_parents[s].add(o)
    for s, o in ix.pairs(str(SKOS.narrowMatch)):
        ix.match_parents[o].add(s)
    ix.related = [(s, o) for s, o in ix.pairs(str(SKOS.related), str(SKOS.relatedMatch)) if s != o]
    ix.exact = list(ix.pairs(str(SKOS.exactMatch)))
    for p in ix.expand(*SEMANTIC):
        ix.semantic.extend((s, p, o) for s, o in ix.by_predicate.get(p, ()) if type(o) is str)


def _link(ix: SkosIndex, child: str, parent: str) -> None:
    # A self-loop is a reflexive relation (its own check), not a hierarchy edge.
    if child != parent:
        ix.parents[child].add(parent)
        ix.children[parent].add(child)


def ancestors(graph: dict[str, set[str]], start: str, extra: dict[str, set[str]] | None = None
              ) -> set[str]:
    """Every node reachable from start along graph (and extra) edges; safe on cycles."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
        if extra:
            for nxt in extra.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return seen

"""Between pyoxigraph and rdflib: term conversion, graphs bound to our prefixes, and blank-node
labels that are the same on every load. Core module: no Flask.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from microcred.errors import RDFSyntaxError
from microcred.namespaces import PREFIXES, XSD


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """A pyoxigraph term as an rdflib term; an xsd:string literal stays a simple literal, as rdflib
    writes it, so that sh:in, sh:hasValue and graph comparison match."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        raise RDFSyntaxError(f"RDF-star triple terms are not supported: {term}")
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def to_rdflib_triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    """A pyoxigraph quad as an rdflib triple."""
    return (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))


def canonical_bnodes(graph: Graph) -> Graph:
    """Relabel blank nodes in a deterministic order, so documents are the same on every load."""
    bnodes = {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not bnodes:
        return graph

    def signature(b: BNode) -> str:
        return "|".join(sorted(f"{p}={o if not isinstance(o, BNode) else '_'}" for p, o in graph.predicate_objects(b)))

    mapping: dict[Node, Node] = {b: BNode(f"b{i}") for i, b in enumerate(sorted(bnodes, key=lambda b: (signature(b), str(b))))}
    out = new_graph()
    for s, p, o in graph:
        out.add((mapping.get(s, s), p, mapping.get(o, o)))
    return out

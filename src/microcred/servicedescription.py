"""What the SPARQL endpoint says about itself: a SPARQL 1.1 Service Description (sd:) graph,
and the example queries its HTML form offers. Core module: no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef

from microcred.conneg import RDF_FORMATS, RESULTS_FORMATS
from microcred.namespaces import CANONICAL_BASE, FORMATS_NS, MC, RDF, RDFS, SD, SKOS

#: W3C's IRIs for the formats (https://www.w3.org/ns/formats/).
FORMAT_IRIS = {
    "json": FORMATS_NS.SPARQL_Results_JSON, "xml": FORMATS_NS.SPARQL_Results_XML,
    "csv": FORMATS_NS.SPARQL_Results_CSV, "tsv": FORMATS_NS.SPARQL_Results_TSV,
    "ttl": FORMATS_NS.Turtle, "jsonld": FORMATS_NS["JSON-LD"], "rdf": FORMATS_NS.RDF_XML,
    "nt": FORMATS_NS["N-Triples"],
}

#: (title, query) pairs shown on the HTML form; every one runs against the shipped glossary.
_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Every term with its English label", """SELECT ?term ?label WHERE {
  ?term a skos:Concept ; skos:prefLabel ?label .
  FILTER(LANG(?label) = "en")
} ORDER BY ?label"""),
    ("The definition of micro-credential", """SELECT ?definition WHERE {
  mc:micro-credential skos:definition ?definition .
}"""),
    ("Labels of every term in every language", """SELECT ?term ?language ?label WHERE {
  ?term skos:prefLabel ?label .
  BIND(LANG(?label) AS ?language)
} ORDER BY ?term ?language"""),
    ("Terms whose label mentions 'credential', in any language", """SELECT DISTINCT ?term ?label WHERE {
  ?term skos:prefLabel|skos:altLabel ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "credential"))
}"""),
    ("Broader terms, transitively", """SELECT ?term ?broader WHERE {
  ?term skos:broader+ ?broader .
}"""),
    ("Everything said about recognition, as a graph", "DESCRIBE mc:recognition"),
    ("Which file (named graph) says what", """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
} GROUP BY ?graph"""),
)


def example_queries(base_iri: str) -> list[tuple[str, str]]:
    """The example queries, with the glossary's prefix under the deployment's base IRI."""
    glossary = base_iri + str(MC)[len(CANONICAL_BASE):]
    prologue = f"PREFIX skos: <{SKOS}>\nPREFIX mc: <{glossary}>\n"
    return [(title, query if query.startswith("SELECT ?graph") else prologue + query)
            for title, query in _EXAMPLES]


def service_description(endpoint: str, graph_names: Iterable[str], kind: str) -> Graph:
    """The sd:Service graph of the endpoint at `endpoint`, with its default dataset."""
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (("sd", SD), ("formats", FORMATS_NS), ("rdfs", RDFS)):
        graph.bind(prefix, ns)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, RDFS.comment, Literal(
        "Read-only SPARQL 1.1 Query endpoint over the microcred vocabularies: updates and SERVICE "
        f"are refused; queries have time and result-size limits; backend: {kind}.", lang="en")))
    for fmt in RESULTS_FORMATS + RDF_FORMATS:
        graph.add((service, SD.resultFormat, FORMAT_IRIS[fmt.token]))
    dataset = BNode("dataset")
    default = BNode("default")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The union of every named graph", lang="en")))
    for name in graph_names:
        named = BNode("g-" + name.rsplit(":", 1)[-1].replace(".", "-"))
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    return graph

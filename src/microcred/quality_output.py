"""The quality report as text for people, JSON for programs, or a W3C DQV graph in Turtle.

Reuses DQV, Web Annotation and SHACL severities; only mco:qualityCheck is ours. No Flask here.
"""

from __future__ import annotations

import json

from rdflib import BNode, Graph, Literal, URIRef

from microcred.namespaces import DCAT, DCTERMS, DQV, MCO, OA, RDF, SH, SKOS, XSD
from microcred.quality import CHECKS_BY_ID, SEVERITIES, Report

SHACL_SEVERITY = {"error": SH.Violation, "warning": SH.Warning, "info": SH.Info}
DIMENSIONS = {
    "integrity": "SKOS integrity", "structure": "Structure", "labels": "Labels",
    "documentation": "Documentation", "mappings": "Mappings",
}
CATEGORY = MCO["quality-skos"]


def render(report: Report, fmt: str) -> str:
    """The report in one of FORMATS."""
    return FORMATS[fmt](report)


def render_text(report: Report) -> str:
    """Findings one per line, then a table of checks with counts and times, then the totals."""
    stats = report.stats
    sources = ", ".join(report.sources) or "the vocabulary"
    head = (f"{sources}: {stats['concepts']} concepts, {stats['concept_schemes']} concept "
            f"scheme(s), {stats['triples']} triples; checked in {report.seconds['total']:.2f} s")
    lines = [head, ""]
    for f in report.findings:
        where = ("(vocabulary)" if f.resource is None else f.resource
                 if f.resource.startswith("_:") else f"<{f.resource}>")
        lines.append(f"{f.severity:<8}{f.check:<6}{where} {f.message}")
    if report.findings:
        lines.append("")
    for c in report.checks:
        notes = [f"{c.shown} shown"] if c.shown < c.count else []
        notes += [c.other_severities()] if c.other_severities() else []
        more = f" ({'; '.join(notes)})" if notes else ""
        lines.append(f"  {c.id:<6}{c.name:<46}{c.severity:<8}{c.count:>7}{more:<14}"
                     f"{c.seconds * 1000:>9.1f} ms")
    totals = report.totals()
    lines.append("")
    plural = {"error": "errors", "warning": "warnings", "info": "info"}
    lines.append("Total: " + ", ".join(f"{totals[s]} {plural[s] if totals[s] != 1 else s}"
                                       for s in reversed(SEVERITIES)))
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    """The report as a JSON document (see Report.to_dict)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def report_graph(report: Report) -> Graph:
    """The report as RDF: DQV measurements per check, annotations per finding."""
    graph = Graph()
    for prefix, namespace in (("dqv", DQV), ("oa", OA), ("sh", SH), ("dcat", DCAT),
                              ("dct", DCTERMS), ("skos", SKOS), ("xsd", XSD), ("mco", MCO)):
        graph.bind(prefix, namespace)
    vocabulary = BNode("vocabulary")
    graph.add((vocabulary, RDF.type, DCAT.Dataset))
    for source in report.sources:
        graph.add((vocabulary, DCTERMS.source, Literal(source)))
    graph.add((CATEGORY, RDF.type, DQV.Category))
    graph.add((CATEGORY, SKOS.prefLabel, Literal("SKOS vocabulary quality", lang="en")))
    for result in report.checks:
        metric = describe_check(graph, result.id)
        measurement = BNode(f"measurement-{result.id}")  # fixed labels: the same Turtle in every process
        graph.add((measurement, RDF.type, DQV.QualityMeasurement))
        graph.add((measurement, DQV.computedOn, vocabulary))
        graph.add((measurement, DQV.isMeasurementOf, metric))
        graph.add((measurement, DQV.value, Literal(result.count, datatype=XSD.integer)))
    for number, finding in enumerate(report.findings):
        note, body = BNode(f"finding-{number}"), BNode(f"finding-{number}-body")
        target = (vocabulary if finding.resource is None else
                  BNode(finding.resource[2:]) if finding.resource.startswith("_:")
                  else URIRef(finding.resource))
        graph.add((note, RDF.type, DQV.QualityAnnotation))
        graph.add((note, OA.hasTarget, target))
        graph.add((note, OA.motivatedBy, DQV.qualityAssessment))
        graph.add((note, DQV.inDimension, MCO["quality-" + CHECKS_BY_ID[finding.check].dimension]))
        graph.add((note, MCO.qualityCheck, MCO["quality-" + finding.check]))
        graph.add((note, SH.resultSeverity, SHACL_SEVERITY[finding.severity]))
        graph.add((note, OA.hasBody, body))
        graph.add((body, RDF.type, OA.TextualBody))
        graph.add((body, RDF.value, Literal(finding.message, lang="en")))
    return graph


def describe_check(graph: Graph, check_id: str) -> URIRef:
    """Add a check as a dqv:Metric in its dimension; return its IRI."""
    check = CHECKS_BY_ID[check_id]
    metric, dimension = MCO["quality-" + check.id], MCO["quality-" + check.dimension]
    graph.add((metric, RDF.type, DQV.Metric))
    graph.add((metric, SKOS.notation, Literal(check.id)))
    graph.add((metric, SKOS.prefLabel, Literal(check.name, lang="en")))
    graph.add((metric, SKOS.definition, Literal(check.description, lang="en")))
    graph.add((metric, DQV.expectedDataType, XSD.integer))
    graph.add((metric, DQV.inDimension, dimension))
    graph.add((metric, SH.severity, SHACL_SEVERITY[check.severity]))
    graph.add((dimension, RDF.type, DQV.Dimension))
    graph.add((dimension, SKOS.prefLabel, Literal(DIMENSIONS[check.dimension], lang="en")))
    graph.add((dimension, DQV.inCategory, CATEGORY))
    return metric


def render_turtle(report: Report) -> str:
    """The report graph in Turtle."""
    return report_graph(report).serialize(format="turtle")


FORMATS = {"text": render_text, "json": render_json, "turtle": render_turtle}

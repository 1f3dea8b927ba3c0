"""The vocabulary quality report: SKOS integrity conditions and qSKOS checks -> Report.

CHECKS is the table of checks and severities (README: "Quality report"). Must not import Flask.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from microcred import quality_labels as labels
from microcred import quality_relations as relations
from microcred.errors import InputError
from microcred.quality_index import (
    Issue,
    SkosIndex,
    Triple,
    build_index,
    from_oxigraph,
    from_rdflib,
)
from microcred.quality_sources import read_sources

SEVERITIES = ("info", "warning", "error")
#: Findings kept per check by default; the count always tells the whole number.
MAX_FINDINGS = 100


@dataclass(frozen=True)
class Check:
    """One check: its id (the SKOS reference's or qSKOS's), name, severity, DQV dimension, code."""

    id: str
    name: str
    severity: str
    dimension: str
    run: Callable[[SkosIndex], Iterable[Issue]]

    @property
    def description(self) -> str:
        """What the check asks of a vocabulary: its function's summary line."""
        summary = (self.run.__doc__ or self.name).strip().splitlines()[0]
        return summary.split(": ", 1)[1] if summary.startswith(self.id + ":") else summary


CHECKS: tuple[Check, ...] = (
    Check("S13", "Disjoint labels", "error", "integrity", labels.check_disjoint_labels),
    Check("S14", "One prefLabel per language", "error", "integrity", labels.check_one_pref_label),
    Check("S27", "Related vs. broader clash", "error", "integrity", relations.check_related_clash),
    Check("S46", "exactMatch vs. broadMatch/relatedMatch clash", "error", "integrity",
          relations.check_mapping_clash),
    Check("chr", "Cyclic hierarchical relations", "error", "structure", relations.check_cycles),
    Check("rrc", "Reflexive relations", "error", "structure", relations.check_reflexive),
    Check("oc", "Orphan concepts", "warning", "structure", relations.check_orphans),
    Check("dcc", "Disconnected concept clusters", "warning", "structure", relations.check_clusters),
    Check("hr", "Hierarchical redundancy", "warning", "structure", relations.check_redundancy),
    Check("otc", "Omitted top concepts", "warning", "structure", relations.check_omitted_top),
    Check("tchbc", "Top concepts having broader concepts", "warning", "structure",
          relations.check_top_with_broader),
    Check("urc", "Unidirectionally related concepts", "warning", "structure",
          relations.check_unidirectional),
    Check("mri", "Mapping relations misuse", "warning", "mappings",
          relations.check_mapping_within_scheme),
    Check("usr", "Undefined SKOS resources", "warning", "integrity",
          relations.check_undefined_skos),
    Check("ml", "Missing labels", "warning", "labels", labels.check_missing_labels),
    Check("el", "Empty labels", "warning", "labels", labels.check_empty_labels),
    Check("oilt", "Omitted or invalid language tags", "warning", "labels",
          labels.check_language_tags),
    Check("ol", "Overlapping labels", "warning", "labels", labels.check_overlapping_labels),
    Check("uc", "Undocumented concepts", "warning", "documentation", labels.check_undocumented),
    Check("ilc", "Incomplete language coverage", "info", "labels", labels.check_language_coverage),
)
CHECKS_BY_ID = {check.id: check for check in CHECKS}


@dataclass(frozen=True)
class Finding:
    """One fault: which check, how grave, on which resource (None: the whole vocabulary), why."""

    check: str
    name: str
    severity: str
    resource: str | None
    message: str


@dataclass(frozen=True)
class CheckResult:
    """How one check went: findings in total (shown or not, by severity) and its time."""

    id: str
    name: str
    severity: str
    count: int
    shown: int
    seconds: float
    by_severity: dict[str, int] = field(default_factory=dict)

    def other_severities(self) -> str:
        """'1 info' when some findings are graded apart from the check's own severity, else ''."""
        if set(self.by_severity) <= {self.severity}:
            return ""
        return ", ".join(f"{n} {s}" for s, n in sorted(self.by_severity.items()))


@dataclass
class Report:
    """The quality report of one vocabulary."""

    findings: list[Finding]
    checks: list[CheckResult]
    stats: dict[str, int]
    sources: list[str]
    seconds: dict[str, float]

    def totals(self) -> dict[str, int]:
        """Findings per severity, counting those beyond the per-check limit too."""
        totals = dict.fromkeys(SEVERITIES, 0)
        for result in self.checks:
            for severity, count in result.by_severity.items():
                totals[severity] += count
        return totals

    def worst(self) -> str | None:
        """The gravest severity found, or None for a clean report."""
        totals = self.totals()
        return next((s for s in reversed(SEVERITIES) if totals[s]), None)

    def fails(self, fail_on: str = "error") -> bool:
        """Whether any finding is at least as grave as fail_on."""
        threshold = SEVERITIES.index(fail_on)
        return any(self.totals()[s] for s in SEVERITIES[threshold:])

    def to_dict(self, timings: bool = True) -> dict[str, Any]:
        """The report as plain JSON-ready values; without timings, the same for the same vocabulary."""
        checks = [asdict(c) for c in self.checks]
        if not timings:
            for check in checks:
                del check["seconds"]
        return {"sources": self.sources, "totals": self.totals(), "worst": self.worst(),
                "stats": self.stats, **({"seconds": self.seconds} if timings else {}),
                "checks": checks, "findings": [asdict(f) for f in self.findings]}


def check_vocabulary(source: Any, *, max_findings: int | None = MAX_FINDINGS,
                     only: Iterable[str] | None = None) -> Report:
    """Run the checks on RDF files or directories, an rdflib graph or a pyoxigraph store."""
    started = time.perf_counter()
    triples, sources = _triples(source)
    index = build_index(triples)
    indexed = time.perf_counter()
    wanted = set(only) if only is not None else None
    unknown = (wanted or set()) - set(CHECKS_BY_ID)
    if unknown:
        raise InputError(f"unknown checks: {', '.join(sorted(unknown))}",
                         accepted=list(CHECKS_BY_ID))
    findings: list[Finding] = []
    results: list[CheckResult] = []
    for check in CHECKS:
        if wanted is None or check.id in wanted:
            results.append(_run(check, index, findings, max_findings))
    done = time.perf_counter()
    return Report(findings, results, statistics(index), sources,
                  {"load": round(indexed - started, 4), "checks": round(done - indexed, 4),
                   "total": round(done - started, 4)})


def _run(check: Check, index: SkosIndex, findings: list[Finding], limit: int | None) -> CheckResult:
    started = time.perf_counter()
    count, shown = 0, 0
    by_severity: dict[str, int] = {}
    for issue in check.run(index):
        severity = issue.severity or check.severity
        by_severity[severity] = by_severity.get(severity, 0) + 1
        count += 1
        if limit is None or shown < limit:
            message = " ".join(issue.message.split())  # one line, whatever the labels hold
            findings.append(Finding(check.id, check.name, severity, issue.resource, message))
            shown += 1
    return CheckResult(check.id, check.name, check.severity, count, shown,
                       round(time.perf_counter() - started, 4), by_severity)


def _triples(source: Any) -> tuple[Iterable[Triple], list[str]]:
    kind = type(source).__name__
    if kind in ("Graph", "ConjunctiveGraph", "Dataset"):
        quads = kind != "Graph"
        return _from_rdflib(source, quads), []
    if hasattr(source, "quads_for_pattern"):  # a pyoxigraph Store, or the remote EndpointStore
        return ((from_oxigraph(q.subject), q.predicate.value, from_oxigraph(q.object))  # type: ignore[misc]
                for q in source.quads_for_pattern(None, None, None, None)), []
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    return read_sources([Path(p) for p in paths])


def _from_rdflib(graph: Any, quads: bool) -> Iterator[Triple]:
    items = (q[:3] for q in graph.quads((None, None, None, None))) if quads else iter(graph)
    for s, p, o in items:
        yield from_rdflib(s), str(p), from_rdflib(o)  # type: ignore[misc]


def statistics(ix: SkosIndex) -> dict[str, int]:
    """Sizes of the vocabulary: the report's information section."""
    return {
        "triples": ix.triples,
        "concepts": len(ix.concepts),
        "deprecated_concepts": len(ix.concepts - ix.active),
        "concept_schemes": len(ix.schemes),
        "top_concepts": len({c for _, c in ix.top}),
        "preferred_labels": sum(len(v) for v in ix.labels[labels.PREF].values()),
        "alternative_labels": sum(len(v) for v in ix.labels[labels.ALT].values()),
        "languages": len({lit.lang for v in ix.labels[labels.PREF].values() for lit in v
                          if lit.lang}),
        "broader_links": sum(len(v) for v in ix.parents.values()),
        "related_links": len({tuple(sorted(p)) for p in ix.related}),
        "mapping_links": sum(1 for _, p, _ in ix.semantic if p in relations.MAPPINGS),
    }

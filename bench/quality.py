"""The quality report on a large vocabulary: `check_vocabulary` against pyoxigraph's own parse.

Reads STW (6,244 concepts, 110k triples) from ../shared/corpus when it is there, else a generated
thesaurus of 20,000 concepts; prints the time of each stage and the ratio to parsing alone.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from microcred.quality import check_vocabulary

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
STW = CORPUS / "skos-large" / "stw-skos.ttl"
RUNS = 5


def generated(directory: Path, concepts: int = 20_000) -> Path:
    """A thesaurus: a tree of fan-out 8, both directions stated, labels, notes, related links."""
    skos = "http://www.w3.org/2004/02/skos/core#"
    lines = [f"<urn:x:s> a <{skos}ConceptScheme> ; <{skos}hasTopConcept> <urn:x:c0> ."]
    for i in range(concepts):
        lines.append(f'<urn:x:c{i}> a <{skos}Concept> ; <{skos}inScheme> <urn:x:s> ; '
                     f'<{skos}prefLabel> "term {i}"@en, "Begriff {i}"@de ; '
                     f'<{skos}definition> "Definition {i}."@en .')
        if i:
            parent = (i - 1) // 8
            lines.append(f"<urn:x:c{i}> <{skos}broader> <urn:x:c{parent}> . "
                         f"<urn:x:c{parent}> <{skos}narrower> <urn:x:c{i}> .")
        if i > 10:
            lines.append(f"<urn:x:c{i}> <{skos}related> <urn:x:c{i - 9}> . "
                         f"<urn:x:c{i - 9}> <{skos}related> <urn:x:c{i}> .")
    lines.append(f"<urn:x:c0> <{skos}topConceptOf> <urn:x:s> .")
    path = directory / "generated.ttl"
    path.write_text("\n".join(lines) + "\n")
    return path


def median_seconds(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = STW if STW.is_file() else generated(Path(tmp))
        data = path.read_bytes()
        parse = median_seconds(lambda: sum(1 for _ in ox.parse(data, format=ox.RdfFormat.TURTLE,
                                                               base_iri=path.as_uri())))
        check = median_seconds(lambda: check_vocabulary(path))
        report = check_vocabulary(path)
    print(f"vocabulary: {path.name}: {report.stats['triples']} triples, "
          f"{report.stats['concepts']} concepts")
    print(f"pyoxigraph parse (reference): {parse * 1000:8.1f} ms")
    print(f"check_vocabulary, median of {RUNS}: {check * 1000:8.1f} ms  "
          f"(read and index {report.seconds['load'] * 1000:.1f} ms, checks "
          f"{report.seconds['checks'] * 1000:.1f} ms)")
    print(f"ratio check / parse: {check / parse:.1f}x")
    slowest = sorted(report.checks, key=lambda c: -c.seconds)[:5]
    print("slowest checks: " + ", ".join(f"{c.id} {c.seconds * 1000:.1f} ms" for c in slowest))

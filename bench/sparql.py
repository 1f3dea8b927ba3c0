"""SPARQL over HTTP against pyoxigraph in-process and rdflib's engine, on a generated
100,000-concept SKOS vocabulary; and the vocabulary loader against pyoxigraph's own parse.

`python -m bench sparql`. BENCH_CONCEPTS changes the size, BENCH_RDFLIB_CONCEPTS the subset
rdflib gets (its parser and engine take minutes and gigabytes on the full vocabulary).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from bench._support import free_port, wait_for

CONCEPTS = int(os.environ.get("BENCH_CONCEPTS", "100000"))
RDFLIB_CONCEPTS = int(os.environ.get("BENCH_RDFLIB_CONCEPTS", "10000"))
BASE = "https://bench.example.org/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SYLLABLES = ["ka", "ro", "mi", "tel", "sa", "ven", "lu", "dor", "pe", "qui", "zan", "bo", "ri", "ta"]
LANGUAGES = ("en", "de", "fr", "it")


def concept(i: int) -> str:
    return f"{BASE}c{i}"


def write_vocabulary(directory: Path, concepts: int) -> Path:
    """A deterministic SKOS scheme: a 10-ary broader tree, labels in four languages, altLabels."""
    rng = random.Random(20240521)
    path = directory / "bench.ttl"
    with path.open("w", encoding="utf-8") as out:
        out.write(f"@prefix skos: <{SKOS}> .\n@prefix v: <{BASE}> .\n\n")
        out.write('v:scheme a skos:ConceptScheme ; skos:prefLabel "Benchmark scheme"@en ; '
                  "skos:hasTopConcept v:c0 .\n")
        for i in range(concepts):
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            labels = ", ".join(f'"{word} {suffix} {i}"@{lang}' for lang, suffix in
                               zip(LANGUAGES, ("term", "Begriff", "terme", "termine")))
            out.write(f"v:c{i} a skos:Concept ; skos:inScheme v:scheme ; skos:prefLabel {labels}")
            if i % 3 == 0:
                out.write(f' ; skos:altLabel "{word}-{i}"@en')
            out.write(f' ; skos:definition "Generated concept {i}, a kind of {word}."@en')
            out.write(f" ; skos:broader v:c{(i - 1) // 10} .\n" if i else " ; skos:topConceptOf v:scheme .\n")
    return path


def queries(concepts: int) -> dict[str, list[str]]:
    """The typical queries, several instances of each, the same text for every engine."""
    rng = random.Random(7)
    picks = [rng.randrange(concepts) for _ in range(20)]
    prologue = f"PREFIX skos: <{SKOS}>\n"
    return {
        "concept by IRI": [f"SELECT ?p ?o WHERE {{ <{concept(i)}> ?p ?o }}" for i in picks],
        "transitive broader": [prologue + f"SELECT ?b WHERE {{ <{concept(i)}> skos:broader+ ?b }}"
                               for i in picks],
        "label search": [prologue + 'SELECT ?c ?l WHERE { ?c skos:prefLabel|skos:altLabel ?l '
                         f'FILTER(CONTAINS(LCASE(STR(?l)), "{s}")) }}' for s in ("kamite", "dorve", "quiza")],
    }


def medians_ms(runs: dict[str, Callable[[str], object]], texts: list[str], rounds: int,
               budget: float = 120.0) -> dict[str, float]:
    """Median latency of each way of running `texts`. Rounds alternate between the ways (each
    round runs every text one way, warm), so load from anything else on the machine falls on
    all of them alike; fewer rounds when over the time budget."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    started = time.perf_counter()
    for _ in range(rounds):
        for name, run in runs.items():
            run(texts[0])  # warm this way's caches after the other's round
            for text in texts:
                t0 = time.perf_counter()
                run(text)
                times[name].append(time.perf_counter() - t0)
        if time.perf_counter() - started > budget:
            break
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


class Client:
    """One keep-alive HTTP connection to our endpoint, as a SPARQL client would hold."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def __call__(self, text: str) -> bytes:
        self.connection.request("GET", "/sparql?" + urlencode({"query": text}),
                                headers={"Accept": "application/sparql-results+json"})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {body[:300]!r}")
        return body


CHILD = r"""
import json, sys, time


def peak_mib():
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's peak across exec
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


mode, directory = sys.argv[1], sys.argv[2]
steps = {}
if mode == "ours":
    import hashlib
    from pathlib import Path
    from microcred.config import load_settings
    from microcred import vocabulary as v
    settings = load_settings({"vocab_dir": directory}, environ={})
    t0 = time.perf_counter()
    result = v.load_vocabulary(settings)
    total = time.perf_counter() - t0
    quads = len(result.store)
elif mode == "ours-steps":
    import hashlib
    from pathlib import Path
    import pyoxigraph as ox
    from microcred.config import load_settings
    from microcred import vocabulary as v
    settings = load_settings({"vocab_dir": directory}, environ={})
    t0 = time.perf_counter()
    files = v.vocabulary_files(Path(directory))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    steps["hash files"] = time.perf_counter() - t0
    store = ox.Store()
    t1 = time.perf_counter()
    for path in files:
        v.load_file(store, path, settings.base_iri)
    steps["parse into the store"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    from microcred.vocabindex import LabelIndex, ResourceIndex
    ResourceIndex(store), LabelIndex(store)
    steps["index resources and labels"] = time.perf_counter() - t2
    total = time.perf_counter() - t0
    quads = len(store)
elif mode == "pyoxigraph":
    import pyoxigraph as ox
    from pathlib import Path
    t0 = time.perf_counter()
    store = ox.Store()
    for path in sorted(Path(directory).glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g:" + path.name))
    total = time.perf_counter() - t0
    quads = len(store)
else:  # the interpreter with each side's imports, and no data
    import pyoxigraph
    if mode == "baseline-ours":
        import microcred.vocabulary
    total, quads = 0.0, 0
print(json.dumps({"seconds": total, "quads": quads, "steps": steps,
                  "peak_mib": peak_mib()}))
"""


def measure_load(mode: str, directory: Path) -> dict:
    """Time and peak RSS of one way of loading, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(directory)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_load(directory: Path) -> None:
    runs = {mode: [measure_load(mode, directory) for _ in range(3)]
            for mode in ("ours", "pyoxigraph")}
    base = {mode: measure_load(mode, directory) for mode in ("baseline-ours", "baseline-pyoxigraph")}
    ours = min(r["seconds"] for r in runs["ours"])
    theirs = min(r["seconds"] for r in runs["pyoxigraph"])
    ours_peak = min(r["peak_mib"] for r in runs["ours"])
    theirs_peak = min(r["peak_mib"] for r in runs["pyoxigraph"])
    print(f"\nload {runs['ours'][0]['quads']:,} quads (best of 3, separate processes)")
    print(f"  pyoxigraph bulk_load:       {theirs:7.2f} s   peak RSS {theirs_peak:7.0f} MiB "
          f"(imports alone {base['baseline-pyoxigraph']['peak_mib']:.0f} MiB)")
    print(f"  microcred load_vocabulary:  {ours:7.2f} s   peak RSS {ours_peak:7.0f} MiB "
          f"(imports alone {base['baseline-ours']['peak_mib']:.0f} MiB)")
    data_ours = ours_peak - base["baseline-ours"]["peak_mib"]
    data_theirs = theirs_peak - base["baseline-pyoxigraph"]["peak_mib"]
    print(f"  ratio: time {ours / theirs:.2f}x (target <= 1.5x), peak RSS {ours_peak / theirs_peak:.2f}x "
          f"(target <= 1.5x), memory for the data alone {data_ours / data_theirs:.2f}x")
    steps = measure_load("ours-steps", directory)["steps"]
    print("  where the loader's time goes: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))


def bench_queries(directory: Path, path: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g:bench"))
    json_format = ox.QueryResultsFormat.JSON

    def in_process(text: str) -> bytes:
        return store.query(text, use_default_graph_as_union=True).serialize(format=json_format)

    port = free_port()
    env = dict(os.environ, MICROCRED_VOCAB_DIR=str(directory))
    server = subprocess.Popen([str(Path(sys.executable).parent / "microcred"), "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql?_mediatype=text/turtle", timeout=600)
        clients = [Client(port) for _ in range(4)]
        typical = queries(CONCEPTS)
        for client in clients:  # start every web worker's query workers
            for text in typical["concept by IRI"][:5]:
                client(text)
        print("\nmedian latency, ms: HTTP = GET /sparql on `microcred serve --workers 2` (granian, "
              "keep-alive, JSON results); in-process = pyoxigraph Store.query + JSON serialize")
        print(f"  {'query':22} {'in-process':>11} {'HTTP':>9} {'added':>8} {'ratio':>7}")
        for name, texts in typical.items():
            rounds = 5 if name == "label search" else 25
            assert json.loads(clients[0](texts[0]))["results"]["bindings"], name
            found = medians_ms({"local": in_process, "http": clients[0]}, texts, rounds)
            local, remote = found["local"], found["http"]
            target = "<= 1 ms added" if name != "label search" else "<= 10%"
            print(f"  {name:22} {local:11.3f} {remote:9.3f} {remote - local:8.3f} "
                  f"{remote / local:6.2f}x  (target {target})")
    finally:
        server.terminate()
        server.wait(30)


def bench_rdflib(directory: Path) -> None:
    import pyoxigraph as ox
    import rdflib

    subset = directory / "subset"
    subset.mkdir()
    path = write_vocabulary(subset, RDFLIB_CONCEPTS)
    t0 = time.perf_counter()
    graph = rdflib.Graph().parse(path, format="turtle")
    parse_seconds = time.perf_counter() - t0
    store = ox.Store()
    t0 = time.perf_counter()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    ox_parse = time.perf_counter() - t0
    print(f"\nrdflib's SPARQL engine on a {RDFLIB_CONCEPTS:,}-concept subset ({len(graph):,} triples; "
          f"parse {parse_seconds:.1f} s vs pyoxigraph {ox_parse:.2f} s), median ms")
    print(f"  {'query':22} {'pyoxigraph':>11} {'rdflib':>10} {'rdflib / pyoxigraph':>20}")
    for name, texts in queries(RDFLIB_CONCEPTS).items():
        found = medians_ms({"pyoxigraph": lambda t: store.query(t).serialize(format=ox.QueryResultsFormat.JSON),
                            "rdflib": lambda t: graph.query(t).serialize(format="json")}, texts[:5], 1)
        local, theirs = found["pyoxigraph"], found["rdflib"]
        print(f"  {name:22} {local:11.3f} {theirs:10.1f} {theirs / local:19.0f}x")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        directory = Path(tmp) / "vocab"
        directory.mkdir()
        t0 = time.perf_counter()
        path = write_vocabulary(directory, CONCEPTS)
        print(f"generated {CONCEPTS:,} concepts ({path.stat().st_size / 1e6:.0f} MB Turtle) "
              f"in {time.perf_counter() - t0:.1f} s")
        bench_load(directory)
        bench_queries(directory, path)
        bench_rdflib(Path(tmp))


if __name__ == "__main__":
    main()

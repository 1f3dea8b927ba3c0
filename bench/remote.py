"""A worker over a remote SPARQL endpoint against a worker holding the data: start-up time,
dereferencing latency (first request, which renders; then cached) and resident memory, on
bench.sparql's generated vocabulary served by a real Oxigraph server.

`python -m bench remote`. BENCH_CONCEPTS changes the size (100,000 by default).
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._support import free_port, wait_for
from bench.sparql import CONCEPTS, write_vocabulary

BASE = "https://bench.example.org/"  # bench.sparql's concepts live under BASE + "vocab/"
SAMPLE = 200


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def start_oxigraph(directory: Path, vocab: Path) -> tuple[subprocess.Popen, str]:
    """Oxigraph server over the vocabulary, each file a named graph as microcred's loader makes them."""
    import pyoxigraph as ox

    from microcred.config import load_settings
    from microcred.vocabulary import load_vocabulary

    nquads = directory / "data.nq"
    store = load_vocabulary(load_settings({"vocab_dir": str(vocab), "base_iri": BASE}, environ={})).store
    store.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
    del store
    binary = str(Path(sys.executable).parent / "oxigraph")
    subprocess.run([binary, "load", "--location", str(directory / "db"), "--file", str(nquads)],
                   check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(directory / "db"), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D")
    return process, f"http://127.0.0.1:{port}/query"


def latencies_ms(port: int, paths: list[str]) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    found = []
    for path in paths:
        t0 = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        found.append((time.perf_counter() - t0) * 1000)
        assert response.status == 200, (path, response.status)
    connection.close()
    return found


def measure(environment: dict[str, str], paths: list[str]) -> dict[str, float]:
    """Start `microcred serve --workers 1`, time its start, then cold and cached requests."""
    port = free_port()
    script = Path(sys.executable).parent / "microcred"
    t0 = time.perf_counter()
    server = subprocess.Popen([str(script), "serve", "--port", str(port), "--workers", "1"],
                              env={**os.environ, **environment},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/openapi.json", timeout=600)
        started = time.perf_counter() - t0
        idle = tree_rss_mib(server.pid)
        cold = latencies_ms(port, paths)
        cached = latencies_ms(port, paths)
        after = tree_rss_mib(server.pid)
        search = latencies_ms(port, ["/search?q=kami"])[0] / 1000  # builds the label index
        return {"start": started, "idle": idle, "after": after, "cold": statistics.median(cold),
                "cold_p90": sorted(cold)[int(len(cold) * 0.9)], "cached": statistics.median(cached),
                "search": search, "searched": tree_rss_mib(server.pid)}
    finally:
        server.terminate()
        server.wait(15)


def main() -> None:
    rng = random.Random(11)
    paths = [f"/vocab/c{rng.randrange(CONCEPTS)}.ttl" for _ in range(SAMPLE)]
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        vocab, empty = Path(tmp) / "vocab", Path(tmp) / "empty"
        vocab.mkdir()
        empty.mkdir()
        write_vocabulary(vocab, CONCEPTS)
        oxigraph, endpoint = start_oxigraph(Path(tmp), vocab)
        try:
            common = {"MICROCRED_BASE_IRI": BASE, "MICROCRED_QUERY_WORKERS": "1"}
            embedded = measure({**common, "MICROCRED_VOCAB_DIR": str(vocab)}, paths)
            remote = measure({**common, "MICROCRED_VOCAB_DIR": str(empty),
                                        "MICROCRED_SPARQL_ENDPOINT": endpoint}, paths)
            endpoint_rss = tree_rss_mib(oxigraph.pid)
        finally:
            oxigraph.terminate()
            oxigraph.wait(15)
    print(f"{CONCEPTS:,} concepts; `microcred serve --workers 1` (1 SPARQL worker); "
          f"{SAMPLE} random concepts as Turtle, one connection")
    print(f"{'':28}{'embedded':>12}{'remote':>12}{'ratio':>8}")
    rows = [("start-up (s)", "start", "{:.2f}"), ("first request p50 (ms)", "cold", "{:.2f}"),
            ("first request p90 (ms)", "cold_p90", "{:.2f}"), ("cached request p50 (ms)", "cached", "{:.2f}"),
            ("RSS after start (MiB)", "idle", "{:.0f}"), ("RSS after requests (MiB)", "after", "{:.0f}"),
            ("first search (s)", "search", "{:.2f}"), ("RSS with search index (MiB)", "searched", "{:.0f}")]
    for name, key, form in rows:
        print(f"{name:28}{form.format(embedded[key]):>12}{form.format(remote[key]):>12}"
              f"{remote[key] / embedded[key]:>7.2f}x")
    print(f"the Oxigraph server holding the data: {endpoint_rss:.0f} MiB RSS")


if __name__ == "__main__":
    main()

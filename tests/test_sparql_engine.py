"""The query engine under /sparql and the CLI: worker processes that are replaced when a query
overruns its time or memory, result-size limits in every format, the on-disk store, the remote
backend's failures, and `microcred query` / `microcred load`."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import SPARQL_VOCAB, free_port
from microcred.cli import main
from microcred.errors import BackendError, LimitExceeded, QueryRefused
from microcred.querypool import EmbeddedEngine, StoreSource
from microcred.querytext import read_query
from microcred.remotestore import RemoteEngine
from microcred.store import QueryRequest, evaluate, open_engine
from microcred.storefiles import fill_store, version_file

#: A ten-way cross product with COUNT: no result for a very long time, even on ten triples.
ENDLESS = "SELECT (COUNT(*) AS ?n) {{ {} }}".format(" . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(10)))
ONE = ox.NamedNode("urn:test:one")


def small_store() -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"urn:test:s{i}"), ox.NamedNode("urn:test:p"), ox.Literal(str(i)),
                         ONE) for i in range(10))
    return store


def run(engine, query: str, fmt: str = "json"):
    return engine.run(QueryRequest(read_query(query), fmt))


@pytest.fixture()
def engine() -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(StoreSource.in_memory(small_store()), workers=1, timeout=1.0,
                            max_results=5, memory_mb=1024)
    yield engine
    engine.close()


def worker_pids(engine: EmbeddedEngine) -> set[int]:
    return {w.process.pid for w in engine._workers if w.process.poll() is None}


def test_a_query_over_time_is_stopped_by_replacing_its_worker(engine: EmbeddedEngine) -> None:
    assert run(engine, "ASK { ?s ?p ?o }").body == b'{"head":{},"boolean":true}'
    before = worker_pids(engine)
    with pytest.raises(LimitExceeded) as caught:
        run(engine, ENDLESS)
    assert caught.value.extra["reason"] == "timeout"
    assert run(engine, "ASK { ?s ?p ?o }").count == 1  # waits for the replacement
    after = worker_pids(engine)
    assert len(after) == 1 and not after & before


def test_a_query_over_memory_is_stopped_and_the_pool_recovers() -> None:
    engine = EmbeddedEngine(StoreSource.in_memory(small_store()), workers=1, timeout=60,
                            max_results=5, memory_mb=1024)
    doubling = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(32))
    try:
        with pytest.raises(LimitExceeded) as caught:  # 8 bytes doubled 32 times: 32 GiB
            run(engine, f'SELECT (STRLEN(?v32) AS ?n) {{ BIND("xxxxxxxx" AS ?v0) {doubling} }}')
        assert caught.value.extra["reason"] == "memory"
        assert run(engine, "SELECT ?s { ?s ?p ?o } LIMIT 2").count == 2
    finally:
        engine.close()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_result_limit_is_exact_in_every_results_format(fmt: str) -> None:
    store = small_store()
    request = QueryRequest(read_query("SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 5"), fmt)
    result = evaluate(store, request, max_results=5, timeout=10)
    assert result.count == 5
    with pytest.raises(LimitExceeded) as caught:
        evaluate(store, QueryRequest(read_query("SELECT ?s { ?s ?p ?o } LIMIT 6"), fmt), 5, 10)
    assert caught.value.extra == {"reason": "size", "limit": 5}


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdf"])
def test_the_result_limit_counts_triples(fmt: str) -> None:
    store = small_store()
    five = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5"
    assert evaluate(store, QueryRequest(read_query(five), fmt), 5, 10).count == 5
    with pytest.raises(LimitExceeded):
        evaluate(store, QueryRequest(read_query(five.replace("5", "6")), fmt), 5, 10)


def test_values_survive_the_conversion_between_formats() -> None:
    query = ('SELECT ?a ?b { VALUES (?a ?b) { ("tab\\there"@en UNDEF) '
             '("1"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:x>) } }')
    body = evaluate(ox.Store(), QueryRequest(read_query(query), "json"), 10, 10).body
    rows = json.loads(body)["results"]["bindings"]
    assert rows == [{"a": {"type": "literal", "value": "tab\there", "xml:lang": "en"}},
                    {"a": {"type": "literal", "value": "1",
                           "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
                     "b": {"type": "uri", "value": "urn:x"}}]


def test_a_result_format_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(QueryRefused):
        evaluate(small_store(), QueryRequest(read_query("SELECT * { ?s ?p ?o }"), "ttl"), 5, 10)


def test_the_on_disk_store_is_filled_once_per_version(tmp_path: Path, sparql_settings,
                                                      sparql_vocabulary) -> None:
    path = str(tmp_path / "store")
    settings = sparql_settings.replace(store_path=path)
    vocabulary = sparql_vocabulary
    engine = open_engine(settings, vocabulary.store, vocabulary.version)
    try:
        assert version_file(path).read_text().strip() == vocabulary.version
        result = run(engine, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "tsv")
        assert result.body.splitlines()[1] == str(len(vocabulary.store)).encode()
    finally:
        engine.close()
    assert not fill_store(path, vocabulary.version, lambda store: pytest.fail("loaded again"))


def test_load_then_query_the_store_from_the_command_line(tmp_path: Path, runner, sparql_vocabulary) -> None:
    path = str(tmp_path / "store")
    files = sorted(str(p) for p in SPARQL_VOCAB.glob("*.ttl"))
    loaded = runner.invoke(main, ["load", *files, "--store", path])
    assert loaded.exit_code == 0, loaded.output
    # the same version as the vocabulary loader computes: a server would not load it again
    assert version_file(path).read_text().strip() == sparql_vocabulary.version
    query = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    result = runner.invoke(main, ["query", query, "--store", path, "--format", "csv"])
    assert result.exit_code == 0, result.output
    counts = dict(line.split(",") for line in result.output.splitlines()[1:] if line)
    assert counts == {"urn:microcred:vocab:notes.ttl": "1", "urn:microcred:vocab:terms.ttl": "37"}


def test_query_from_an_argument_a_file_or_stdin(tmp_path: Path, runner, monkeypatch) -> None:
    monkeypatch.setenv("MICROCRED_VOCAB_DIR", str(SPARQL_VOCAB))
    ask = "ASK { <https://w3id.org/microcred/glossary/micro-credential> ?p ?o }"
    (tmp_path / "q.rq").write_text(ask)
    for args, stdin in (([ask], None), (["@" + str(tmp_path / "q.rq")], None), (["-"], ask)):
        result = runner.invoke(main, ["query", *args, "--format", "xml"], input=stdin)
        assert result.exit_code == 0, result.output
        assert "<boolean>true</boolean>" in result.output
    described = runner.invoke(main, ["query", "DESCRIBE <https://w3id.org/microcred/glossary/recognition>",
                                     "--format", "nt"])
    assert described.exit_code == 0
    assert '<https://w3id.org/microcred/glossary/recognition> <http://www.w3.org/2004/02/skos/core#' \
           'prefLabel> "riconoscimento"@it .' in described.output.splitlines()


@pytest.mark.parametrize(("args", "message"), [
    (["SELECT * { ?s ?p ?o "], "syntax error at line 1, column"),
    (["INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "read-only"),
    (["SELECT * { SERVICE <http://127.0.0.1:9/> { } }"], "SERVICE"),
    (["SELECT * { ?s ?p ?o }", "--format", "ttl"], "not ttl"),
    (["@missing-file.rq"], "cannot read"),
])
def test_query_errors_exit_2_with_a_message(runner, monkeypatch, args, message: str) -> None:
    monkeypatch.setenv("MICROCRED_VOCAB_DIR", str(SPARQL_VOCAB))
    result = runner.invoke(main, ["query", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_an_unreachable_endpoint_is_a_backend_error() -> None:
    engine = RemoteEngine(f"http://127.0.0.1:{free_port()}/query", timeout=2, max_results=5)
    with pytest.raises(BackendError) as caught:
        run(engine, "ASK {}")
    assert caught.value.status == 502


class Failing(http.server.BaseHTTPRequestHandler):
    """An endpoint that always fails."""

    def do_POST(self) -> None:
        self.send_response(500)
        self.end_headers()
        self.wfile.write(b"store is corrupt")

    def log_message(self, *args: object) -> None:
        pass


def test_an_endpoint_failure_is_a_backend_error_with_its_status() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        engine = RemoteEngine(f"http://127.0.0.1:{server.server_port}/query", 2, 5)
        with pytest.raises(BackendError) as caught:
            run(engine, "SELECT * { ?s ?p ?o }")
        assert caught.value.extra["upstream_status"] == 500
        assert "store is corrupt" in caught.value.detail
    finally:
        server.shutdown()
        server.server_close()

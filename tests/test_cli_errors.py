"""Regressions from hostile use of the CLI and the SPARQL engine: each test is named for what broke.

Real files in tmp_path, the real console script where signals matter; exit code 2 and a
"microcred: error: ..." line for every mistake, never a traceback, never data lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import ROOT, SPARQL_VOCAB, free_port
from microcred.cli import main
from microcred.namespaces import SD
from test_sparql import get, problem

GLOSSARY = ROOT / "vocab" / "glossary.ttl"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def error_of(result) -> str:
    """The one error line a failed command printed, after checking it failed as it should."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("microcred: error: "), result.output
    return result.output


def count_in(runner, store: Path) -> int:
    result = runner.invoke(main, ["query", COUNT, "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1])


def test_load_into_a_directory_of_other_files_is_refused_and_keeps_them(runner, tmp_path: Path) -> None:
    thesis = tmp_path / "work" / "thesis.txt"
    thesis.parent.mkdir()
    thesis.write_text("three years of it")
    output = error_of(runner.invoke(main, ["load", str(GLOSSARY), "--store", str(thesis.parent)]))
    assert "not empty and is not a microcred store" in output
    assert thesis.read_text() == "three years of it"
    assert [p.name for p in thesis.parent.iterdir()] == ["thesis.txt"]


def test_a_failed_load_keeps_the_stores_old_data(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert runner.invoke(main, ["load", str(GLOSSARY), "--store", str(store)]).exit_code == 0
    before = count_in(runner, store)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/b> ; .\n")
    output = error_of(runner.invoke(main, ["load", str(GLOSSARY), str(broken), "--store", str(store)]))
    assert "broken.ttl" in output
    assert before > 100 and count_in(runner, store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ttl", "store", "store.lock", "store.version"]


def test_a_second_load_replaces_the_store_whole(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    one = tmp_path / "one.ttl"
    one.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    assert runner.invoke(main, ["load", str(GLOSSARY), "--store", str(store)]).exit_code == 0
    assert runner.invoke(main, ["load", str(one), "--store", str(store)]).exit_code == 0
    assert count_in(runner, store) == 1


def test_load_of_an_unknown_extension_names_the_ones_read(runner, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(256))
    output = error_of(runner.invoke(main, ["load", str(big), "--store", str(tmp_path / "s")]))
    assert "big.bin: not an RDF file suffix we read" in output and ".ttl" in output
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("endpoint", ["not a url", "file:///etc/passwd", "ftp://example.org/sparql"])
def test_query_endpoint_must_be_an_http_url(runner, monkeypatch, endpoint: str) -> None:
    monkeypatch.delenv("MICROCRED_SPARQL_ENDPOINT", raising=False)
    output = error_of(runner.invoke(main, ["query", "ASK {}", "--endpoint", endpoint]))
    assert "must be an http:// or https:// URL" in output
    assert "root:" not in output


def test_the_endpoint_setting_must_be_an_http_url(runner, monkeypatch) -> None:
    monkeypatch.setenv("MICROCRED_SPARQL_ENDPOINT", "file:///etc/passwd")
    output = error_of(runner.invoke(main, ["query", "ASK {}"]))
    assert "MICROCRED_SPARQL_ENDPOINT" in output and "root:" not in output


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_query_on_a_missing_or_empty_store_says_no_store(runner, tmp_path: Path, make: str) -> None:
    store = tmp_path / "store"
    if make == "empty":
        store.mkdir()
    output = error_of(runner.invoke(main, ["query", "ASK {}", "--store", str(store)]))
    assert f"no store at {store}" in output
    assert store.exists() == (make == "empty")  # a read command creates nothing
    assert list(tmp_path.iterdir()) == ([store] if make == "empty" else [])


def test_export_to_a_missing_directory_names_the_path(runner, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.ttl"
    output = error_of(runner.invoke(main, ["export", "-o", str(target)]))
    assert f"{target}: No such file or directory" in output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_to_a_full_device_exits_2(runner) -> None:
    assert "No space left on device" in error_of(runner.invoke(main, ["export", "-o", "/dev/full"]))


def test_build_site_under_a_regular_file_names_the_path(runner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    output = error_of(runner.invoke(main, ["build-site", "--output", str(tmp_path / "file" / "site")]))
    assert str(tmp_path / "file") in output and "Not a directory" in output


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_check_of_a_device_says_it_is_not_a_regular_file(runner) -> None:
    output = error_of(runner.invoke(main, ["check", "/dev/null"]))
    assert "/dev/null: not a regular file" in output and "no such file" not in output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_select_star_columns_keep_the_query_order(runner, monkeypatch, fmt: str) -> None:
    monkeypatch.setenv("MICROCRED_VOCAB_DIR", str(SPARQL_VOCAB))
    result = runner.invoke(main, ["query", "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?a } } LIMIT 1",
                                  "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.output)["head"]["vars"] == ["s", "p", "o", "q", "a"]
    elif fmt == "xml":
        assert result.output.index('"s"') < result.output.index('"p"') < result.output.index('"o"')
    else:
        separator, sigil = ("\t", "?") if fmt == "tsv" else (",", "")
        assert result.output.splitlines()[0] == separator.join(sigil + v for v in "spoqa")
        assert len(result.output.splitlines()[1].split(separator)) == 5


def test_select_star_columns_keep_the_query_order_from_each_backend(sparql_server) -> None:
    status, _, body = get(sparql_server, "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "text/csv")
    assert status == 200 and body.splitlines()[0] == b"s,p,o"


def test_an_unknown_prefix_is_named_with_its_position(sparql_server) -> None:
    data = problem(get(sparql_server, "PREFIX x: <http://example.org/>\nSELECT * WHERE {\n  ?s y:p ?o }"))
    assert data["detail"] == "unknown prefix 'y:' at line 3, column 6; declare it with PREFIX y: <...>"
    assert (data["line"], data["column"]) == (3, 6)
    assert data["parser_message"]  # the parser's own words, kept apart


def test_an_unknown_function_is_named_not_a_grammar_dump(sparql_server) -> None:
    data = problem(get(sparql_server, "SELECT * WHERE { ?s ?p ?o . BIND(FOO(?s) AS ?x) }"))
    assert data["detail"].startswith("unknown function FOO at line 1, column 34")
    assert "ENCODE_FOR_URI" not in data["detail"]


def test_a_syntax_error_lists_tokens_not_character_classes(sparql_server) -> None:
    data = problem(get(sparql_server, "SELECT * WHERE { ?s ?p ?o"))
    assert data["detail"].startswith("syntax error at line 1")
    assert "\\u{" not in data["detail"] and "'0' ..= '9'" not in data["detail"]


def test_the_service_description_lists_the_graphs_from_each_backend(sparql_server) -> None:
    request = urllib.request.Request(sparql_server.url + "/sparql", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    graph = Graph().parse(data=body, format="turtle")
    names = {str(o) for o in graph.objects(None, SD.name)}
    assert names == {"urn:microcred:vocab:notes.ttl", "urn:microcred:vocab:terms.ttl"}
    assert all(isinstance(o, URIRef) for o in graph.objects(None, SD.name))


@pytest.mark.slow
def test_a_stopped_server_leaves_no_temporary_store(tmp_path: Path) -> None:
    """SIGTERM to `serve --workers 1` after a query: nothing named microcred-store-* remains."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    env.update(TMPDIR=str(temp), MICROCRED_VOCAB_DIR=str(SPARQL_VOCAB), MICROCRED_QUERY_WORKERS="1")
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-m", "microcred", "serve", "--port", str(port),
                             "--workers", "1"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
        deadline = time.monotonic() + 60
        while True:
            try:
                body = urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError((tmp_path / "serve.log").read_text() or "no answer")
                time.sleep(0.3)
        assert b"true" in body
        assert not list(temp.glob("microcred-store-*"))  # the dump is never named on disk
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        log.close()
    assert list(temp.iterdir()) == []

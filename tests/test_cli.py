"""The command line: export, and `serve --workers N` as a real production server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from microcred.cli import main
from microcred.namespaces import MC, SKOS

from conftest import DATA, free_port
from test_terms import fetch, vocabulary_graph


@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_export_writes_the_whole_vocabulary(runner, fmt: str, parser: str) -> None:  # noqa: ANN001
    result = runner.invoke(main, ["export", "--format", fmt])
    assert result.exit_code == 0, result.output
    exported = Graph().parse(data=result.stdout_bytes, format=parser)
    assert isomorphic(exported, vocabulary_graph())


def test_export_of_a_broken_vocabulary_exits_2_with_the_line(runner) -> None:  # noqa: ANN001
    result = runner.invoke(main, ["export"], env={"MICROCRED_VOCAB_DIR": str(DATA / "vocab-broken")})
    assert result.exit_code == 2
    assert "broken.ttl" in result.stderr and "line 4" in result.stderr


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "microcred"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for command in ("serve", "export"):
        assert command in out.stdout


@pytest.mark.slow
def test_serve_with_workers_runs_a_production_server(tmp_path: Path) -> None:
    """`microcred serve --workers 2` (as `make serve` runs it) answers rdflib over HTTP, then stops."""
    port = free_port()
    script = Path(sys.executable).parent / "microcred"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([str(script), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/glossary/micro-credential"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + ".ttl", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError((tmp_path / "serve.log").read_text() or "no answer")
                time.sleep(0.3)
        graph = Graph().parse(url)
        assert (MC["micro-credential"], SKOS.prefLabel, Literal("Micro-credential", lang="en")) in graph
        status, headers, _ = fetch(url + ".ttl")
        assert status == 200 and fetch(url + ".ttl", {"If-None-Match": headers["ETag"]})[0] == 304
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()

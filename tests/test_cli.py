"""The command line: export, and `serve --workers N` as a real production server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from microcred.cli import main
from microcred.namespaces import MC, SKOS

from conftest import DATA, production_server
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
    with production_server(tmp_path) as base:
        url = f"{base}/glossary/micro-credential"
        graph = Graph().parse(url)
        assert (MC["micro-credential"], SKOS.prefLabel, Literal("Micro-credential", lang="en")) in graph
        status, headers, _ = fetch(url + ".ttl")
        assert status == 200 and fetch(url + ".ttl", {"If-None-Match": headers["ETag"]})[0] == 304

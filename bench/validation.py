"""Passport validation: per passport through the HTTP API and the CLI against pySHACL called
directly on pre-parsed graphs, and batch throughput on every core against one."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import http.client
import urllib.request
from pathlib import Path

import pyshacl
from rdflib import Graph

from bench._support import free_port, wait_for
from microcred.config import load_settings
from microcred.contexts import ContextStore
from microcred.validation import PassportValidator
from microcred.workers import Job, ValidationPool

ROOT = Path(__file__).resolve().parent.parent
PASSPORT = ROOT / "tests" / "data" / "passports" / "complete.ttl"
PROFILE = "issued"
ROUNDS = 200


def reference(data: bytes, shapes: Graph) -> float:
    """Median seconds of pyshacl.validate on a pre-parsed data graph and pre-parsed shapes."""
    graph = Graph().parse(data=data, format="turtle")
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def through_api(data: bytes, env: dict[str, str]) -> float:
    """Median seconds of POST /validate against `microcred serve` (granian) on a loopback port."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "microcred", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/validate?_profile={PROFILE}"
    try:
        wait_for(url)
        # one keep-alive connection, as an issuer's client or CI job would hold
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times = []
        for i in range(ROUNDS + 20):
            started = time.perf_counter()
            connection.request("POST", f"/validate?_profile={PROFILE}", body=data,
                               headers={"Content-Type": "text/turtle"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"POST /validate answered {response.status}: {body[:200]!r}")
            if i >= 20:  # the first requests start the worker processes
                times.append(time.perf_counter() - started)
        connection.close()
        return statistics.median(times)
    finally:
        server.terminate()
        server.wait(10)


def through_cli(data: bytes, env: dict[str, str], files: int) -> tuple[float, float]:
    """Seconds per passport of `microcred validate` on one file, and on a directory of `files`."""
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(files):
            (Path(tmp) / f"p{i:03}.ttl").write_bytes(data)
        command = [sys.executable, "-m", "microcred", "validate", "--profile", PROFILE]
        started = time.perf_counter()
        subprocess.run([*command, str(Path(tmp) / "p000.ttl")], env=env, check=True, capture_output=True)
        one = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([*command, tmp], env=env, check=True, capture_output=True)
        return one, (time.perf_counter() - started) / files


def batch(settings, validator: PassportValidator, data: bytes, workers: int, jobs: int = 120) -> float:  # noqa: ANN001
    """Passports per second that a pool of `workers` processes validates."""
    with ValidationPool(settings, workers, "fork", validator) as pool:
        pool.validate_many([Job(data, "text/turtle", PROFILE)] * workers * 2)  # warm every worker
        started = time.perf_counter()
        outcomes = pool.validate_many([Job(data, "text/turtle", PROFILE)] * jobs)
        elapsed = time.perf_counter() - started
    assert all(o.conforms for o in outcomes)
    return jobs / elapsed


def main() -> None:
    data = PASSPORT.read_bytes()
    with tempfile.TemporaryDirectory() as contexts:
        ContextStore(contexts)  # an empty store: the passport is Turtle
        env = dict(os.environ, MICROCRED_CONTEXT_DIR=contexts)
        settings = load_settings({"context_dir": contexts}, environ={})
        validator = PassportValidator.from_settings(settings)
        shapes = validator.profiles.get(PROFILE).graph
        ref = reference(data, shapes)
        api = through_api(data, env)
        one, many = through_cli(data, env, 100)
        single, double = batch(settings, validator, data, 1), batch(settings, validator, data, 2)
    print(f"passport: {PASSPORT.name} ({len(data)} bytes), profile {PROFILE}, median of {ROUNDS}")
    print(f"pyshacl.validate, pre-parsed data and shapes   {ref * 1000:8.2f} ms   1.00x")
    print(f"POST /validate (granian, parse + validate)    {api * 1000:8.2f} ms   {api / ref:.2f}x  (target <= 1.2x)")
    print(f"microcred validate, 100 files, per passport   {many * 1000:8.2f} ms   {many / ref:.2f}x")
    print(f"microcred validate, one file (with start-up)  {one * 1000:8.2f} ms   {one / ref:.2f}x")
    print(f"batch, 1 worker                               {single:8.1f} passports/s")
    print(f"batch, 2 workers                              {double:8.1f} passports/s   {double / single:.2f}x "
          f"(target >= 1.8x on 2 cores)")


if __name__ == "__main__":
    main()

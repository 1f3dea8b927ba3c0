"""Shared fixtures: settings, the app, a test client, a live server on loopback, a CLI runner."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from microcred.config import Settings, load_settings
from microcred.vocabulary import Vocabulary, load_vocabulary
from microcred.web import create_app

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CORPUS = ROOT.parent / "shared" / "corpus"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CORPUS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"the third-party corpus is not beside this checkout ({CORPUS.name} "
                                   "under ../shared); these tests read it")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real threaded HTTP server on 127.0.0.1 serving a WSGI app in a background thread."""

    def __init__(self, app) -> None:  # noqa: ANN001 - any WSGI app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The shipped settings: vocab/ and shapes/ of this checkout, the canonical base."""
    return load_settings(environ={})


@pytest.fixture(scope="session")
def vocabulary(settings: Settings) -> Vocabulary:
    return load_vocabulary(settings)


@pytest.fixture(scope="session")
def app(settings: Settings, vocabulary: Vocabulary):  # noqa: ANN201 - Flask
    return create_app(settings, vocabulary)


@pytest.fixture()
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:  # noqa: ANN001
    """The app behind a real HTTP server on a free loopback port, for real clients."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


class Listener:
    """A TCP socket on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def wait_for_connection(self, seconds: float = 2.0) -> bool:
        deadline = time.monotonic() + seconds
        while self.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.connections > 0

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


# SPARQL: one small vocabulary served by each backend, the embedded engine and a real Oxigraph
# server started here (the `oxigraph` package of the test extra ships its binary).

SPARQL_VOCAB = DATA / "vocab-sparql"


@pytest.fixture(scope="session")
def sparql_settings() -> Settings:
    """Settings for the SPARQL tests: tests/data/vocab-sparql, short limits, two workers."""
    return load_settings({"vocab_dir": str(SPARQL_VOCAB), "query_timeout": 2.0, "max_results": 40,
                          "query_workers": 2}, environ={})


@pytest.fixture(scope="session")
def sparql_vocabulary(sparql_settings: Settings) -> Vocabulary:
    return load_vocabulary(sparql_settings)


def oxigraph_binary() -> str:
    """The `oxigraph` command installed beside this Python (the test extra), or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server is missing: `pip install -e '.[test]'` installs it")
    return found


class OxigraphServer:
    """`oxigraph serve-read-only` over a store loaded from N-Quads, on a free loopback port."""

    def __init__(self, directory: Path, nquads: Path, timeout_s: int = 3) -> None:
        binary = oxigraph_binary()
        location = directory / "oxigraph"
        subprocess.run([binary, "load", "--location", str(location), "--file", str(nquads)],
                       check=True, capture_output=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(location), "--bind",
             f"127.0.0.1:{self.port}", "--union-default-graph", "--timeout-s", str(timeout_s)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}/query"
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    pytest.fail("the oxigraph server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(10)


def start_oxigraph(directory: Path, store) -> OxigraphServer:  # noqa: ANN001 - pyoxigraph.Store
    """An Oxigraph server holding a copy of `store`."""
    import pyoxigraph

    nquads = directory / "data.nq"
    store.dump(str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    return OxigraphServer(directory, nquads)


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory: pytest.TempPathFactory,
                      sparql_vocabulary: Vocabulary) -> Iterator[str]:
    """A real Oxigraph server holding the SPARQL test vocabulary; its query URL."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), sparql_vocabulary.store)
    yield server.url
    server.stop()


@pytest.fixture(scope="session", params=["embedded", "remote"])
def sparql_server(request: pytest.FixtureRequest, sparql_settings: Settings,
                  sparql_vocabulary: Vocabulary) -> Iterator[LiveServer]:
    """The app on a live server, answering SPARQL from each backend in turn."""
    settings = sparql_settings
    if request.param == "remote":
        settings = settings.replace(sparql_endpoint=request.getfixturevalue("oxigraph_endpoint"))
    app = create_app(settings, sparql_vocabulary)
    with LiveServer(app) as server:
        server.backend = request.param  # type: ignore[attr-defined]
        yield server
    app.extensions["microcred"].extras["sparql"].close()

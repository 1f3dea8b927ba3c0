"""Shared fixtures: settings, the app, a test client, a live server on loopback, a CLI runner."""

from __future__ import annotations

import socket
import threading
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

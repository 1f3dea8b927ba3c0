"""Shared fixtures: settings, the app, a test client, a live server on loopback, a CLI runner."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
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
SITE = ROOT / "site"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
NGINX_MISSING = "needs nginx: apt-get install nginx (.ci/run installs it)"


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


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def nginx_serving(site: Path, tmp: Path) -> Iterator[str]:
    """nginx on a free loopback port serving `site` with the configuration generated in it; yields its
    URL and stops it afterwards."""
    assert NGINX, NGINX_MISSING
    port = free_port()
    user = "user root root;" if os.geteuid() == 0 else ""  # workers must read a checkout under /root
    log = tmp / "error.log"
    (tmp / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {log} warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  include {site}/nginx/http.conf;
  server {{
    listen 127.0.0.1:{port};
    root {site};
    include {site}/nginx/server.conf;
  }}
}}
""")
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(log), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {log.read_text() if log.exists() else ''}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)

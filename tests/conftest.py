"""Shared fixtures: settings, the app, a test client, a live server on loopback, a CLI runner."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
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


def wait_until_listening(proc: subprocess.Popen, port: int, log: Path, name: str, seconds: float = 10) -> None:
    """Wait for a server process to accept connections on `port`; fail with its log if it exits or
    takes longer than `seconds`."""
    deadline = time.monotonic() + seconds
    while not listening(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start: {log.read_text() if log.exists() else ''}")
        time.sleep(0.05)


@contextmanager
def production_server(tmp_path: Path, settings: dict[str, str] | None = None, workers: int = 2) -> Iterator[str]:
    """`microcred serve --workers N` (granian), as `make serve` runs it, on a free loopback port;
    yields its URL once the app answers, and stops it afterwards."""
    import urllib.request

    port = free_port()
    script = Path(sys.executable).parent / "microcred"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    env.update(settings or {})
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([str(script), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/openapi.json", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(log_path.read_text() or "the server did not answer") from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@contextmanager
def nginx_serving(site: Path, tmp: Path) -> Iterator[str]:
    """nginx on a free loopback port serving `site` with the configuration generated in it; yields its
    URL and stops it afterwards."""
    assert NGINX, NGINX_MISSING
    port = free_port()
    user = "user root root;" if os.geteuid() == 0 else ""  # workers must read the checkout, wherever root keeps it
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
        wait_until_listening(proc, port, log, "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


APACHE = shutil.which("apache2") or ("/usr/sbin/apache2" if os.access("/usr/sbin/apache2", os.X_OK) else None)
APACHE_MISSING = "needs Apache httpd: apt-get install apache2 (.ci/run installs it)"
APACHE_MODULES = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers", "alias")


@contextmanager
def apache_serving(site: Path, tmp: Path) -> Iterator[str]:
    """Apache httpd on a free loopback port serving a world-readable copy of `site` with its .htaccess;
    yields its URL and stops it afterwards."""
    assert APACHE, APACHE_MISSING
    import pwd
    import tempfile

    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="microcred-site-"))  # Apache refuses to serve as root
    shutil.copytree(site, root, dirs_exist_ok=True)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    modules = "\n".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in APACHE_MODULES)
    user = ""
    if os.geteuid() == 0:
        account = pwd.getpwnam("www-data")
        user = "User www-data\nGroup www-data"
        os.chown(tmp, account.pw_uid, account.pw_gid)
    log = tmp / "error.log"
    (tmp / "httpd.conf").write_text(f"""
ServerRoot {tmp}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {tmp}/httpd.pid
Mutex file:{tmp} default
ErrorLog {log}
LogLevel warn
{user}
{modules}
TypesConfig /etc/mime.types
DocumentRoot {root}
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {root}>
    AllowOverride All
    Require all granted
</Directory>
""")
    proc = subprocess.Popen([APACHE, "-f", str(tmp / "httpd.conf"), "-DFOREGROUND"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(proc, port, log, "apache2")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


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
        self.command = [binary, "serve-read-only", "--location", str(location), "--bind",
                        f"127.0.0.1:{self.port}", "--union-default-graph", "--timeout-s", str(timeout_s)]
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.start()

    def start(self) -> None:
        """Start the server (again, on the same port and store) and wait until it listens."""
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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

"""nginx, with the generated configuration over site/, publishes the vocabulary on its own."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
from rdflib import Graph, Literal

from microcred.namespaces import MC, SKOS

from conftest import free_port
from test_terms import fetch

SITE = Path(__file__).resolve().parent.parent / "site"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

pytestmark = pytest.mark.skipif(NGINX is None, reason="needs nginx: apt-get install nginx (.ci/run installs it)")


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx on a free loopback port serving site/ with its generated configuration; stopped after."""
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    user = "user root root;" if os.geteuid() == 0 else ""  # workers must read a checkout under /root
    (tmp / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  include {SITE}/nginx/http.conf;
  server {{
    listen 127.0.0.1:{port};
    root {SITE};
    include {SITE}/nginx/server.conf;
  }}
}}
""")
    log = tmp / "error.log"
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(log), "-c", str(tmp / "nginx.conf"),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {log.read_text() if log.exists() else ''}")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode is not None


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_term_iri_serves_turtle_to_an_rdf_client(nginx: str) -> None:
    status, headers, _ = fetch(nginx + "/glossary/micro-credential", {"Accept": "text/turtle"})
    assert status == 303
    assert headers["Location"].endswith("/glossary/micro-credential.ttl")
    assert "Accept" in headers["Vary"]
    status, headers, body = fetch(nginx + "/glossary/micro-credential", {"Accept": "text/turtle"}, follow=True)
    assert status == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=body, format="turtle")
    assert (MC["micro-credential"], SKOS.broader, MC.credential) in graph
    assert body == (SITE / "glossary" / "micro-credential.ttl").read_bytes()


def test_term_iri_serves_html_to_a_browser_in_its_language(nginx: str) -> None:
    status, headers, _ = fetch(nginx + "/glossary/micro-credential", {"Accept": BROWSER_ACCEPT})
    assert status == 303 and headers["Location"].endswith("/glossary/micro-credential.html")
    status, headers, body = fetch(nginx + "/glossary/micro-credential",
                                  {"Accept": BROWSER_ACCEPT, "Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}, follow=True)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<html lang="it">' in body and "microcredenziale".encode() in body


@pytest.mark.parametrize("accept, ext, media_type", [
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/rdf+xml", "rdf", "application/rdf+xml"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/json", "jsonld", "application/ld+json"),
    ("*/*", "html", "text/html; charset=utf-8"),
])
def test_every_format_has_its_media_type(nginx: str, accept: str, ext: str, media_type: str) -> None:
    status, headers, _ = fetch(nginx + "/glossary", {"Accept": accept})
    assert status == 303 and headers["Location"].endswith(f"/glossary.{ext}")
    status, headers, _ = fetch(nginx + f"/glossary.{ext}")
    assert status == 200 and headers["Content-Type"] == media_type


def test_search_page_and_index_are_served_and_configuration_is_not(nginx: str) -> None:
    assert fetch(nginx + "/search?q=qual")[0] == 200
    status, headers, _ = fetch(nginx + "/search-index.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert fetch(nginx + "/nginx/server.conf")[0] == 404
    assert fetch(nginx + "/.htaccess")[0] == 404
    assert fetch(nginx + "/glossary/no-such-term")[0] == 404

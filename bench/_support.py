"""Shared bench plumbing: free ports, waiting for servers, wrk runs, starting nginx."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def require(tool: str, package: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if not path:
        raise SystemExit(f"{tool} is needed for this benchmark: apt-get install {package}")
    return path


def wrk(url: str, seconds: int = 10, connections: int = 32, threads: int = 2) -> float:
    """Requests per second that wrk measures against `url` (loopback only)."""
    assert url.startswith("http://127.0.0.1:"), "benchmarks only load servers on this machine"
    out = subprocess.run([require("wrk", "wrk"), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out or "Socket errors" in out and "timeout" in out:
        raise RuntimeError(f"wrk run failed or saw errors:\n{out}")
    return float(match.group(1))


@contextmanager
def nginx_serving(root: Path, workers: int = 2) -> Iterator[str]:
    """nginx on a free loopback port serving `root` as static files; yields its base URL."""
    binary = require("nginx", "nginx")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(f"""
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/turtle ttl; }}
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
  uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{ listen 127.0.0.1:{port}; root {root}; etag on; }}
}}
""")
        proc = subprocess.Popen([binary, "-c", str(conf), "-g", "daemon off;"])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(10)

"""Live term dereferencing: `microcred serve --workers 2` against nginx serving the same bytes.

Both servers get the same wrk load on loopback; the figure is our requests/s over nginx's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench._support import free_port, nginx_serving, wait_for, wrk

DOCUMENT = "/glossary/micro-credential.ttl"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def main() -> None:
    port = free_port()
    script = Path(sys.executable).parent / "microcred"
    server = subprocess.Popen([str(script), "serve", "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ours = f"http://127.0.0.1:{port}{DOCUMENT}"
        wait_for(ours)
        body = urllib.request.urlopen(ours).read()
        with tempfile.TemporaryDirectory() as root:
            target = Path(root) / DOCUMENT.lstrip("/")
            target.parent.mkdir(parents=True)
            target.write_bytes(body)
            for path in (Path(root), target.parent):  # nginx workers may run as an unprivileged user
                path.chmod(0o755)
            with nginx_serving(Path(root)) as nginx:
                wait_for(nginx + DOCUMENT)
                assert urllib.request.urlopen(nginx + DOCUMENT).read() == body
                reference = wrk(nginx + DOCUMENT, SECONDS)
                measured = wrk(ours, SECONDS)
    finally:
        server.terminate()
        server.wait(15)
    print(f"document {DOCUMENT} ({len(body)} bytes), wrk 2 threads, 32 connections, {SECONDS}s each")
    print(f"nginx (2 workers, same bytes from disk): {reference:10.0f} req/s")
    print(f"microcred serve --workers 2:             {measured:10.0f} req/s")
    print(f"ratio: {measured / reference:.2f}x nginx (target >= 0.30x)")


if __name__ == "__main__":
    main()

"""The production server: granian (a Rust HTTP server) running the WSGI app in N processes.

Each worker calls create_app() once, so settings travel as MICROCRED_* environment variables.
"""

from __future__ import annotations


def run_production(host: str, port: int, workers: int) -> None:
    """Serve create_app() with granian's WSGI interface until interrupted."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian("microcred.web:create_app", address=host, port=port, interface=Interfaces.WSGI,
            workers=workers, factory=True, log_access=False, backlog=2048).serve()

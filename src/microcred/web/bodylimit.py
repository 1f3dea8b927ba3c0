"""The one limit on request bodies: a WSGI layer that counts the bytes read from wsgi.input.

However a body is framed (Content-Length, chunked, multipart), reading past max_body raises
PayloadTooLarge; nothing is ever cut short silently. Werkzeug's own MAX_CONTENT_LENGTH is not used:
its stream stops at the limit and returns what it read when a chunked body is longer.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import IO

from microcred.errors import PayloadTooLarge

#: After a refusal, read and discard at most this much of the rest of the body, so that the client,
#: still sending, can read the 413 instead of seeing the connection reset.
DRAIN_LIMIT = 64 * 1024 * 1024
SETTING = "MICROCRED_MAX_BODY"


def too_large(limit: int, declared: int | None = None) -> PayloadTooLarge:
    """The 413 for a body over `limit` bytes (with its declared length, when it had one)."""
    size = f"{declared} bytes long" if declared is not None else "longer"
    return PayloadTooLarge(f"the request body may be at most {limit} bytes (the max_body setting, "
                           f"{SETTING}); this one is {size}", limit=limit, setting=SETTING)


class BoundedInput(io.RawIOBase):
    """wsgi.input that raises PayloadTooLarge on the first read of a body known to be too long, and
    as soon as more than `limit` bytes have been read of any other."""

    def __init__(self, stream: IO[bytes], limit: int, declared: int | None, over: bool) -> None:
        super().__init__()
        self.stream, self.limit, self.declared, self.over = stream, limit, declared, over
        self.count = 0
        self.exceeded = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.over:
            self._refuse()
        # one byte past the limit is enough to know the body is too long
        data = self.stream.read(min(len(buffer), self.limit + 1 - self.count))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self.count > self.limit:
            self._refuse()
        return n

    def _refuse(self) -> None:
        self.exceeded = True
        raise too_large(self.limit, self.declared)

    def drain(self, terminated: bool) -> None:
        """Read and drop what is left of a refused body, up to DRAIN_LIMIT.

        Without a declared length, only a stream the server terminates (chunked) can be read to its end.
        """
        if self.declared is not None:
            left = self.declared - self.count if self.declared <= DRAIN_LIMIT else 0
        else:
            left = DRAIN_LIMIT if terminated else 0
        try:
            while left > 0:
                data = self.stream.read(min(left, 64 * 1024))
                if not data:
                    return
                left -= len(data)
        except (OSError, ValueError):  # the client went away: nothing left to drain
            return


class BodyLimit:
    """WSGI middleware putting every request body behind a BoundedInput of `limit` bytes."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            declared: int | None = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            declared = None
        stream, over = environ["wsgi.input"], declared is not None and declared > self.limit
        terminated = bool(environ.get("wsgi.input_terminated"))
        if declared is None and terminated:
            # A chunked body is read first, at most limit + 1 bytes, so that one too long is refused
            # before any parser starts on it (multipart leaves temporary files when stopped halfway).
            head = read_at_most(stream, self.limit + 1)
            over = len(head) > self.limit
            if not over:
                stream = io.BytesIO(head)
                environ["CONTENT_LENGTH"] = str(len(head))
        body = BoundedInput(stream, self.limit, declared, over)
        environ["wsgi.input"] = body
        result = self.app(environ, start_response)
        if body.exceeded:
            body.drain(terminated)
        return result


def read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes of a stream that ends (a server's chunked input)."""
    out = bytearray()
    while len(out) < size:
        data = stream.read(min(size - len(out), 64 * 1024))
        if not data:
            break
        out += data
    return bytes(out)

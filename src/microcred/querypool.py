"""Embedded SPARQL: pyoxigraph in a few worker processes, one query at a time each.

pyoxigraph cannot cancel a running query, so a query past its time limit is stopped by killing
its process; a fresh worker takes its place and the queries beside it never notice. The child
side runs as `python -m microcred.querypool`. Core module: no Flask.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import queue
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from typing import IO, Any

import pyoxigraph as ox

from microcred import errors
from microcred.errors import ConfigurationError, LimitExceeded, MicrocredError
from microcred.store import QueryRequest, QueryResult, evaluate

log = logging.getLogger("microcred.sparql")
#: Seconds a worker gets beyond the time limit to stop by itself before it is killed.
GRACE = 0.25


class StoreSource:
    """Where workers get their data: an on-disk store (opened read-only), or a store in this
    process dumped, on first use, to an unnamed temporary file each worker loads from.

    The dump is unlinked as soon as it is created and handed to workers as an open descriptor,
    so nothing is left on disk however this process ends (SIGTERM, SIGKILL included).
    """

    def __init__(self, path: str = "", on_disk: bool = False, store: ox.Store | None = None) -> None:
        self.path, self.on_disk, self.store = path, on_disk, store
        self.dump: IO[bytes] | None = None

    @classmethod
    def in_memory(cls, store: ox.Store) -> StoreSource:
        return cls(store=store)

    def arguments(self) -> list[str]:
        """The worker's command-line arguments naming its data."""
        if self.on_disk:
            return ["--store", self.path]
        if self.dump is None:
            assert self.store is not None
            dump = tempfile.TemporaryFile(prefix="microcred-store-")  # noqa: SIM115 - kept open
            self.store.dump(dump, format=ox.RdfFormat.N_QUADS)
            dump.flush()
            self.dump = dump
        return ["--nquads-fd", str(self.dump.fileno())]

    def pass_fds(self) -> tuple[int, ...]:
        """The descriptors a worker inherits: the dump's, when there is one."""
        return (self.dump.fileno(),) if self.dump is not None else ()

    def discard(self) -> None:
        if self.dump is not None:
            self.dump.close()
            self.dump = None


class PositionalReader:
    """A file read from the start through a shared descriptor, with its own offset (pread),
    so workers that inherited the same descriptor never move each other's position."""

    def __init__(self, fd: int) -> None:
        self.fd, self.offset = fd, 0

    def read(self, size: int | None = -1) -> bytes:
        data = os.pread(self.fd, size if size is not None and size >= 0 else 1 << 20, self.offset)
        self.offset += len(data)
        return data


class Channel:
    """Length-prefixed pickles over a stream socket; a receive may time out."""

    HEADER = struct.Struct("!I")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(self.HEADER.pack(len(data)) + data)

    def receive(self, timeout: float | None = None) -> Any:
        """The next message; TimeoutError when none came in time, EOFError when the peer left."""
        self.sock.settimeout(timeout)
        size = self.HEADER.unpack(self._exactly(self.HEADER.size))[0]
        self.sock.settimeout(None)  # the reply has begun: read it whole
        return pickle.loads(self._exactly(size))

    def _exactly(self, size: int) -> bytes:
        buffer = bytearray(size)
        view, done = memoryview(buffer), 0
        while done < size:
            got = self.sock.recv_into(view[done:])
            if not got:
                raise EOFError("the other process closed the channel")
            done += got
        return bytes(buffer)

    def close(self) -> None:
        self.sock.close()


class WorkerLost(Exception):
    """The worker was killed or died; `error` is what the query's caller should see."""

    def __init__(self, error: MicrocredError) -> None:
        super().__init__(error.detail)
        self.error = error


class Worker:
    """One child process holding the store, spoken to over a socket pair."""

    def __init__(self, source: StoreSource, memory_mb: int) -> None:
        parent, child = socket.socketpair()
        arguments = source.arguments()
        command = [sys.executable, "-m", "microcred.querypool", "--fd", str(child.fileno()),
                   "--memory-mb", str(memory_mb), *arguments]
        env = dict(os.environ, RUST_BACKTRACE="0")  # an out-of-memory abort needs no backtrace
        self.process = subprocess.Popen(command, pass_fds=[child.fileno(), *source.pass_fds()], stdin=subprocess.DEVNULL,
                                        start_new_session=True, env=env)
        child.close()
        self.channel = Channel(parent)

    def wait_ready(self, timeout: float) -> None:
        """Wait until the child has loaded its store."""
        try:
            ready = self.channel.receive(timeout)
        except (EOFError, OSError):  # TimeoutError is an OSError
            ready = None
        if ready != ("ready",):
            self.kill()
            raise ConfigurationError("a SPARQL worker could not open its store "
                                     f"(exit status {self.process.poll()})")

    def ask(self, request: QueryRequest, max_results: int, timeout: float) -> QueryResult:
        """Run one query in the child; kill it when it overruns."""
        try:
            self.channel.send((request, max_results, timeout))
            reply = self.channel.receive(timeout + GRACE)
        except TimeoutError:
            self.kill()
            raise WorkerLost(LimitExceeded(f"the query ran longer than {timeout:g} s and was "
                                           "stopped", reason="timeout", limit=timeout)) from None
        except (EOFError, OSError):
            self.kill()
            raise WorkerLost(LimitExceeded("the query stopped its worker: it needed more memory "
                                           "than allowed", reason="memory")) from None
        if reply[0] == "ok":
            return reply[1]
        _, name, detail, extra = reply
        error_type = getattr(errors, name, None)
        if not (isinstance(error_type, type) and issubclass(error_type, MicrocredError)):
            error_type = MicrocredError
        raise error_type(detail, **extra)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.channel.close()


def _stop_all(workers: set[Worker], source: StoreSource) -> None:
    for worker in list(workers):
        worker.kill()
    source.discard()


class EmbeddedEngine:
    """pyoxigraph behind a pool of worker processes; started on the first query."""

    kind = "embedded"

    def __init__(self, source: StoreSource, *, workers: int, timeout: float, max_results: int,
                 memory_mb: int = 0, start_timeout: float = 600.0) -> None:
        self.source, self.size, self.timeout = source, max(1, workers), timeout
        self.max_results, self.memory_mb, self.start_timeout = max_results, memory_mb, start_timeout
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._workers: set[Worker] = set()
        self._lock = threading.Lock()
        self._started = self._closed = False
        self._finalizer = weakref.finalize(self, _stop_all, self._workers, source)

    def start(self) -> None:
        """Start every worker (in parallel) and wait until each has loaded the store."""
        with self._lock:
            if self._started:
                return
            fresh = [Worker(self.source, self.memory_mb) for _ in range(self.size)]
            self._workers.update(fresh)
            for worker in fresh:
                worker.wait_ready(self.start_timeout)
                self._idle.put(worker)
            self._started = True

    def run(self, request: QueryRequest) -> QueryResult:
        """Run a query in an idle worker, within the time and size limits."""
        self.start()
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise LimitExceeded("every SPARQL worker is busy; try again shortly",
                                reason="busy") from None
        try:
            return worker.ask(request, self.max_results, self.timeout)
        except WorkerLost as lost:
            self._replace(worker)
            raise lost.error from None
        finally:
            if worker.process.poll() is None:
                self._idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        """Retire a killed worker and start another in the background."""
        self._workers.discard(worker)

        def spawn() -> None:
            try:
                fresh = Worker(self.source, self.memory_mb)
                self._workers.add(fresh)
                if self._closed:
                    fresh.kill()
                    return
                fresh.wait_ready(self.start_timeout)
            except (ConfigurationError, OSError):
                if not self._closed:
                    log.exception("could not start a SPARQL worker")
                return
            self._idle.put(fresh)

        threading.Thread(target=spawn, name="sparql-worker-start", daemon=True).start()

    def close(self) -> None:
        """Stop every worker and remove the temporary data."""
        self._closed = True
        self._finalizer()


# The child side -----------------------------------------------------------------------------

def _exit_with_parent() -> None:
    """Leave as soon as the process that started us is gone (it cannot kill us then)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve_worker(argv: list[str]) -> int:
    """Load the store, then answer queries from the parent until it hangs up."""
    parser = argparse.ArgumentParser(prog="microcred.querypool")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, default=0)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--store")
    group.add_argument("--nquads-fd", type=int)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    _exit_with_parent()
    if args.memory_mb > 0:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    channel = Channel(socket.socket(fileno=args.fd))
    if args.store:
        store = ox.Store.read_only(args.store)
    else:
        store = ox.Store()
        reader = PositionalReader(args.nquads_fd)  # has read(), all bulk_load calls
        store.bulk_load(input=reader, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    channel.send(("ready",))
    while True:
        try:
            request, max_results, timeout = channel.receive()
        except EOFError:
            return 0
        reply: tuple[Any, ...]
        try:
            reply = ("ok", evaluate(store, request, max_results, timeout))
        except MicrocredError as exc:
            reply = ("error", type(exc).__name__, exc.detail, exc.extra)
        channel.send(reply)


if __name__ == "__main__":
    sys.exit(serve_worker(sys.argv[1:]))

"""Worker processes that validate passports: a time limit per validation and batches on every core.

Core module: no Flask. Each worker holds the profiles, parsed once; a job that overruns its time
is stopped by an alarm inside the worker, or, should that fail, by ending the worker and starting
another. One dispatch loop per call, no threads of our own.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import resource
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from microcred.config import Settings
from microcred.errors import ConfigurationError, InputError, LimitExceeded, MicrocredError
from microcred.report import Report

#: Seconds past the limit before a worker whose alarm did not fire is ended.
GRACE = 2.0
#: The least time a job is given to run once a worker is free, however long it waited for one.
LEAST_RUN = 0.05


@dataclass(frozen=True)
class Job:
    """One document to validate."""

    data: bytes
    media_type: str | None = None
    profile: str | None = None
    lang: str | None = None
    base: str | None = None
    name: str | None = None


class _Overrun(BaseException):
    """Raised by the alarm; a BaseException so that no library's `except Exception` swallows it."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Overrun()


def _serve(conn: Connection, settings: Settings, validator: Any, timeout: float) -> None:
    """A worker's loop: receive (job, seconds left), answer ("ok", Report) or ("error", class, detail,
    extra); ("fatal", ...) when the worker must be replaced, after which it leaves."""
    from microcred.validation import PassportValidator

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    try:
        validator = validator or PassportValidator.from_settings(settings)
        # the profiles live as long as the worker: keep them out of every later collection
        gc.collect()
        gc.freeze()
        _cap_memory(settings.validation_memory)
        conn.send(("ready",))
    except MicrocredError as exc:
        conn.send(("error", type(exc), exc.detail, exc.extra))
        return
    signal.signal(signal.SIGALRM, _alarm)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        outcome = _run(validator, job[0], timeout, job[1])
        conn.send(outcome)
        if outcome[0] == "fatal":
            return


def _cap_memory(megabytes: int) -> None:
    """Limit this process's address space, so that a blow-up ends in MemoryError, not the OOM killer."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))


def _run(validator: Any, job: Job, timeout: float, left: float) -> tuple:
    try:
        signal.setitimer(signal.ITIMER_REAL, left)
        try:
            report = validator.validate(job.data, job.media_type, job.profile, job.lang, job.base, job.name)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return ("ok", report)
    except _Overrun:
        return ("error", LimitExceeded, _overrun_detail(job, timeout), {"reason": "timeout", "limit": timeout})
    except MemoryError:
        return ("fatal", LimitExceeded, _memory_detail(job), {"reason": "memory"})
    except MicrocredError as exc:
        return ("error", type(exc), exc.detail, exc.extra)
    except RecursionError:
        return ("error", InputError, f"{job.name or 'the document'} is nested too deeply to validate", {})
    except Exception as exc:  # noqa: BLE001 - a fault of ours: report it to the parent, keep the worker serving
        return ("bug", f"{type(exc).__name__}: {exc}")


def _overrun_detail(job: Job, timeout: float) -> str:
    return f"validating {job.name or 'the document'} took longer than the limit of {timeout:g} s"


def _memory_detail(job: Job) -> str:
    return (f"validating {job.name or 'the document'} needed more memory than a validation may use "
            "(MICROCRED_VALIDATION_MEMORY)")


class _Worker:
    def __init__(self, ctx: Any, settings: Settings, validator: Any, timeout: float) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, settings, validator, timeout), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            message = self.conn.recv()
        except EOFError:
            raise MicrocredError("a validation worker stopped while loading the profiles") from None
        if message[0] == "error":
            raise message[1](message[2], **message[3])
        self.ready = True

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        self.conn.close()


class ValidationPool:
    """N worker processes; validate() and validate_many() apply settings.validation_timeout per job.

    start_method "fork" shares a validator already loaded in this process (the CLI); "forkserver"
    has each worker load its own (a threaded server, where forking is unsafe).
    """

    def __init__(self, settings: Settings, workers: int = 0, start_method: str = "forkserver",
                 validator: Any = None) -> None:
        if workers < 0:
            raise ConfigurationError(f"a validation pool needs at least one worker, not {workers}")
        self.settings = settings
        self.size = workers or os.cpu_count() or 1
        self.timeout = settings.validation_timeout
        self.ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self.ctx.set_forkserver_preload(["microcred.validation"])
        self.validator = validator if start_method == "fork" else None
        # last in, first out: a lone request goes to the worker that ran the previous one, caches warm
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._started = False
        self._all: list[_Worker] = []

    def start(self) -> ValidationPool:
        """Start the workers (once); their profiles load in parallel."""
        if not self._started:
            self._started = True
            for _ in range(self.size):
                worker = self._spawn()
                self._idle.put(worker)
        return self

    def _spawn(self) -> _Worker:
        worker = _Worker(self.ctx, self.settings, self.validator, self.timeout)
        self._all.append(worker)
        return worker

    def validate(self, job: Job) -> Report:
        """Validate one document; raises its typed error."""
        outcome = self.validate_many([job])[0]
        if isinstance(outcome, MicrocredError):
            raise outcome
        return outcome

    def validate_many(self, jobs: Sequence[Job], done: Callable[[int], None] | None = None,
                      ) -> list[Report | MicrocredError]:
        """Validate each document on the free workers; each outcome is a Report or the error it raised.

        Waiting for a free worker counts toward the time limit: LimitExceeded (reason "busy") when
        none came free within it, and each job runs for what is left of it.
        """
        self.start()
        asked = time.monotonic()
        try:
            borrowed = [self._idle.get(timeout=self.timeout)]
        except queue.Empty:
            raise LimitExceeded(f"every validation worker stayed busy for {self.timeout:g} s; try again shortly",
                                reason="busy", limit=self.timeout, retryAfter=max(1, round(self.timeout / 2))) from None
        left = max(LEAST_RUN, self.timeout - (time.monotonic() - asked))
        while len(borrowed) < min(len(jobs), self.size):
            try:
                borrowed.append(self._idle.get_nowait())
            except queue.Empty:
                break
        try:
            return self._dispatch(jobs, borrowed, done, left)
        finally:
            for worker in borrowed:
                self._idle.put(worker)

    def _dispatch(self, jobs: Sequence[Job], workers: list[_Worker], done: Callable[[int], None] | None,
                  left: float):
        outcomes: list[Any] = [None] * len(jobs)
        pending = list(range(len(jobs)))[::-1]
        free, busy = list(workers), {}  # type: list[_Worker], dict[Any, tuple[_Worker, int, float]]
        while pending or busy:
            while free and pending:
                worker, index = free.pop(), pending.pop()
                worker.wait_ready()
                worker.conn.send((jobs[index], left))
                busy[worker.conn] = (worker, index, time.monotonic() + left + GRACE)
            deadline = min(d for _, _, d in busy.values())
            for conn in wait(list(busy), timeout=max(0.0, deadline - time.monotonic())):
                worker, index, _ = busy.pop(conn)
                outcomes[index], lost = self._outcome(worker, jobs[index])
                free.append(self._replace(worker, workers) if lost else worker)
                if done:
                    done(index)
            for conn, (worker, index, deadline) in list(busy.items()):
                if time.monotonic() >= deadline:  # the alarm did not stop it: end the process
                    del busy[conn]
                    outcomes[index] = LimitExceeded(_overrun_detail(jobs[index], self.timeout),
                                                    reason="timeout", limit=self.timeout)
                    free.append(self._replace(worker, workers))
                    if done:
                        done(index)
        return outcomes

    def _outcome(self, worker: _Worker, job: Job) -> tuple[Report | MicrocredError, bool]:
        """What the worker answered, and whether the worker is lost (to be replaced)."""
        try:
            message = worker.conn.recv()
        except EOFError:
            if self.settings.validation_memory > 0:  # the allocator aborts a process past its cap
                return LimitExceeded(_memory_detail(job), reason="memory"), True
            return MicrocredError(f"the validation worker stopped while validating {job.name or 'the document'}"), True
        if message[0] == "ok":
            return message[1], False
        if message[0] == "bug":
            return MicrocredError(f"validation failed unexpectedly: {message[1]}"), False
        return message[1](message[2], **message[3]), message[0] == "fatal"

    def _replace(self, worker: _Worker, borrowed: list[_Worker]) -> _Worker:
        worker.stop(kill=True)
        self._all.remove(worker)
        fresh = self._spawn()
        borrowed[borrowed.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._all:
            worker.stop()
        self._all.clear()
        self._idle = queue.LifoQueue()
        self._started = False

    def __enter__(self) -> ValidationPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

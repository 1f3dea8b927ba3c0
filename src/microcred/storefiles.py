"""The on-disk pyoxigraph store: loading RDF files into it all or nothing, recording which
vocabulary version it holds, and refusing to write over anything that is not a store.

Core module: no Flask.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from microcred.errors import ConfigurationError, InputError
from microcred.vocabulary import RDF_FILE_FORMATS, files_version, load_file


def version_file(store_path: str) -> Path:
    """The file beside an on-disk store that records which vocabulary version it holds."""
    return Path(store_path.rstrip("/") + ".version")


def is_store(path: Path) -> bool:
    """True for a directory holding a pyoxigraph (RocksDB) store."""
    return (path / "CURRENT").is_file() and any(path.glob("OPTIONS-*"))


def check_store_target(path: Path) -> None:
    """Refuse to write a store over something else: a file, or a directory of other data."""
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"{path} is not a directory; choose another store path",
                                 store=str(path))
    if path.is_dir() and any(path.iterdir()) and not is_store(path):
        raise ConfigurationError(f"{path} is not empty and is not a microcred store; "
                                 "choose another store path", store=str(path))


def fill_store(store_path: str, version: str, fill: Callable[[ox.Store], None]) -> bool:
    """Make the on-disk store hold `version` of the data, calling `fill` only when it does not.

    True when the store was (re)loaded. The data goes into a sibling directory that replaces
    the store only once `fill` has succeeded, so a failed load leaves the old data whole. A
    lock file serialises server processes that start together; the version is written last.
    """
    target = Path(store_path.rstrip("/"))
    check_store_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    marker = version_file(store_path)
    with open(str(target) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text().strip() == version and target.is_dir():
            return False
        fresh = Path(tempfile.mkdtemp(prefix=target.name + ".loading-", dir=target.parent))
        try:
            store = ox.Store(str(fresh))
            fill(store)
            store.flush()
            del store
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        marker.unlink(missing_ok=True)
        old = target.with_name(f"{target.name}.old-{fresh.name.rsplit('-', 1)[-1]}")
        if target.exists():
            target.rename(old)
        fresh.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        marker.write_text(version + "\n")
        return True


def load_files(store_path: str, files: Iterable[Path], base_iri: str) -> str:
    """Load RDF files into an on-disk store, each a named graph as in the vocabulary; its version.

    All or nothing: a file that cannot be read or parsed leaves the store as it was.
    """
    ordered = sorted(files, key=lambda p: p.name)
    for path in ordered:
        if path.suffix.lower() not in RDF_FILE_FORMATS:
            raise InputError(f"{path}: not an RDF file suffix we read "
                             f"({' '.join(sorted(RDF_FILE_FORMATS))})", file=path.name)
    version = files_version(ordered, base_iri)

    def fill(store: ox.Store) -> None:
        for path in ordered:
            load_file(store, path, base_iri)

    fill_store(store_path, version, fill)
    return version

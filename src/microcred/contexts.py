"""The local JSON-LD context store, and inlining of a document's contexts from it.

Core module: no Flask. Nothing here touches the network except fetch_context(), which only the
`microcred contexts add` command calls; parsing a document never does.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from microcred.errors import ContextNotAvailable, InputError

INDEX = "index.json"
#: Media types asked for when a context is fetched once into the store.
CONTEXT_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


class ContextStore:
    """A directory of JSON-LD context documents, indexed by the URL documents cite them by.

    Layout: index.json maps URL -> file name; each file holds one context document as published.
    Documents are parsed once, then copied per use (rdflib's parser mutates what it is given).
    The index is read again when its file changes, so a running server sees `contexts add`.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._index: dict[str, str] = {}
        self._parsed: dict[str, Any] = {}
        self._seen: tuple[int, int, int] | None = None
        self._refresh()

    def _refresh(self) -> None:
        """Re-read index.json if it changed since last read (one stat per lookup)."""
        try:
            stat = (self.directory / INDEX).stat()
        except FileNotFoundError:
            return
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if stamp == self._seen:
            return
        index = json.loads((self.directory / INDEX).read_text(encoding="utf-8"))
        self._index, self._parsed, self._seen = index, {}, stamp  # a context added again is read again

    def urls(self) -> list[str]:
        """The URLs the store can resolve, sorted."""
        self._refresh()
        return sorted(self._index)

    def __contains__(self, url: str) -> bool:
        self._refresh()
        return urldefrag(url)[0] in self._index

    def get(self, url: str) -> Any:
        """A fresh copy of the context document cited as `url`, or ContextNotAvailable."""
        self._refresh()
        key = urldefrag(url)[0]
        if key not in self._index:
            raise ContextNotAvailable(
                f"the JSON-LD context {url} is not in the local context store; contexts are never "
                f"fetched while validating (install it with: microcred contexts add {url})",
                context=url)
        if key not in self._parsed:
            path = self.directory / self._index[key]
            self._parsed[key] = json.loads(path.read_text(encoding="utf-8"))
        return copy.deepcopy(self._parsed[key])

    def add(self, url: str, data: bytes) -> Path:
        """Store `data` (a JSON-LD context document) as the context cited by `url`."""
        key = urldefrag(url)[0]
        try:
            document = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise InputError(f"the context for {url} is not JSON: {exc}") from exc
        if not isinstance(document, dict) or "@context" not in document:
            raise InputError(f"the document for {url} has no @context member: not a JSON-LD context")
        self.directory.mkdir(parents=True, exist_ok=True)
        self._refresh()
        name = hashlib.sha256(key.encode()).hexdigest()[:16] + ".jsonld"
        path = self.directory / name
        _write_atomically(path, data)
        self._index[key] = name
        self._parsed.pop(key, None)
        # a new file renamed over the old: a server reading the index never sees half of it
        _write_atomically(self.directory / INDEX,
                          (json.dumps(self._index, indent=2, sort_keys=True) + "\n").encode())
        return path


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def fetch_context(url: str, timeout: float = 20.0) -> bytes:
    """Download a context once, for `microcred contexts add`; the only network access we make."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"only http(s) URLs can be fetched: {url}")
    request = urllib.request.Request(url, headers={"Accept": CONTEXT_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except OSError as exc:  # URLError, HTTPError and timeouts are all OSErrors
        raise InputError(f"could not fetch {url}: {exc}") from exc


def inline_contexts(document: Any, store: ContextStore, base: str | None = None) -> Any:
    """`document` with every remote context reference replaced by the stored context.

    Covers @context on any node object, scoped contexts in term definitions and @import, so
    rdflib's JSON-LD parser is never handed a URL it would fetch. A missing context raises
    ContextNotAvailable naming it.
    """
    return _Inliner(store, base).document(document)


class _Inliner:
    def __init__(self, store: ContextStore, base: str | None) -> None:
        self.store = store
        self.base = base or ""

    def document(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.document(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "@context":
                out[key] = self.context(value, frozenset())
            elif key == "@value":
                out[key] = value  # a JSON literal is data, never a context
            else:
                out[key] = self.document(value)
        return out

    def context(self, value: Any, seen: frozenset[str]) -> Any:
        """A local context with each string reference replaced by what it refers to."""
        if isinstance(value, list):
            flat: list[Any] = []
            for item in value:
                resolved = self.context(item, seen)
                flat.extend(resolved if isinstance(resolved, list) else [resolved])
            return flat
        if isinstance(value, str):
            return self.remote(value, seen)
        if isinstance(value, dict):
            return self.definition(value, seen)
        return value

    def remote(self, reference: str, seen: frozenset[str]) -> Any:
        url = urljoin(self.base, reference)
        if url in seen:
            raise InputError(f"the JSON-LD context {url} includes itself", context=url)
        document = self.store.get(url)
        inner = document.get("@context") if isinstance(document, dict) else None
        if inner is None:
            raise ContextNotAvailable(f"the stored document for {url} has no @context", context=url)
        resolved = self.context(inner, seen | {url})
        # JSON-LD 1.1 ignores @base in a remote context; inlined, it would take effect
        for item in resolved if isinstance(resolved, list) else [resolved]:
            if isinstance(item, dict):
                item.pop("@base", None)
        return resolved

    def definition(self, context: dict, seen: frozenset[str]) -> dict:
        out: dict[str, Any] = {}
        imported = context.get("@import")
        if isinstance(imported, str):
            resolved = self.remote(imported, seen)
            if not isinstance(resolved, dict):
                raise InputError(f"@import {imported} must refer to a single context object")
            out.update(resolved)
        for key, value in context.items():
            if key == "@import":
                continue
            if isinstance(value, dict) and "@context" in value:
                value = dict(value, **{"@context": self.context(value["@context"], seen)})
            out[key] = value
        return out

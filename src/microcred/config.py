"""The settings table: each setting has a name, a default, an environment variable and help.

Read once, by load_settings(); nothing here reads the environment at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from microcred.errors import ConfigurationError
from microcred.namespaces import CANONICAL_BASE

#: The checkout this package runs from (vocab/, shapes/ and site/ live there).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str
    kind: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", CANONICAL_BASE, "MICROCRED_BASE_IRI",
            "Public base IRI of the vocabulary; IRIs authored under the canonical base are "
            "rewritten to it, so another deployment serves the same vocabulary under its own IRIs."),
    Setting("vocab_dir", str(PROJECT_ROOT / "vocab"), "MICROCRED_VOCAB_DIR",
            "Directory whose RDF files (.ttl .rdf .owl .xml .nt .nq .trig .jsonld) make up the vocabulary."),
    Setting("shapes_dir", str(PROJECT_ROOT / "shapes"), "MICROCRED_SHAPES_DIR",
            "Directory of SHACL shapes: validation profiles and the vocabulary's integrity shapes."),
    Setting("extra_profiles_dir", "", "MICROCRED_EXTRA_PROFILES_DIR",
            "Directory of third-party shape sets registered as further validation profiles."),
    Setting("context_dir", str(PROJECT_ROOT / "contexts"), "MICROCRED_CONTEXT_DIR",
            "Local JSON-LD context store; contexts are never fetched from the network."),
    Setting("store_path", "", "MICROCRED_STORE_PATH",
            "On-disk pyoxigraph store; empty means in memory."),
    Setting("sparql_endpoint", "", "MICROCRED_SPARQL_ENDPOINT",
            "URL (http:// or https://) of a remote SPARQL endpoint used instead of the embedded store; "
            "any other scheme is refused at start."),
    Setting("query_timeout", 10.0, "MICROCRED_QUERY_TIMEOUT",
            "Seconds a SPARQL query may run.", float),
    Setting("max_results", 10000, "MICROCRED_MAX_RESULTS",
            "Most results (rows or triples) one SPARQL query may return.", int),
    Setting("query_workers", 2, "MICROCRED_QUERY_WORKERS",
            "Worker processes running SPARQL queries per server process; a query past its time "
            "limit is stopped by replacing its worker.", int),
    Setting("query_memory", 4096, "MICROCRED_QUERY_MEMORY",
            "Address space, in MiB, that one SPARQL worker may use; 0 for no limit.", int),
    Setting("max_body", 4 * 1024 * 1024, "MICROCRED_MAX_BODY",
            "Largest request body in bytes (validation uploads, POSTed queries).", int),
    Setting("validation_timeout", 30.0, "MICROCRED_VALIDATION_TIMEOUT",
            "Seconds one validation may take, waiting for a free worker included.", float),
    Setting("validation_memory", 4096, "MICROCRED_VALIDATION_MEMORY",
            "Address space, in MiB, that one validation worker may use; a validation past it is "
            "answered 503 and its worker replaced. 0 for no limit.", int),
    Setting("validation_workers", 0, "MICROCRED_VALIDATION_WORKERS",
            "Processes that validate passports (per server process); 0 means one per core.", int),
    Setting("default_language", "en", "MICROCRED_DEFAULT_LANGUAGE",
            "Language shown when the request asks for none that the vocabulary has."),
    Setting("cache_max_age", 3600, "MICROCRED_CACHE_MAX_AGE",
            "max-age, in seconds, of the Cache-Control header on representations.", int),
    Setting("site_dir", str(PROJECT_ROOT / "site"), "MICROCRED_SITE_DIR",
            "Where build-site writes the static publication."),
)


@dataclass(frozen=True)
class Settings:
    base_iri: str
    vocab_dir: str
    shapes_dir: str
    extra_profiles_dir: str
    context_dir: str
    store_path: str
    sparql_endpoint: str
    query_timeout: float
    max_results: int
    query_workers: int
    query_memory: int
    max_body: int
    validation_timeout: float
    validation_memory: int
    validation_workers: int
    default_language: str
    cache_max_age: int
    site_dir: str

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from defaults, then the environment, then explicit overrides."""
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    unknown = set(overrides) - {s.name for s in SETTINGS}
    if unknown:
        raise ConfigurationError(f"unknown settings: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.name, env.get(setting.env, setting.default))
        try:
            values[setting.name] = setting.kind(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"setting {setting.name} ({setting.env}) must be a {setting.kind.__name__}: {raw!r}"
            ) from exc
    check_endpoint(values["sparql_endpoint"])
    if not values["base_iri"].endswith(("/", "#")):
        values["base_iri"] += "/"
    return Settings(**values)


def check_endpoint(url: str) -> None:
    """Refuse an endpoint that is not an http(s) URL: file: and other schemes read local data."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unbalanced [ in the host, a bad port
        valid = False
    if not valid:
        raise ConfigurationError(f"setting sparql_endpoint (MICROCRED_SPARQL_ENDPOINT, --endpoint) "
                                 f"must be an http:// or https:// URL, not {url[:200]!r}")

"""The command line: serve, export, query, load (and, from their modules, validate, check,
build-site).

Only this module prints or exits. Exit codes: 0 success, 1 a negative result (does not conform,
quality errors), 2 an error (bad input, bad configuration), as pySHACL does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from microcred.config import SETTINGS, load_settings
from microcred.errors import MicrocredError


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error for a person and exit with `code`."""
    click.echo(f"microcred: error: {message}", err=True)
    sys.exit(code)


def settings_from(ctx: click.Context, **overrides: Any):
    """Settings from the environment plus the options given on the command line."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return load_settings(given)
    except MicrocredError as exc:
        fail(exc.detail)


def describe_os_error(exc: OSError) -> str:
    """An OSError as a person reads it: the path (or paths) and what went wrong there."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return f"cannot read or write: {reason}"
    paths = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else f"{exc.filename}"
    return f"{paths}: {reason}"


class Group(click.Group):
    """A click group that turns our typed errors, and the OS's errors on the files and
    directories given, into a message and exit code 2, in one place for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MicrocredError as exc:
            fail(exc.detail)
        except OSError as exc:  # a path the user gave: missing, unwritable, a full disk
            fail(describe_os_error(exc))


@click.group(cls=Group, help="The micro-credential glossary as linked data, and a passport validator.")
@click.version_option(package_name="microcred")
def main() -> None:
    """Entry point of the `microcred` console script."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option("--workers", default=0, type=int,
              help="Run the production server (granian) with N worker processes; "
                   "0 runs the development server.")
@click.option("--vocab-dir", default=None, help="Override MICROCRED_VOCAB_DIR.")
@click.option("--base-iri", default=None, help="Override MICROCRED_BASE_IRI.")
def serve(host: str, port: int, workers: int, vocab_dir: str | None, base_iri: str | None) -> None:
    """Serve the vocabulary, SPARQL, search and validation over HTTP."""
    overrides = {"vocab_dir": vocab_dir, "base_iri": base_iri}
    settings_from(click.get_current_context(), **overrides)  # fail early on bad settings
    for name, value in overrides.items():
        if value is not None:
            os.environ[next(s.env for s in SETTINGS if s.name == name)] = str(value)
    if workers > 0:
        from microcred.web.server import run_production

        run_production(host, port, workers)
    else:
        from microcred.web import create_app

        create_app().run(host=host, port=port, threaded=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "jsonld", "rdf", "nt"]), default="ttl",
              show_default=True, help="Serialisation to write.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write; - for standard output.")
def export(fmt: str, output: str) -> None:
    """Write the whole vocabulary in one RDF format."""
    from microcred.conneg import FORMATS
    from microcred.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(settings_from(click.get_current_context()))
    data = vocabulary.export(FORMATS[fmt])
    with click.open_file(output, "wb") as stream:
        stream.write(data)


def query_text(argument: str) -> str:
    """A query given inline, as @FILE, or as - for standard input."""
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        try:
            return Path(argument[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read the query from {argument[1:]}: {exc}")
    return argument


@main.command()
@click.argument("query")
@click.option("--format", "fmt", default=None,
              type=click.Choice(["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf"]),
              help="Result format; json for SELECT and ASK, ttl for CONSTRUCT and DESCRIBE by default.")
@click.option("--store", "store_path", default=None,
              help="Query this on-disk store (made by `microcred load`) instead of the vocabulary.")
@click.option("--endpoint", default=None, help="Query this remote SPARQL endpoint instead.")
def query(query: str, fmt: str | None, store_path: str | None, endpoint: str | None) -> None:
    """Run a SPARQL query (inline, @FILE or - for stdin) and write its results."""
    from microcred.querytext import read_query
    from microcred.store import QueryRequest, formats_for, open_engine

    settings = settings_from(click.get_current_context(), store_path=store_path,
                             sparql_endpoint=endpoint).replace(query_workers=1)
    checked = read_query(query_text(query))
    offered = [f.token for f in formats_for(checked)]
    if fmt is not None and fmt not in offered:
        fail(f"a {checked.form} query is written as {', '.join(offered)}, not {fmt}")
    if settings.sparql_endpoint or settings.store_path:
        engine = open_engine(settings)  # a read command: a missing store is an error, not made
    else:
        from microcred.vocabulary import load_vocabulary

        vocabulary = load_vocabulary(settings)
        engine = open_engine(settings, vocabulary.store, vocabulary.version)
    try:
        result = engine.run(QueryRequest(checked, fmt or offered[0]))
    finally:
        engine.close()
    sys.stdout.buffer.write(result.body)
    if not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--store", "store_path", required=True, type=click.Path(file_okay=False),
              help="Directory of the on-disk store: created if missing, replaced whole if it is one "
                   "already; a directory of other files is refused.")
@click.option("--base-iri", default=None, help="Override MICROCRED_BASE_IRI.")
def load(files: tuple[str, ...], store_path: str, base_iri: str | None) -> None:
    """Load RDF files into an on-disk store, each file a named graph, for MICROCRED_STORE_PATH."""
    from microcred.storefiles import load_files

    settings = settings_from(click.get_current_context(), base_iri=base_iri)
    version = load_files(store_path, [Path(f) for f in files], settings.base_iri)
    click.echo(f"{store_path}: {len(files)} files loaded, version {version}")


# --- validation ---------------------------------------------------------------------------------

#: Show a progress bar on standard error from this many files on.
PROGRESS_FROM = 5


def passport_files(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and under each directory named the files in an RDF syntax we read."""
    from pathlib import Path

    from microcred.parsing import BY_SUFFIX

    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in BY_SUFFIX))
        else:
            files.append(path)
    return files


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--profile", "-p", default=None, help="Validation profile (see `microcred profiles`).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="How to write the reports.")
@click.option("--lang", default=None, type=click.Choice(["en", "it"], case_sensitive=False),
              help="Language of the messages; default from settings.")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Processes to validate with; default MICROCRED_VALIDATION_WORKERS, else one per core.")
def validate(paths: tuple[str, ...], profile: str | None, fmt: str, lang: str | None,
             workers: int | None) -> None:
    """Validate passports (files, or directories of them); exit 0 all conform, 1 some do not, 2 error."""
    import json

    from microcred.report import Report
    from microcred.validation import PassportValidator, read_file
    from microcred.workers import Job, ValidationPool

    settings = settings_from(click.get_current_context())
    files = passport_files(paths)
    if not files:
        fail("no passport files found (.ttl .jsonld .json .rdf .xml .owl .nt .trig)")
    validator = PassportValidator.from_settings(settings)
    validator.profiles.get(profile)  # an unknown profile is an error before any work
    jobs = []
    for path in files:
        data, media_type = read_file(path)
        jobs.append(Job(data, media_type, profile, lang, path.resolve().as_uri(), str(path)))
    size = min(workers or max(settings.validation_workers, 0) or os.cpu_count() or 1, len(jobs))
    with ValidationPool(settings, size, "fork", validator) as pool:
        if len(jobs) >= PROGRESS_FROM:
            with click.progressbar(length=len(jobs), label="validating", file=sys.stderr) as bar:
                outcomes = pool.validate_many(jobs, done=lambda _: bar.update(1))
        else:
            outcomes = pool.validate_many(jobs)
    reports = [o for o in outcomes if isinstance(o, Report)]
    errors = [(job.name, o) for job, o in zip(jobs, outcomes) if isinstance(o, MicrocredError)]
    if fmt == "json":
        summary = {"files": len(jobs), "conforming": sum(r.conforms for r in reports),
                   "notConforming": sum(not r.conforms for r in reports), "errors": len(errors)}
        click.echo(json.dumps({"summary": summary, "reports": [r.to_json() for r in reports],
                               "errors": [dict(e.to_problem(), source=n) for n, e in errors]},
                              indent=2, ensure_ascii=False))
    elif fmt == "turtle":
        from rdflib import Graph

        merged = Graph()
        for report in reports:
            merged += report.to_graph()
        for prefix, namespace in reports[0].to_graph().namespaces() if reports else ():
            merged.bind(prefix, namespace)
        click.echo(merged.serialize(format="turtle"))
    else:
        for report in reports:
            click.echo(report.to_text())
    for name, error in errors:
        click.echo(f"microcred: error: {name}: {error.detail}" + _position(error), err=True)
    sys.exit(2 if errors else 0 if all(r.conforms for r in reports) else 1)


def _position(error: MicrocredError) -> str:
    line, column = error.extra.get("line"), error.extra.get("column")
    return f" (line {line}, column {column})" if line else ""


@main.command()
def profiles() -> None:
    """List the validation profiles."""
    from microcred.validation import PassportValidator

    validator = PassportValidator.from_settings(settings_from(click.get_current_context()))
    for profile in validator.profiles:
        default = " (default)" if profile.id == validator.profiles.default else ""
        click.echo(f"{profile.id}{default}: {profile.title('en')} [{', '.join(profile.files)}]")


@main.group()
def contexts() -> None:
    """The local JSON-LD context store (documents' contexts are only ever read from it)."""


@contexts.command("add")
@click.argument("source")
@click.option("--url", default=None, help="The URL documents cite the context by; default SOURCE, "
                                          "when SOURCE is a URL.")
def contexts_add(source: str, url: str | None) -> None:
    """Put a context into the store, from a file or (fetched once, now) from a URL."""
    from pathlib import Path

    from microcred.contexts import ContextStore, fetch_context

    is_url = source.startswith(("http://", "https://"))
    if not is_url and not url:
        fail("a context read from a file needs --url: the URL documents cite it by")
    data = fetch_context(source) if is_url else Path(source).read_bytes()
    store = ContextStore(settings_from(click.get_current_context()).context_dir)
    store.add(url or source, data)
    click.echo(f"added {url or source}")


@contexts.command("list")
def contexts_list() -> None:
    """List the context URLs the store resolves."""
    from microcred.contexts import ContextStore

    for url in ContextStore(settings_from(click.get_current_context()).context_dir).urls():
        click.echo(url)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="Report as text, JSON, or an RDF graph (DQV) in Turtle.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error",
              show_default=True, help="Exit 1 when a finding is at least this grave.")
@click.option("--max-findings", type=click.IntRange(min=0), default=100, show_default=True,
              help="Findings listed per check (all are counted); 0 lists them all.")
def check(paths: tuple[Path, ...], fmt: str, fail_on: str, max_findings: int) -> None:
    """Check a SKOS vocabulary: SKOS integrity conditions and qSKOS quality checks.

    PATHS are RDF files or directories of them; by default the configured vocabulary directory.
    Exit status: 0 nothing at or above --fail-on, 1 something is, 2 the input could not be read.
    """
    from microcred.quality import check_vocabulary
    from microcred.quality_output import render

    if not paths:
        paths = (Path(settings_from(click.get_current_context()).vocab_dir),)
    report = check_vocabulary(paths, max_findings=max_findings or None)
    click.echo(render(report, fmt), nl=False)
    sys.exit(1 if report.fails(fail_on) else 0)


@main.command("build-site")
@click.option("--output", "-o", type=click.Path(file_okay=False), default=None,
              help="Directory to write; default MICROCRED_SITE_DIR (site/ of the checkout).")
def build_site_command(output: str | None) -> None:
    """Write the static site: pages, documents, search index and server configuration."""
    from pathlib import Path

    from microcred.site import build_site
    from microcred.vocabulary import load_vocabulary
    from microcred.web import create_app

    settings = settings_from(click.get_current_context())
    vocabulary = load_vocabulary(settings)
    target = Path(output or settings.site_dir)
    written = build_site(create_app(settings, vocabulary), vocabulary, target)
    click.echo(f"wrote {len(written)} files to {target}")

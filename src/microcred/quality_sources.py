"""Reading RDF files for the quality report: formats by file suffix, parsed with pyoxigraph.

Turns syntax errors into RDFSyntaxError with the file, line and column. Nothing is fetched:
JSON-LD remote contexts are refused by the parser. Must not import Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError, XMLParser

import pyoxigraph as ox

from microcred.errors import ContextNotAvailable, InputError, RDFSyntaxError
from microcred.quality_index import Triple, from_oxigraph
from microcred.vocabulary import RDF_FILE_FORMATS

#: The suffixes the vocabulary loader reads, so `check` sees what `serve` serves.
FORMATS: dict[str, ox.RdfFormat] = RDF_FILE_FORMATS
BOM = b"\xef\xbb\xbf"


def rdf_files(paths: list[Path]) -> list[Path]:
    """The RDF files named, or found (by suffix, not recursively) in the directories named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in FORMATS))
        elif path.is_file():
            if path.suffix.lower() not in FORMATS:
                raise InputError(f"{path.name}: not an RDF file suffix we read "
                                 f"({' '.join(sorted(FORMATS))})", file=path.name)
            files.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a regular file or a directory (a device, a pipe or a "
                             f"socket); name an RDF file ({' '.join(sorted(FORMATS))})", file=path.name)
        else:
            raise InputError(f"{path}: no such file or directory", file=path.name)
    if not files:
        raise InputError("no RDF files to check in " + ", ".join(str(p) for p in paths))
    return files


def read_sources(paths: list[Path]) -> tuple[Iterator[Triple], list[str]]:
    """The triples of every file (named graphs merged) and the files' names."""
    files = rdf_files(paths)
    return _read_all(files), [f.name for f in files]


def _read_all(files: list[Path]) -> Iterator[Triple]:
    for file in files:
        yield from read_file(file)


def read_file(path: Path) -> Iterator[Triple]:
    """The triples of one file; relative IRIs resolve against the file's own location."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read: {exc.strerror}", file=path.name) from exc
    data = data.removeprefix(BOM)  # pyoxigraph rejects a byte-order mark; many editors write one
    fmt = FORMATS[path.suffix.lower()]
    try:
        for quad in ox.parse(input=data, format=fmt, base_iri=path.resolve().as_uri()):
            yield from_oxigraph(quad.subject), quad.predicate.value, from_oxigraph(quad.object)  # type: ignore[misc]
    except SyntaxError as exc:
        if "LoadDocumentCallback" in exc.msg:  # pyoxigraph's words for a remote @context
            raise ContextNotAvailable(f"{path.name}: refers to a remote JSON-LD context, which is "
                                      "not fetched; expand the document or inline its context",
                                      file=path.name) from None
        raise syntax_error(path.name, data, fmt, exc) from None


def syntax_error(name: str, data: bytes, fmt: ox.RdfFormat, exc: SyntaxError) -> RDFSyntaxError:
    """An RDFSyntaxError naming the file and, where it can be found, the line and column."""
    line, column = exc.lineno, exc.offset
    if line is None and fmt == ox.RdfFormat.RDF_XML:
        line, column = xml_error_position(data)
    if line is None:
        line, column = quoted_position(data, exc.msg)
    where = f"{name}:{line}:{column}" if line is not None else name
    message = exc.msg.split(": ", 1)[1] if exc.msg.startswith("Parser error at") else exc.msg
    message = message.replace("\n", "\\n").replace("\t", "\\t")  # one line, as CLI errors are
    return RDFSyntaxError(f"{where}: malformed RDF: {message}", file=name, line=line, column=column)


def xml_error_position(data: bytes) -> tuple[int | None, int | None]:
    """Where an RDF/XML file stops being well-formed XML, as (line, column), if it does."""
    parser = XMLParser()
    try:
        parser.feed(data)
        parser.close()
    except ParseError as exc:
        return exc.position[0], exc.position[1] + 1
    return None, None


def quoted_position(data: bytes, message: str) -> tuple[int | None, int | None]:
    """Where the text the parser quotes ('...') in its message first occurs, as (line, column).

    RDF/XML errors found after the XML is read (a bad IRI, stray text) come without a position.
    """
    quoted = re.search(r"'(.+?)'", message, re.DOTALL)
    if quoted is None:
        return None, None
    text = data.decode("utf-8", errors="replace")
    at = text.find(quoted.group(1))
    if at < 0:
        return None, None
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1

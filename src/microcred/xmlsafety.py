"""Refusing RDF/XML whose DTD declares entities, before any RDF parser reads it.

Core module: no Flask. Entity declarations are how "billion laughs" documents expand a kilobyte
into gigabytes and how external entities read local files; passports need neither.
"""

from __future__ import annotations

from typing import Any
from xml.parsers import expat

from microcred.errors import RDFSyntaxError

REFUSED = "RDF/XML with a DTD that declares entities is refused"


class _RootReached(Exception):
    """The prolog (and any DTD in it) is over: nothing left to check."""


class _EntityDeclared(Exception):
    def __init__(self, name: str, external: bool) -> None:
        super().__init__(name)
        self.name, self.external = name, external


def refuse_entity_declarations(data: bytes) -> None:
    """Raise RDFSyntaxError, with the position, when the document's DTD declares an entity.

    Reads only the prolog with expat (stopping at the root element), never expanding anything;
    a document malformed before its root is left to the RDF/XML parser, which reports it.
    """
    parser: Any = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def declared(name: str, is_parameter: bool, value: str | None, base: str | None,
                 system_id: str | None, public_id: str | None, notation: str | None) -> None:
        raise _EntityDeclared(("%" if is_parameter else "") + name, system_id is not None)

    def root(*_: object) -> None:
        raise _RootReached()

    parser.EntityDeclHandler = declared
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except (_RootReached, expat.ExpatError):
        return
    except _EntityDeclared as found:
        kind = "an external entity" if found.external else "an entity"
        raise RDFSyntaxError(
            f"{REFUSED}: the document type declares {kind}, {found.name!r}; entity declarations can "
            "expand a small document into gigabytes or read local files. Remove the DTD and write "
            "the IRIs out in full", line=parser.CurrentLineNumber,
            column=parser.CurrentColumnNumber + 1, format="RDF/XML") from None

"""Checking the JSON-LD keywords of a submitted document before rdflib expands it.

Core module: no Flask. rdflib answers a keyword with the wrong kind of value with a Python
exception, or drops a malformed @id without a word; here each is a clear error naming the
keyword, the value and where it is (a JSON Pointer).
"""

from __future__ import annotations

import json
import re
from typing import Any

from microcred.errors import RDFSyntaxError

#: Characters no IRI may hold (RFC 3987), nor any white space or control character.
NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
STRING_OR_NULL = ("@base", "@vocab", "@language", "@import")


def check_keywords(document: Any) -> None:
    """Raise RDFSyntaxError for the first keyword whose value JSON-LD 1.1 does not allow."""
    _node(document, "")


def _node(value: Any, pointer: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _node(item, f"{pointer}/{index}")
        return
    if not isinstance(value, dict):
        return
    for key, member in value.items():
        here = f"{pointer}/{_escape(key)}"
        if key == "@context":
            _context(member, here)
        elif key == "@id":
            _iri(member, here, key)
        elif key == "@type":
            items = member if isinstance(member, list) else [member]
            if not all(isinstance(t, str) for t in items):
                _fail(key, member, here, "a string or an array of strings")
        elif key in ("@language", "@index"):
            if not isinstance(member, str):
                _fail(key, member, here, "a string")
        elif key == "@direction":
            if member not in ("ltr", "rtl", None):
                _fail(key, member, here, '"ltr", "rtl" or null')
        elif key == "@reverse":
            if not isinstance(member, dict):
                _fail(key, member, here, "an object")
            _node(member, here)
        elif key != "@value":  # a literal's value is data, whatever its shape
            _node(member, here)


def _context(value: Any, pointer: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, list):
                _fail("@context", item, f"{pointer}/{index}", "null, a string or an object")
            _context(item, f"{pointer}/{index}")
        return
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, dict):
        _fail("@context", value, pointer, "null, a string (a context's URL), an object or an array of those")
    for key, member in value.items():
        here = f"{pointer}/{_escape(key)}"
        if key in STRING_OR_NULL:
            if member is not None and not isinstance(member, str):
                _fail(key, member, here, "a string or null")
        elif key in ("@version", "@protected", "@propagate", "@direction"):
            continue  # values rdflib checks with a clear message of its own
        elif isinstance(member, dict):
            _definition(key, member, here)
        elif member is not None and not isinstance(member, str):
            _fail(f"the term definition of {key!r}", member, here, "a string, an object or null")


def _definition(term: str, definition: dict, pointer: str) -> None:
    for key, member in definition.items():
        here = f"{pointer}/{_escape(key)}"
        if key in ("@id", "@reverse") and member is not None:
            if not isinstance(member, str):
                _fail(key, member, here, "a string")
        elif key in ("@type", "@language") and member is not None and not isinstance(member, str):
            _fail(key, member, here, "a string")
        elif key == "@context":
            _context(member, here)


def _iri(value: Any, pointer: str, keyword: str) -> None:
    if not isinstance(value, str):
        _fail(keyword, value, pointer, "a string (an IRI, a compact IRI or a blank node identifier)")
    bad = NOT_IN_IRI.search(value)
    if bad:
        raise RDFSyntaxError(f"invalid JSON-LD: {keyword} at {pointer} is not an IRI: {value!r} holds "
                             f"{_character(bad.group())}, which no IRI may contain",
                             pointer=pointer, format="JSON-LD")


def _fail(keyword: str, value: Any, pointer: str, expected: str) -> None:
    raise RDFSyntaxError(f"invalid JSON-LD: {keyword} at {pointer} must be {expected}, not {_describe(value)}",
                         pointer=pointer, format="JSON-LD")


def _describe(value: Any) -> str:
    kind = {bool: "the boolean", int: "the number", float: "the number", str: "the string",
            list: "an array", dict: "an object", type(None): ""}[type(value)]
    text = json.dumps(value, ensure_ascii=False)
    return f"{kind} {text[:60]}{'…' if len(text) > 60 else ''}".strip() if kind else "null"


def _character(char: str) -> str:
    return "a space" if char == " " else f"the character {char!r}" if char.isprintable() else f"U+{ord(char):04X}"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")  # RFC 6901

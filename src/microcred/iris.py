"""Which strings are IRIs, and which IRIs a page may turn into links.

Core module: no Flask. A vocabulary is input like any other: an IRI in it with a script scheme
(javascript:, data:, vbscript:) must never become a clickable link.
"""

from __future__ import annotations

import re

#: RFC 3987 absolute IRI, checked loosely: a scheme, then no spaces, controls or the characters
#: RFC 3987 excludes (<>"{}|\^`). Percent signs must start a %XX escape.
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+")
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: Schemes a page may link to; any other IRI (mailto:, urn:, javascript:...) is shown as text.
LINK_SCHEMES = frozenset({"http", "https"})
#: Schemes that run code or embed content in a browser: never an IRI we resolve.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data", "blob", "file"})


def scheme(iri: str) -> str:
    """The scheme of an IRI, lower-cased ('' when it has none)."""
    head, colon, _ = iri.partition(":")
    return head.lower() if colon and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", head) else ""


def is_absolute_iri(value: str) -> bool:
    """Whether `value` is an absolute IRI (RFC 3987 syntax, loosely) that is not a script URL."""
    return (ABSOLUTE_IRI.fullmatch(value) is not None and BAD_PERCENT.search(value) is None
            and scheme(value) not in SCRIPT_SCHEMES)


def web_href(iri: str) -> str | None:
    """`iri` when a page may link to it (an http or https IRI), else None: show it as text."""
    return iri if scheme(iri) in LINK_SCHEMES and ABSOLUTE_IRI.fullmatch(iri) else None

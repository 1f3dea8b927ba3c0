"""Reading SPARQL text without evaluating it: the query form, updates, SERVICE clauses.

A small lexer that knows strings, IRIs, comments, variables and prefixed names, so a keyword
inside a literal never counts. Imports neither Flask nor pyoxigraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from microcred.errors import QueryRefused, QuerySyntaxError

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PLX = rf"(?:%[0-9A-Fa-f]{{2}}|{_PN_LOCAL_ESC})"
_TOKEN = re.compile(
    rf"""
    (?P<ws>[ \t\r\n]+)
    |(?P<comment>\#[^\r\n]*)
    |(?P<string>'''(?:'{{0,2}}(?:[^'\\]|\\.))*'''
               |\"\"\"(?:\"{{0,2}}(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'
               |"(?:[^"\\\r\n]|\\.)*")
    |(?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    |(?P<pname>(?:[^\W\d][\w.\-\u00B7]*)?:(?:[\w:\u00B7.\-]|{_PLX})*)
    |(?P<word>[^\W\d][\w]*)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_NOT_OPERANDS = frozenset({"", "(", ",", "<", ">", "=", "!", "&", "|", "+", "-", "*", "/", "^"})
_CHECKED = frozenset({"SERVICE", "FROM"})
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class QueryText:
    """A query that passed the textual checks: the text to evaluate and its form (SELECT...)."""

    text: str
    form: str
    has_dataset: bool = False  # FROM or FROM NAMED: the query names its own dataset
    select_star: bool = False  # SELECT *: columns in the order the query first names them

    @property
    def returns_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE, whose results are RDF graphs."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def unescape_codepoints(text: str) -> str:
    """Replace \\u and \\U escapes as SPARQL 1.1 section 19.2 allows before parsing."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(replace, text)


def lex(text: str) -> Iterator[tuple[str, str, int, int]]:
    """Tokens (kind, text, start, end) by longest match, as Jena's lexer reads SPARQL."""
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match is not None  # `other` matches any character
        kind, token, end = match.lastgroup or "other", match.group(), match.end()
        if kind == "pname":  # a prefixed name never ends with '.': that ends the triple
            end -= len(token) - len(token.rstrip("."))
            token = text[pos:end]
        if kind not in ("ws", "comment"):
            yield kind, token, pos, end
        pos = end


def _keywords(text: str, wanted: frozenset[str]) -> dict[str, int]:
    """The first offset of each `wanted` keyword (outside strings, IRIs and comments)."""
    found: dict[str, int] = {}
    for kind, token, start, _ in lex(text):
        if kind == "word" and token.upper() in wanted:
            found.setdefault(token.upper(), start)
    return found


def _disambiguate(text: str) -> str:
    """The query with every '<' read the way a longest-match lexer reads it, for any parser.

    Inside parentheses, after an operand, '<' may start an IRI or be less-than: Jena's lexer
    takes the IRI, oxigraph's parser may take the operator and then read a ' or # in it as
    a string or comment, hiding text from one reading. Writing those two characters of such
    IRIs as codepoint escapes (SPARQL 1.1, 19.2) leaves one reading, with the same IRIs.
    """
    pieces: list[str] = []
    done = 0
    brackets: list[str] = []
    previous = ""
    for kind, token, start, end in lex(text):
        if (kind == "iri" and brackets[-1:] == ["("] and previous not in _NOT_OPERANDS
                and ("'" in token or "#" in token)):
            pieces += [text[done:start], token.replace("'", "\\u0027").replace("#", "\\u0023")]
            done = end
        if token in ("(", "[", "{"):
            brackets.append(token)
        elif token in (")", "]", "}") and brackets:
            brackets.pop()
        previous = token if kind == "other" else kind
    return "".join(pieces) + text[done:] if pieces else text


def variables_in_order(text: str) -> list[str]:
    """The query's variable names (without ? or $), in the order they first appear."""
    return list(dict.fromkeys(token[1:] for kind, token, _, _ in lex(text) if kind == "var"))


def _is_star(text: str, after: int) -> bool:
    """True when the projection that follows SELECT (and DISTINCT or REDUCED) is *."""
    for _, token, _, _ in lex(text[after:]):
        if token.upper() not in ("DISTINCT", "REDUCED"):
            return token == "*"
    return False


def read_query(text: str) -> QueryText:
    """Check a query's text: refuse updates and SERVICE, report its form."""
    first = next((t for t in lex(text) if t[0] == "word" and t[1].upper() not in ("PREFIX", "BASE")),
                 None)
    if first is None:
        raise QuerySyntaxError("expected SELECT, CONSTRUCT, DESCRIBE or ASK", line=1, column=1)
    keyword = first[1].upper()
    line, column = position(text, first[2])
    if keyword in UPDATE_KEYWORDS:
        raise QueryRefused(
            f"SPARQL Update ({keyword}) is not accepted: this endpoint is read-only",
            line=line, column=column,
        )
    if keyword not in QUERY_FORMS:
        raise QuerySyntaxError(
            f"expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {first[1]}", line=line, column=column
        )
    # Jena reads codepoint escapes before lexing, oxigraph only inside strings and IRIs.
    for reading in dict.fromkeys((text, unescape_codepoints(text))):
        found = _keywords(reading, _CHECKED)
        if "SERVICE" in found:
            line, column = position(reading, found["SERVICE"])
            raise QueryRefused(
                "SERVICE is not allowed: this endpoint never queries other endpoints",
                line=line, column=column,
            )
    return QueryText(text=_disambiguate(text), form=keyword, has_dataset="FROM" in found,
                     select_star=keyword == "SELECT" and _is_star(text, first[3]))

"""Readable SPARQL syntax errors: the parser's grammar dump turned into what a person can act on.

Parsers report the farthest point they reached and every token they could have taken there;
the common mistakes (an undeclared prefix, a misspelt function) are found again in the text.
Imports neither Flask nor pyoxigraph.
"""

from __future__ import annotations

import re
from itertools import pairwise

from microcred.querytext import lex, position

#: Words a '(' may follow: SPARQL 1.1's built-ins and keywords, and Oxigraph's extensions.
CALLABLE = frozenset(["STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "EXISTS", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "ADJUST", "LANGDIR", "HASLANG", "HASLANGDIR", "STRLANGDIR", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "BIND", "FILTER", "VALUES", "SELECT", "DISTINCT", "REDUCED", "BY", "IN", "HAVING", "ASC", "DESC", "A"])
#: Alternatives in a parser's "expected" list that are character classes, not tokens.
_CHAR_CLASS = re.compile(r"\[[^\]]*\]")
_ALTERNATIVE = re.compile(r'"[^"]*"|[A-Za-z_]\w*')
_EXPECTED = re.compile(r"expected (?:one of )?(.*)", re.DOTALL)
#: Alternatives of an "expected" list repeated in a message.
SHOWN = 8


def undeclared_prefix(text: str) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix no PREFIX declares: (prefix, line, column)."""
    declared: set[str] = set()
    previous = ""
    for kind, token, start, _ in lex(text):
        if kind == "pname":
            prefix = token.split(":", 1)[0]
            if previous == "PREFIX":
                declared.add(prefix)
            elif prefix != "_" and prefix not in declared:
                return (prefix, *position(text, start))
        previous = token.upper() if kind == "word" else ""
    return None


def unknown_function(text: str) -> tuple[str, int, int] | None:
    """The first word called like a function that SPARQL does not know: (name, line, column)."""
    for (kind, token, start, _), following in pairwise(lex(text)):
        if kind == "word" and following[1] == "(" and token.upper() not in CALLABLE:
            return (token, *position(text, start))
    return None


def expected_tokens(message: str) -> str:
    """The tokens a parser's message says it expected, without its character classes."""
    match = _EXPECTED.search(message)
    if not match:
        return ""
    listed = _CHAR_CLASS.sub("", match.group(1).replace("Prefix not found", ""))
    tokens = list(dict.fromkeys(_ALTERNATIVE.findall(listed)))
    more = f" (or {len(tokens) - SHOWN} more)" if len(tokens) > SHOWN else ""
    return ", ".join(tokens[:SHOWN]) + more


def explain(text: str, message: str, line: int | None, column: int | None) -> tuple[str, int | None, int | None]:
    """A readable message, and its line and column, for the parser's `message` about `text`."""
    prefix = undeclared_prefix(text)
    if prefix is not None:
        name, line, column = prefix
        detail = f"unknown prefix '{name}:' at line {line}, column {column}; declare it with PREFIX {name}: <...>"
        return detail, line, column
    function = unknown_function(text)
    if function is not None:
        name, line, column = function
        detail = (f"unknown function {name} at line {line}, column {column}: not a SPARQL built-in; "
                  "call an extension function by its IRI")
        return detail, line, column
    where = f" at line {line}, column {column}" if line else ""
    expected = expected_tokens(message)
    return (f"syntax error{where}" + (f": expected {expected}" if expected else ""), line, column)

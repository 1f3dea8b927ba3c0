"""Media types and content negotiation: the FORMATS table and negotiate(accept, offers, override).

Core module: no Flask. Implements RFC 9110 §12.5.1 Accept matching with q-values, wildcards and
parameters; ties go to the more specific range, then to the client's order, then to ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from microcred.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    """One serialisation we produce: token, registered media type, file extension, rdflib name."""

    token: str
    media_type: str
    extension: str
    rdflib_name: str
    aliases: tuple[str, ...] = ()
    charset: bool = False

    @property
    def content_type(self) -> str:
        """The Content-Type header value."""
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


TURTLE = Format("ttl", "text/turtle", "ttl", "turtle", ("application/x-turtle",), charset=True)
JSONLD = Format("jsonld", "application/ld+json", "jsonld", "json-ld", ("application/json",))
RDFXML = Format("rdf", "application/rdf+xml", "rdf", "xml")
NTRIPLES = Format("nt", "application/n-triples", "nt", "nt11")
HTML = Format("html", "text/html", "html", "", ("application/xhtml+xml",), charset=True)

#: Every format a term or scheme is served in, in our order of preference for `*/*`.
DOCUMENT_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)
RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
FORMATS: dict[str, Format] = {f.token: f for f in DOCUMENT_FORMATS}
BY_EXTENSION: dict[str, Format] = {f.extension: f for f in DOCUMENT_FORMATS}

SPARQL_JSON = Format("json", "application/sparql-results+json", "srj", "", ("application/json",))
SPARQL_XML = Format("xml", "application/sparql-results+xml", "srx", "", ("application/xml", "text/xml"))
SPARQL_CSV = Format("csv", "text/csv", "csv", "", charset=True)
SPARQL_TSV = Format("tsv", "text/tab-separated-values", "tsv", "", charset=True)
#: SPARQL results (SELECT, ASK), in our order of preference for `*/*`.
RESULTS_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match with `media_type` (-1: no match, 0 */*, 1 type/*, 2 exact)."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 + len(self.params) if self.subtype == sub else -1


ANYTHING = MediaRange("*", "*", (), 1.0, 0)
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")  # RFC 9110 §12.4.2: no q=2, q=inf, q=1_0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; malformed members are skipped, as browsers and servers do, and a
    header of which nothing parses is ignored (RFC 9110 §12.5.1 allows it): it means */*."""
    ranges = []
    for order, member in enumerate((header or "").split(",")):
        rng = _media_range(member, order)
        if rng is not None:
            ranges.append(rng)
    return ranges or [ANYTHING]


def _media_range(member: str, order: int) -> MediaRange | None:
    """One member of Accept, or None when it is malformed."""
    parts = [p.strip() for p in member.split(";")]
    main, _, sub = parts[0].lower().partition("/")
    if not TOKEN.fullmatch(main) or not TOKEN.fullmatch(sub) or (main == "*" and sub != "*"):
        return None
    q, params = 1.0, []
    for param in parts[1:]:
        name, _, value = param.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"')
        if name == "q":
            if not QVALUE.fullmatch(value):
                return None
            q = float(value)
        elif name:
            params.append((name, value))
    return MediaRange(main, sub, tuple(params), q, order)


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -order) of the most specific range matching `media_type`."""
    best: tuple[int, MediaRange] | None = None
    for rng in ranges:
        spec = rng.matches(media_type)
        if spec >= 0 and (best is None or spec > best[0]):
            best = (spec, rng)
    if best is None:
        return (0.0, -1, 0)
    return (best[1].q, best[0], -best[1].order)


def negotiate(accept: str | None, offers: Iterable[Format], override: str | None = None) -> Format:
    """Pick the offer the client prefers; `override` (a token or media type) wins outright.

    Raises NotAcceptable, listing what can be served, when nothing fits.
    """
    offers = tuple(offers)
    if override:
        wanted = override.strip().lower()
        for fmt in offers:
            if wanted in (fmt.token, fmt.media_type, fmt.extension) or wanted in fmt.aliases:
                return fmt
        raise NotAcceptable(f"_mediatype={override!r} is not one of the formats served here",
                            accepted=[f.media_type for f in offers])
    ranges = parse_accept(accept)
    scored = []
    for rank, fmt in enumerate(offers):
        # aliases count only when named exactly: application/* does not mean XHTML
        candidates = [_quality(ranges, fmt.media_type)]
        candidates += [s for s in (_quality(ranges, a) for a in fmt.aliases) if s[1] >= 2]
        q, spec, order = max(candidates)
        if q > 0:
            scored.append(((q, spec, order, -rank), fmt))
    if not scored:
        raise NotAcceptable(f"none of the media types in Accept: {accept!r} can be served",
                            accepted=[f.media_type for f in offers])
    return max(scored, key=lambda item: item[0])[1]


def choose_language(accept_language: str | None, available: Iterable[str], default: str) -> str:
    """The language to show: the client's best Accept-Language match among `available`.

    A range matches a tag equal to it or starting with it and '-'; `*` and no match give `default`.
    """
    tags = sorted(set(available))
    ranges = []
    for order, member in enumerate((accept_language or "").split(",")):
        tag, _, params = member.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            ranges.append((-q, order, tag.strip().lower()))
    for _, _, rng in sorted(ranges):
        if rng == "*":
            return default
        for tag in tags:
            if tag.lower() == rng or tag.lower().startswith(rng + "-"):
                return tag
        primary = rng.split("-")[0]
        for tag in tags:
            if tag.lower() == primary:
                return tag
    return default

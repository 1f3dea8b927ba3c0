"""Our namespaces and the third-party ones we use, as rdflib Namespaces; never IRI strings in code."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, XSD

#: The canonical public base under which the vocabulary is authored in vocab/.
CANONICAL_BASE = "https://w3id.org/microcred/"

MC = Namespace(CANONICAL_BASE + "glossary/")          # the glossary's concepts
MCO = Namespace(CANONICAL_BASE + "ontology#")         # our small ontology (translationNote, ...)
MCS = Namespace(CANONICAL_BASE + "shapes/")           # our SHACL shapes
ELM = Namespace("http://data.europa.eu/snb/model/elm/")
CRED = Namespace("https://www.w3.org/2018/credentials#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
SCHEMA = Namespace("https://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")       # preferred namespace prefix and IRI
PROF = Namespace("http://www.w3.org/ns/dx/prof/")     # profiles: how shape sets declare themselves
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")  # media formats, in service descriptions
DQV = Namespace("http://www.w3.org/ns/dqv#")          # W3C Data Quality Vocabulary
OA = Namespace("http://www.w3.org/ns/oa#")            # Web Annotation (DQV's annotations)

#: Prefixes bound in every serialisation we produce.
PREFIXES: dict[str, str] = {
    "mc": str(MC),
    "mco": str(MCO),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "foaf": str(FOAF),
    "sh": str(SH),
    "elm": str(ELM),
    "cred": str(CRED),
    "prov": str(PROV),
    "vann": str(VANN),
}

__all__ = [
    "ADMS",
    "CANONICAL_BASE",
    "CRED",
    "DCAT",
    "DCTERMS",
    "DQV",
    "ELM",
    "FOAF",
    "FORMATS_NS",
    "MC",
    "MCO",
    "MCS",
    "OA",
    "OWL",
    "PREFIXES",
    "PROF",
    "PROV",
    "RDF",
    "RDFS",
    "ROV",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "VANN",
    "XSD",
]

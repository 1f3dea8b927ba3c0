"""The words of the pages' own interface, per language; English is the fallback.

Core module: no Flask. A message missing in a language is shown in English and marked lang="en".
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to content", "site": "Site", "home": "Home", "glossary": "Glossary",
        "search": "Search", "search_label": "Search the vocabulary", "search_button": "Search",
        "search_hint": "Type at least two letters; use the arrow keys to choose a suggestion.",
        "language": "Language", "concept": "Concept", "scheme": "Concept scheme", "resource": "Resource",
        "definition": "Definition", "source": "Source", "translation_notes": "Translation notes",
        "alt_labels": "Also known as", "other_languages": "In other languages",
        "notes": "Notes", "scope_note": "Scope note", "example": "Example", "note": "Note",
        "editorial_note": "Editorial note", "history_note": "History note", "change_note": "Change note",
        "hierarchy": "Hierarchy and related terms", "broader": "Broader", "narrower": "Narrower",
        "related": "Related", "in_scheme": "In scheme", "top_concepts": "Top concepts",
        "all_concepts": "All concepts", "mappings": "Mappings", "see_also": "See also",
        "exactMatch": "Exact match", "closeMatch": "Close match", "broadMatch": "Broad match",
        "narrowMatch": "Narrow match", "relatedMatch": "Related match",
        "details": "Details", "downloads": "Downloads", "vocabularies": "Vocabularies",
        "results": "Results", "no_results": "Nothing found.", "matched": "matched",
        "footer": "The MicroHE / e-SLP micro-credential glossary as linked data.",
        "also_described": "Also described here", "api": "API", "description": "Description",
        "quality": "Quality", "validate": "Validate",
    },
    "it": {
        "skip": "Vai al contenuto", "site": "Sito", "home": "Home", "glossary": "Glossario",
        "search": "Cerca", "search_label": "Cerca nel vocabolario", "search_button": "Cerca",
        "language": "Lingua", "concept": "Concetto", "scheme": "Schema di concetti", "definition": "Definizione",
        "source": "Fonte", "translation_notes": "Note di traduzione", "alt_labels": "Noto anche come",
        "other_languages": "In altre lingue", "notes": "Note", "example": "Esempio", "note": "Nota",
        "hierarchy": "Gerarchia e termini correlati", "broader": "Più generico", "narrower": "Più specifico",
        "related": "Correlato", "top_concepts": "Concetti di primo livello", "all_concepts": "Tutti i concetti",
        "mappings": "Corrispondenze", "see_also": "Vedi anche", "details": "Dettagli", "downloads": "Download",
        "results": "Risultati", "no_results": "Nessun risultato.", "vocabularies": "Vocabolari",
        "search_hint": "Digita almeno due lettere; scegli un suggerimento con i tasti freccia.",
        "quality": "Qualità", "validate": "Convalida", "in_scheme": "Nello schema", "description": "Descrizione", "scope_note": "Nota d'ambito",
    },
    "fr": {
        "skip": "Aller au contenu", "site": "Site", "home": "Accueil", "glossary": "Glossaire",
        "search": "Rechercher", "search_label": "Rechercher dans le vocabulaire", "search_button": "Rechercher",
        "language": "Langue", "concept": "Concept", "scheme": "Schéma de concepts", "definition": "Définition",
        "source": "Source", "translation_notes": "Notes de traduction", "alt_labels": "Aussi appelé",
        "other_languages": "Dans d'autres langues", "notes": "Notes", "example": "Exemple", "note": "Note",
        "hierarchy": "Hiérarchie et termes associés", "broader": "Terme générique",
        "narrower": "Terme spécifique", "related": "Terme associé", "top_concepts": "Concepts de tête",
        "all_concepts": "Tous les concepts", "mappings": "Alignements", "see_also": "Voir aussi",
        "details": "Détails", "downloads": "Téléchargements", "results": "Résultats",
        "no_results": "Aucun résultat.", "vocabularies": "Vocabulaires",
        "search_hint": "Saisissez au moins deux lettres ; choisissez une suggestion avec les flèches.",
        "quality": "Qualité", "validate": "Valider", "in_scheme": "Dans le schéma", "description": "Description", "scope_note": "Note d'application",
    },
    "de": {
        "skip": "Zum Inhalt springen", "site": "Website", "home": "Start", "glossary": "Glossar",
        "search": "Suche", "search_label": "Im Vokabular suchen", "search_button": "Suchen",
        "language": "Sprache", "concept": "Begriff", "scheme": "Begriffsschema", "definition": "Definition",
        "source": "Quelle", "translation_notes": "Übersetzungshinweise", "alt_labels": "Auch bekannt als",
        "other_languages": "In anderen Sprachen", "notes": "Anmerkungen", "example": "Beispiel",
        "note": "Anmerkung", "hierarchy": "Hierarchie und verwandte Begriffe", "broader": "Oberbegriff",
        "narrower": "Unterbegriff", "related": "Verwandter Begriff", "top_concepts": "Oberste Begriffe",
        "all_concepts": "Alle Begriffe", "mappings": "Entsprechungen", "see_also": "Siehe auch",
        "details": "Details", "downloads": "Downloads", "results": "Ergebnisse",
        "no_results": "Nichts gefunden.", "vocabularies": "Vokabulare",
        "search_hint": "Mindestens zwei Buchstaben eingeben; Vorschläge mit den Pfeiltasten wählen.",
        "quality": "Qualität", "validate": "Validieren", "in_scheme": "Im Schema", "description": "Beschreibung", "scope_note": "Anwendungshinweis",
    },
}

#: Each language's name in itself, for the language switch.
LANGUAGE_NAMES: dict[str, str] = {
    "bg": "български", "cs": "čeština", "da": "dansk", "de": "Deutsch", "el": "ελληνικά", "en": "English",
    "es": "español", "et": "eesti", "fi": "suomi", "fr": "français", "ga": "Gaeilge", "hr": "hrvatski",
    "hu": "magyar", "it": "italiano", "lt": "lietuvių", "lv": "latviešu", "mt": "Malti", "nl": "Nederlands",
    "pl": "polski", "pt": "português", "ro": "română", "sk": "slovenčina", "sl": "slovenščina",
    "sv": "svenska",
}


def message(key: str, lang: str) -> tuple[str, str]:
    """The interface text `key` in `lang` (or its primary language), else English; and its language."""
    for tag in (lang, lang.split("-")[0]):
        text = MESSAGES.get(tag, {}).get(key)
        if text is not None:
            return text, tag
    return MESSAGES["en"][key], "en"


def language_name(tag: str) -> str:
    """A language's own name, or its tag when we do not know it."""
    return LANGUAGE_NAMES.get(tag, LANGUAGE_NAMES.get(tag.split("-")[0], tag))

"""Text folding shared by search and duplicate detection: case, accents, ß, ё, umlaut
spellings and transliteration of Cyrillic, so that "Müller", "Mueller" and "MULLER" — or
"Иванов" and "Ivanov" — meet."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPECIAL = str.maketrans({"ё": "е", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower case without accents; ё → е, ß → ss; Cyrillic stays Cyrillic."""
    return strip_accents(text.lower().translate(_SPECIAL))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(fold(text))


def word_variants(word: str) -> list[str]:
    """The spellings under which a (raw, lower-cased) word should be found: folded, with
    German umlauts spelled out, and transliterated to Latin; each once, in that order."""
    variants = [fold(word)]
    if any(char in word for char in "äöüß"):
        variants.append(strip_accents(word.translate(_UMLAUTS)))
    latin = anyascii(word).lower()
    if latin and latin != word:
        variants.append(re.sub(r"[^a-z0-9]", "", latin))
    return list(dict.fromkeys(variant for variant in variants if variant))


def search_tokens(values: Iterable[str]) -> list[str]:
    """Every token a record should be found by, each once, from its searchable values."""
    seen: dict[str, None] = {}
    for value in values:
        if not value:
            continue
        for raw in _WORD.findall(str(value).lower()):
            for variant in word_variants(raw):
                seen.setdefault(variant, None)
    return list(seen)


def query_terms(query: str) -> list[str]:
    """The words of a search query, folded and transliterated like the index."""
    terms = []
    for raw in _WORD.findall(query.lower()):
        term = fold(raw)
        if not term.isascii():
            term = re.sub(r"[^a-z0-9]", "", anyascii(raw).lower()) or term
        terms.append(term)
    return terms

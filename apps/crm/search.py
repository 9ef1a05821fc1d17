"""Accent- and case-folded search text, identical on PostgreSQL and SQLite.

``fold("Müller GmbH")`` is ``"muller gmbh"``; the German spelling without umlauts ("mueller") is
kept as well, so both "muller" and "Mueller" find "Müller". The customer's ``search_text`` holds the
folded name, number, e-mail, city and contact names; on PostgreSQL a trigram GIN index
(migration crm 0002) serves the ``LIKE '%term%'`` that ``customer_search`` issues.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(value: str) -> str:
    """Lower case without diacritics: "MÜLLER" -> "muller", "Straße" -> "strasse"."""
    lowered = value.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_text(parts: Iterable[str | None]) -> str:
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        folded = fold(part)
        words.append(folded)
        german = unicodedata.normalize("NFC", part.lower()).translate(_GERMAN)
        if german != folded and fold(german) != folded:
            words.append(fold(german))
    return " | ".join(words)


def search_terms(query: str) -> list[str]:
    """The folded words of a search box entry (at most 5, each at most 100 characters)."""
    return [fold(word)[:100] for word in query.split()[:5]]

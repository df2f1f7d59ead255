"""Text folding: case, accents and typographic variants, dealt with in one place.

Every comparison of texts in the pipeline goes through one character table,
:data:`PLAIN`, and Unicode decomposition (NFKD, combining marks dropped). Three
foldings stand on it, each for one kind of search:

- :func:`fold` prepares a text for searching with patterns, case- and
  accent-insensitively, keeping its punctuation and the way back to the original
  characters (:class:`Folded`), so that evidence is always an exact excerpt;
- :func:`normalise` reduces a short text (a name, a label) to comparable tokens: folded,
  with hyphens, apostrophes and dots turned into spaces;
- :func:`plain_words` keeps only letters and digits, words between single spaces, case
  kept or not: what whole-word key matching needs (the référentiel's lists, themes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

#: The one character table: typographic apostrophes, dashes and spaces to their plain
#: form, invisible characters to nothing, and the Latin letters that Unicode does not
#: decompose to their usual spelling (case kept). Any other character is decomposed and
#: loses its accents.
PLAIN: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys("\u2019\u2018\u02bc\u2032\u00b4`\u201b\uff07", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u202f\u2009\u2007\u2002\u2003", " "),
        **dict.fromkeys("\u00ad\u200b\ufeff", ""),
        **{"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ß": "ss"},
        **{"ł": "l", "Ł": "L", "đ": "d", "Đ": "D"},
    }
)


def _plain_char(char: str) -> str:
    """One character through the table, else decomposed without its combining marks."""
    plain = PLAIN.get(char)
    if plain is not None:
        return plain
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(PLAIN.get(c, c) for c in decomposed if not unicodedata.combining(c))


# ------------------------------------------------------------------------------ fold

#: Marks a character whose folded form is not exactly one character.
_IRREGULAR = "\uffff"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return "".join(_plain_char(c) for c in char.casefold())


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table filled on demand: each character to its 1-character fold."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        value = folded if len(folded) == 1 else _IRREGULAR
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


@dataclass(frozen=True, slots=True)
class Folded:
    """A text folded for searching, with the way back to the original characters.

    ``text`` is lower-case, without accents, with typographic apostrophes, dashes and
    spaces replaced by plain ones. ``index`` maps each position of ``text`` to the
    position of the original character it comes from; ``None`` when they coincide.
    """

    original: str
    text: str
    index: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the original that the folded span ``[start, end)`` comes from."""
        if self.index is None:
            return start, end
        size = len(self.index)
        first = self.index[start] if start < size else len(self.original)
        if end <= start:
            return first, first
        return first, self.index[min(end, size) - 1] + 1

    def position(self, folded_position: int) -> int:
        """Return the position in the original of the folded position ``folded_position``."""
        return self.span(folded_position, folded_position)[0]

    def excerpt(self, start: int, end: int) -> str:
        """Return the exact original text behind the folded span ``[start, end)``."""
        first, last = self.span(start, end)
        return self.original[first:last]


#: A character outside ASCII.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_text(text: str) -> str:
    """Return ``text.translate(_FOLD_TABLE)``, made faster for a text mostly in ASCII.

    ``str.translate`` looks every character up once a text holds one outside ASCII: each
    of those is replaced instead, then the text lower-cased (an ASCII character's fold,
    but for the backtick, an apostrophe). Only when lower-casing leaves each replacement
    as it is, and each replacement folds to itself.
    """
    folds = [(char, _FOLD_TABLE[ord(char)]) for char in set(_NON_ASCII.findall(text))]
    for _, folded in folds:
        if folded.lower() != folded or (
            not folded.isascii() and folded != _IRREGULAR and _FOLD_TABLE[ord(folded)] != folded
        ):
            return text.translate(_FOLD_TABLE)
    for char, folded in folds:
        text = text.replace(char, folded)
    text = text.lower()
    return text.replace("`", "'") if "`" in text else text


@lru_cache(maxsize=32)
def fold(text: str) -> Folded:
    """Fold ``text`` for case- and accent-insensitive searching (cached: call it freely).

    Patterns searched in ``Folded.text`` are written in lower case without accents;
    ``Folded.excerpt`` gives back the exact original excerpt for evidence. An ASCII text
    is only lower-cased.
    """
    if text.isascii():
        return Folded(text, text.lower())
    folded = _fold_text(text)
    if _IRREGULAR not in folded:
        return Folded(text, folded)
    parts: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        piece = _fold_char(char)
        parts.append(piece)
        index.extend([position] * len(piece))
    return Folded(text, "".join(parts), tuple(index))


# ------------------------------------------------------------------------- normalise

_TOKEN_SEPARATORS = re.compile(r"[\s\-'.]+")


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Casefold, strip accents, turn hyphens, apostrophes and dots into spaces, collapse spaces.

    ``"Jean-Pierre d’ALMEIDA"`` gives ``"jean pierre d almeida"``; other punctuation is
    kept (``"N°"`` gives ``"n°"``). Cached: the words of names and labels come again and
    again, and each would otherwise push a document's own text out of :func:`fold`'s cache.
    """
    return _TOKEN_SEPARATORS.sub(" ", fold(text).text).strip()


# ----------------------------------------------------------------------- plain words


class _PlainTable(dict[int, str]):
    """A ``str.translate`` table filled on demand, for :func:`plain_words`.

    A character goes through :data:`PLAIN` and decomposition; what is left outside ASCII
    separates words when it is punctuation, a symbol or a space (quotes, bullets, ``°``),
    and is dropped otherwise (a letter of another script, a mark, a private glyph).
    """

    def __missing__(self, code: int) -> str:
        plain = "".join(
            c if c.isascii() else (" " if unicodedata.category(c)[0] in "PSZ" else "")
            for c in _plain_char(chr(code))
        )
        self[code] = plain
        return plain


_PLAIN_TABLE = _PlainTable()
# Byte tables: ASCII letters and digits kept (lower-cased or not), everything else a space.
_CASED = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))
_LOWER = _CASED.lower()


def plain_words(text: str, *, keep_case: bool = False) -> str:
    """``text`` reduced to its letters and digits, words separated by one space.

    Lower-cased unless ``keep_case`` (acronym matching needs the case). Accents are
    dropped; apostrophes, hyphens and any other punctuation separate words:
    ``"Annonce d’une mauvaise nouvelle"`` gives ``"annonce d une mauvaise nouvelle"``.
    Only Latin letters and digits are kept (a Greek or Cyrillic letter is dropped).
    Made for names and titles: about 2 µs for 40 characters, 50 µs per kilobyte of text
    outside ASCII.
    """
    if not text.isascii():
        # Each character outside ASCII replaced by its plain form (ASCII): faster than
        # str.translate, which looks every character up. The ASCII ones keep theirs, bar
        # the backtick (an apostrophe): both separate words alike.
        for char in set(_NON_ASCII.findall(text)):
            text = text.replace(char, _PLAIN_TABLE[ord(char)])
    data = text.encode("ascii", "ignore").translate(_CASED if keep_case else _LOWER)
    return " ".join(data.decode("ascii").split())

"""The family name and first name of a form: ``Nom :`` / ``Prénom :`` and their grids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from attest_pipeline.models import Found
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.name_reading import line_bounds, take_name, value_start
from attest_pipeline.text.scan import gated

_QUALIFIERS = (
    r"du\s+participant|du\s+stagiaire|du\s+medecin|de\s+l'apprenant|du\s+beneficiaire|"
    r"d'usage|d'exercice|usuel"
)
_NOM_QUALIFIERS = r"de\s+famille|de\s+naissance|patronymique|" + _QUALIFIERS
#: An English certificate (an international congress) writes ``Last name`` / ``First name``.
_NOM = r"(?:nom|last\s+name|surname|family\s+name)"
_PRENOM = r"(?:prenoms?|first\s+names?|given\s+names?)"
#: ``Nom : DUPONT``, or, in a grid without colons, ``Nom`` at the start of a line and the
#: value in the next cell (``Nom    DUPONT``): group ``grid``.
_NOM_LABEL = gated(
    r"(?<![\w'])" + _NOM + r"(?:\s+(?:" + _NOM_QUALIFIERS + r"))?\s*:"
    r"|^[ \t]*" + _NOM + r"(?:[ \t]+(?:" + _NOM_QUALIFIERS + r"))?(?P<grid>[ \t]+)(?=\S)",
    re.MULTILINE,
)
_PRENOM_LABEL = gated(
    r"(?<![\w'])" + _PRENOM + r"(?:\s+(?:" + _QUALIFIERS + r"))?\s*:"
    r"|^[ \t]*" + _PRENOM + r"(?:[ \t]+(?:" + _QUALIFIERS + r"))?(?P<grid>[ \t]+)(?=\S)",
    re.MULTILINE,
)
_NEXT_WORDS = (
    r"\b(?:prenoms?|nom|nee?|date|rpps|adresse|profession|" + _NOM + "|" + _PRENOM + r")\b"
)
_NEXT_LABEL = re.compile(_NEXT_WORDS + r"[^:\n]{0,20}:")
#: In a grid, the next cell's label ends the value without a colon.
_NEXT_CELL = re.compile(_NEXT_WORDS)


@dataclass(frozen=True, slots=True)
class NameField:
    """A ``Nom :`` or ``Prénom :`` value: where its label starts, where its value lies."""

    label: int
    start: int
    end: int


def _field(folded: Folded, label: re.Match[str]) -> NameField | None:
    grid = label.group("grid") is not None
    start = label.end() if grid else value_start(folded.text, label.end())
    _, line_end = line_bounds(folded.text, start)
    following = (_NEXT_CELL if grid else _NEXT_LABEL).search(folded.text, start, line_end)
    first, last = folded.span(start, following.start() if following else line_end)
    value = folded.original[first:last]
    if grid and not value[:1].isupper():
        return None  # "Nom de l'organisme ...", "Nom du participant Jean ...": not a cell
    taken = take_name(value, allow_single=True)
    if taken is None:
        return None
    return NameField(folded.position(label.start()), first + taken[0], first + taken[1])


def name_fields(folded: Folded) -> tuple[NameField, NameField] | None:
    """Find a ``Nom :`` / ``Prénom :`` pair within a few lines of each other (cached)."""
    return _fields_of(folded.original)


@lru_cache(maxsize=32)
def _fields_of(original: str) -> tuple[NameField, NameField] | None:
    folded = fold(original)
    text = folded.text
    for nom in _NOM_LABEL.finditer(text):
        last = _field(folded, nom)
        if last is None:
            continue
        # From the line before to three lines after.
        line_start, window_end = line_bounds(text, nom.start())
        window_start = line_bounds(text, max(line_start - 1, 0))[0]
        for _ in range(3):
            window_end = line_bounds(text, min(window_end + 1, len(text)))[1]
        for prenom in _PRENOM_LABEL.finditer(text, window_start, window_end):
            first = _field(folded, prenom)
            if first is not None:
                return last, first
    return None


def find_name_fields(text: str) -> tuple[Found[str], Found[str]] | None:
    """Return the family name and first name of a ``Nom :`` / ``Prénom :`` layout.

    The two labels may share a line or lie within three lines of each other, and each
    value may stand on the line after its label. A grid without colons is read too, each
    label opening its line and its value in the next cell (``Nom    MERCIER`` /
    ``Prénom    Océane``); such a value must start with a capital. Evidence runs from
    label to value.
    """
    fields = name_fields(fold(text))
    if fields is None:
        return None
    last, first = fields
    return (
        Found(text[last.start : last.end], text[last.label : last.end]),
        Found(text[first.start : first.end], text[first.label : first.end]),
    )

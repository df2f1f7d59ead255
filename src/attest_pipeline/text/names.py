"""People's names: their words, splitting them, comparing them.

Names are compared in :func:`~attest_pipeline.text.fold.normalise` form. Finding the
participant's name in a text is :mod:`attest_pipeline.text.participant`'s work, on top of
this module and :mod:`~attest_pipeline.text.name_reading`.

Conventions, chosen once and used everywhere:

- **Order.** A comma means ``LAST, First``. Otherwise capitalisation decides: the
  all-capitals words are the family name (``DUPONT Jean``, ``Jean DE LA FONTAINE``). When
  case does not tell (``Jean Dupont``, ``JEAN DUPONT``), a married-name marker or a
  particle starts the family name (``Jean de la Fontaine``), and failing those the first
  word is the first name, the dominant order in French running text.
- **Married and usage names.** ``last_name`` keeps the whole family-name part as written,
  marker included: ``Mme Marie DUPONT épouse MARTIN`` gives last name
  ``DUPONT épouse MARTIN`` and first name ``Marie`` (``née``, ``veuve``, ``dit(e)``
  likewise). Comparisons treat each side of a marker and each part of a hyphenated name
  as a family name the person may go by.
- **First names** are compared whole: ``Jean-Pierre`` equals ``Jean Pierre`` but not
  ``Jean``; initials never match anything.
- **Articles.** ``le``/``la`` open a family name only when written as one (``LE ROUX``,
  ``Le Gall``); before a civility they are dropped (``le Docteur``), and before a common
  noun they mean there is no name (``le professionnel de santé désigné ci-dessus``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from attest_pipeline.text.fold import fold, normalise

# ------------------------------------------------------------------------------ tokens

def word_set(text: str) -> frozenset[str]:
    """Read a word list written as one space-separated string."""
    return frozenset(text.split())


#: Civilities and titles dropped in front of a name, in :func:`normalise` form.
CIVILITIES: frozenset[str] = word_set(
    "dr drs docteur docteure doctoresse pr prof professeur professeure m mr messieurs "
    "monsieur mme mmes madame mesdames mlle melle mademoiselle me maitre"
)

#: Words joining two family names of the same person (married, maiden and usage names).
MARRIED_MARKERS: frozenset[str] = word_set("epouse ep epse nee veuve vve divorcee dit dite alias")

#: Particles that belong to a family name (``de``, ``d'``, ``van``...), normalised.
PARTICLES: frozenset[str] = word_set(
    "de du des d la le les l van von der den ter ten di da do dos das del della dal ben bin "
    "ibn el al af mac mc st saint sainte y"
)

#: Articles, which open a family name only when written as one (``LE ROUX``).
ARTICLES = frozenset({"le", "la", "l", "les"})
#: Words that may stand before a name without being part of it.
LEADING_WORDS = CIVILITIES | ARTICLES
_WORD = re.compile(r"[^\W_]+")


_NOT_ALNUM = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    """Reduce a name to its letters and digits, so that ``N'DIAYE`` equals ``NDIAYE``."""
    return _NOT_ALNUM.sub("", fold(text).text)


def strip_civilities(text: str) -> str:
    """Return ``text`` without the civilities and titles in front (``Monsieur le Docteur``)."""
    tokens = text.split()
    start = 0
    while start < len(tokens):
        word = normalise(tokens[start])
        next_is_civility = start + 1 < len(tokens) and normalise(tokens[start + 1]) in CIVILITIES
        if word in CIVILITIES or (word in ARTICLES and next_is_civility):
            start += 1
            continue
        break
    return " ".join(tokens[start:])


def name_keys(text: str) -> frozenset[str]:
    """Return the normalised tokens of a name, to compare names regardless of order.

    Civilities in front and married-name markers are dropped; particles are kept.
    """
    words = _WORD.findall(normalise(strip_civilities(text)))
    return frozenset(w for w in words if w not in MARRIED_MARKERS)


# -------------------------------------------------------------------------- splitting


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name split into family name and first name, both as written.

    ``first_name`` is empty when only a family name is known.
    """

    last_name: str
    first_name: str




class WordKind(IntEnum):
    """What a word of a name is, as :func:`word_kind` reads it."""

    UPPER = 0  # all capitals: ``DUPONT``
    CAP = 1  # capitalised: ``Dupont``
    LOWER = 2  # lower case: ``dupont``
    PARTICLE = 3  # a particle of a family name, not in capitals: ``de``, ``d'``, ``van``
    MARKER = 4  # a married-name marker: ``épouse``, ``née``
    INITIAL = 5  # initials: ``J.``, ``J.-P.``
    OTHER = 6  # no letter: ``-``, ``12``


#: The kinds of the words that are a name's own (neither particles, markers nor initials).
WORD_KINDS = (WordKind.UPPER, WordKind.CAP, WordKind.LOWER)
#: The kinds of the words written with a capital.
CAPITALISED = (WordKind.UPPER, WordKind.CAP)
_ELISION = re.compile(r"^[a-zA-Z]['\u2019\u02bc]")


@lru_cache(maxsize=4096)
def word_kind(token: str) -> WordKind:
    """Say what ``token``, one word of a name as written, is (see :class:`WordKind`).

    Cached, as :func:`~attest_pipeline.text.fold.normalise` is: a name's words are read
    again and again, in one text and from one text to the next.
    """
    word = normalise(token)
    letters = [c for c in token if c.isalpha()]
    if not word or not letters:
        return WordKind.OTHER
    if word in MARRIED_MARKERS:
        return WordKind.MARKER
    if word in PARTICLES and not token.isupper():
        return WordKind.PARTICLE
    if all(len(part) == 1 for part in word.split()):
        return WordKind.INITIAL
    # ``d'ALMEIDA``, ``N'DIAYE``: the elided particle does not decide the case.
    body = [c for c in _ELISION.sub("", token) if c.isalpha()] or letters
    if all(c.isupper() for c in body):
        return WordKind.UPPER
    return WordKind.CAP if body[0].isupper() else WordKind.LOWER


#: Longer than any word of a real person's name (the longest French family names, written
#: without their hyphens, have about 25 letters).
_LONGEST_NAME_WORD = 40


def could_be_a_name(text: str) -> bool:
    """Whether ``text`` could be a person's name: letters, no digit, no endless word."""
    words = _WORD.findall(text)
    return (
        bool(words)
        and not any(char.isdigit() for char in text)
        and all(len(word) <= _LONGEST_NAME_WORD for word in words)
    )


def split_name(text: str) -> PersonName | None:
    """Split a name as written into family name and first name (see the module conventions).

    ``DUPONT Jean-Pierre``, ``Dr Jean-Pierre DUPONT`` and ``Dupont, Jean-Pierre`` give
    family name ``DUPONT``/``Dupont`` and first name ``Jean-Pierre``; ``Jean Dupont``
    gives ``Dupont``/``Jean`` (first word = first name when nothing else tells). A single
    word is a family name with an empty first name. ``None`` when there is no name at all.
    """
    readings = name_readings(text)
    return readings[0] if readings else None


@lru_cache(maxsize=1024)
def name_readings(text: str) -> tuple[PersonName, ...]:
    """Return every plausible split of a name: one when the order is known, else all.

    The order is known from a comma, from capitalisation, from a particle or from a
    married-name marker. Otherwise (``Martin Thomas``) each cut between first name and
    family name, either way round, is a reading; the conventional one (first word = first
    name) comes first.
    """
    cleaned = " ".join(text.split()).strip(" ;:.()[]")
    if "," in cleaned:
        left, right = (part.strip(" ,") for part in cleaned.split(",", 1))
        last, first = strip_civilities(left), strip_civilities(right)
        if last and first:
            return (PersonName(last, first),)
        cleaned = last or first
    tokens = [t for t in strip_civilities(cleaned).split() if any(c.isalpha() for c in t)]
    if not tokens:
        return ()
    decided = _decided_split(tokens, [word_kind(t) for t in tokens])
    if decided is not None:
        return (decided,)
    cuts = range(1, len(tokens))
    readings = [PersonName(" ".join(tokens[c:]), " ".join(tokens[:c])) for c in cuts]
    readings += [PersonName(" ".join(tokens[:c]), " ".join(tokens[c:])) for c in cuts]
    return tuple(dict.fromkeys(readings))


def _decided_split(tokens: Sequence[str], kinds: Sequence[WordKind]) -> PersonName | None:
    """Split when something other than the word order tells how, else return ``None``."""
    if len(tokens) == 1:
        return PersonName(tokens[0], "")
    word_kinds = {k for k in kinds if k in WORD_KINDS}
    by_case = WordKind.UPPER in word_kinds and len(word_kinds) > 1
    if by_case:
        in_last = [kind == WordKind.UPPER for kind in kinds]
    elif WordKind.MARKER in kinds:
        marked = {j for i, k in enumerate(kinds) if k == WordKind.MARKER for j in (i - 1, i, i + 1)}
        in_last = [i in marked for i in range(len(tokens))]
    elif kinds[0] == WordKind.PARTICLE:
        # "Le Gall Jean", "de la Fontaine Jean": leading particles open the family name.
        first_word = next((i for i, k in enumerate(kinds) if k != WordKind.PARTICLE), len(kinds))
        in_last = [i <= first_word for i in range(len(tokens))]
    elif WordKind.PARTICLE in kinds[1:]:
        first_particle = kinds.index(WordKind.PARTICLE, 1)
        in_last = [i >= first_particle for i in range(len(tokens))]
    else:
        return None
    _extend_family_name(kinds, in_last, pull_before_marker=by_case)
    last = " ".join(t for t, flag in zip(tokens, in_last, strict=True) if flag)
    first = " ".join(t for t, flag in zip(tokens, in_last, strict=True) if not flag)
    return PersonName(last, first) if last else None


def _extend_family_name(
    kinds: Sequence[WordKind], in_last: list[bool], *, pull_before_marker: bool
) -> None:
    """Pull markers, the words they join and particles into the family name."""
    changed = True
    while changed:
        changed = False
        for i, kind in enumerate(kinds):
            if in_last[i]:
                continue
            after = i + 1 < len(kinds) and in_last[i + 1]
            before = i > 0 and in_last[i - 1]
            pull = (
                (kind == WordKind.MARKER and (after or before))
                or (kind == WordKind.PARTICLE and after)
                or (i > 0 and kinds[i - 1] == WordKind.MARKER)
            )
            if not pull and pull_before_marker and after and kinds[i + 1] == WordKind.MARKER:
                # "Marie Dupont épouse MARTIN": Dupont is a family name, provided a first
                # name remains ("DUPONT Marie épouse MARTIN" keeps Marie).
                pull = in_last.count(False) > 1
            if pull:
                in_last[i] = True
                changed = True


# -------------------------------------------------------------------------- comparing


@dataclass(frozen=True, slots=True)
class NameKey:
    """A family name and a first name prepared for comparison (see :func:`same_person`).

    ``units`` are the compacted family names the person goes by (each side of a married
    name marker); ``pieces`` add the parts of hyphenated names; ``whole`` is all the family
    names together. ``first`` is the compacted first name, empty when unknown or when it
    is made of initials only.
    """

    units: frozenset[str]
    pieces: frozenset[str]
    whole: str
    first: str

    def same_family(self, other: NameKey) -> bool:
        """Say whether the two family names can be the same person's."""
        return bool(
            (self.whole and self.whole == other.whole)
            or self.units & other.pieces
            or other.units & self.pieces
        )


_MARKER_SPLIT = re.compile(
    r"(?<![\w'])(?:"
    # Sorted twice: a set's order changes from process to process, and the pattern with it.
    + "|".join(sorted(sorted(MARRIED_MARKERS), key=len, reverse=True))
    + r")(?![\w'])\.?"
)


@lru_cache(maxsize=4096)
def name_key(last_name: str, first_name: str) -> NameKey:
    """Return the :class:`NameKey` of a family name and a first name (cached)."""
    parts = _MARKER_SPLIT.split(fold(strip_civilities(last_name)).text)
    units: set[str] = set()
    pieces: set[str] = set()
    for part in parts:
        unit = _compact(part)
        if unit:
            units.add(unit)
            pieces.add(unit)
            pieces.update(c for c in map(_compact, part.split("-")) if c)
    whole = "".join(_compact(p) for p in parts)
    words = normalise(strip_civilities(first_name)).split()
    first = "" if all(len(w) == 1 for w in words) else "".join(words)
    return NameKey(frozenset(units), frozenset(pieces), whole, first)


def same_person(a_last: str, a_first: str, b_last: str, b_first: str) -> bool:
    """Say whether two (family name, first name) pairs name the same person.

    Case, accents, hyphens, apostrophes, spaces and civilities are ignored; a married or
    hyphenated name matches each of its parts (``DUPONT-MARTIN`` matches ``MARTIN``,
    ``DUPONT épouse MARTIN`` matches ``DUPONT`` and ``MARTIN``). First names must be equal
    (``Jean-Pierre`` = ``Jean Pierre``, but not ``Jean``); initials never match.
    """
    a = name_key(a_last, a_first)
    b = name_key(b_last, b_first)
    return bool(a.first) and a.first == b.first and a.same_family(b)


def compatible_person(a_last: str, a_first: str, b_last: str, b_first: str) -> bool:
    """Say whether a name read beside a known identifier does not contradict another.

    Looser than :func:`same_person`: the family names must match the same way, but the
    first names need only not disagree: equal, missing on one side, one a leading part of
    the other (``Jean`` and ``Jean-Pierre``), or initials consistent with it (``J.-P.``
    and ``Jean-Pierre``).
    """
    if not name_key(a_last, a_first).same_family(name_key(b_last, b_first)):
        return False
    a_words = normalise(strip_civilities(a_first)).split()
    b_words = normalise(strip_civilities(b_first)).split()
    shorter, longer = sorted((a_words, b_words), key=len)
    return all(
        s == w or (len(s) == 1 and w.startswith(s)) for s, w in zip(shorter, longer, strict=False)
    )

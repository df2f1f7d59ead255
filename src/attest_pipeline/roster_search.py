"""The roster as evidence: which physicians of the roster an attestation's own text names.

A plugin reads the participant where its layout says; this module looks, in the same
text, for every identity of the roster: each valid RPPS of the roster written anywhere
(also as an IdNatPS, or in digit groups), and each roster name written in full (folded:
any case and accents, either order, a civility or a married-name marker between the
family name and the first name, compound, married and usage names, particles). The
decision (:mod:`attest_pipeline.decision`) weighs this against the plugin's reading.

Cost. :class:`RosterIndex` is built once per process from the roster: a dictionary from
each compacted family name a physician goes by (``dupont``, ``martin`` and
``dupontmartin`` for ``DUPONT-MARTIN``; ``delafontaine``; ``ndiaye``) to the physicians
going by it. A document is read as folded word tokens, and at each token that begins a
family name the concatenations of one to four tokens are looked up (``N'DIAYE``,
``NDIAYE`` and ``de la Fontaine`` all reach their entry); only a family name found there
costs the placing of the tokens and the check of the first name beside it. The work per
document is therefore a few dictionary lookups per word, whatever the roster's size
(``bench/bench.py --roster-search`` measures it at 100,000 entries; figures in the README).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from attest_pipeline.models import Physician
from attest_pipeline.text.fold import Folded, fold, normalise
from attest_pipeline.text.identifiers import find_all_rpps, normalise_rpps, rpps_valid
from attest_pipeline.text.name_reading import signatory_at
from attest_pipeline.text.names import (
    CIVILITIES,
    MARRIED_MARKERS,
    PARTICLES,
    name_key,
    name_readings,
    same_person,
)
from attest_pipeline.text.participant import DEFAULT_MARKERS

#: A family name is looked up as the concatenation of at most this many tokens
#: (``de la Fontaine``: 3; ``Le Goff de la Tour``: 5 is not needed, its pieces are).
_MAX_RUN = 4
#: Tokens that may stand between a family name and the first name of one person
#: (``DUPONT épouse MARTIN Marie``, ``Nom : DUPONT Prénom : Marie``), at most this many.
_MAX_GAP = 4
#: The words of the labels of a name's fields, French and English (a form's fields, one
#: per line: ``Last name : DUPONT`` / ``First name : Marie``).
_FRENCH_LABELS = frozenset({"nom", "prenom", "prenoms", "usage", "naissance"})
_LABEL_GAP = _FRENCH_LABELS | {"last", "first", "given", "family", "surname", "name", "names"}
_GAP_WORDS = CIVILITIES | MARRIED_MARKERS | PARTICLES | _LABEL_GAP
#: An RPPS and a name of the same physician are "near" within this many characters and
#: at most this many line breaks (the same line, or the line below: ``Dr X`` / ``RPPS ...``).
_NEAR_CHARS = 200
_NEAR_LINES = 2
_TOKEN = re.compile(r"[^\W_]+")
#: ``_TOKEN`` as a separator kept: the split of a text alternates what lies between two
#: tokens and the tokens themselves, so that their positions are the sums of the lengths.
_TOKEN_SPLIT = re.compile(r"([^\W_]+)")
#: Runs of digit groups, separated by one space or dot (``100 056 826 03``).
_DIGIT_RUN = re.compile(r"\d+(?:[ .]\d+)*")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Hit:
    """One place where the text names a physician: by RPPS or by full name.

    ``start`` and ``end`` are positions in the text searched; ``evidence`` is the exact
    excerpt; ``page`` the 1-based number of the page it stands on.
    """

    kind: str
    start: int
    end: int
    evidence: str
    page: int


@dataclass(frozen=True, slots=True)
class Sighting:
    """Everything the text says of one physician of the roster: names and RPPS hits."""

    physician: Physician
    names: tuple[Hit, ...]
    rpps: tuple[Hit, ...]

    @property
    def named(self) -> bool:
        """Whether the physician's full name is written."""
        return bool(self.names)

    @property
    def first(self) -> Hit:
        """The earliest hit."""
        return min((*self.names, *self.rpps), key=lambda h: h.start)

    def rpps_with_name(self, text: str) -> tuple[Hit, Hit] | None:
        """The closest RPPS hit and name hit near each other in ``text``, if any."""
        best: tuple[int, Hit, Hit] | None = None
        for number in self.rpps:
            for name in self.names:
                low, high = sorted((number, name), key=lambda h: h.start)
                between = text[low.end : high.start]
                near = len(between) <= _NEAR_CHARS and between.count("\n") < _NEAR_LINES
                if near and (best is None or len(between) < best[0]):
                    best = (len(between), number, name)
        return None if best is None else (best[1], best[2])

    def evidence(self, text: str) -> str:
        """The excerpt that proves this physician is named: RPPS and name, or the name."""
        pair = self.rpps_with_name(text)
        if pair is not None:
            low, high = sorted(pair, key=lambda h: h.start)
            return " ".join(text[low.start : high.end].split())
        return self.first.evidence

    def to_json(self, text: str) -> dict[str, object]:
        """The sighting as shown in records: who, how, where, the evidence quoted."""
        return {
            "rpps": self.physician.rpps,
            "last_name": self.physician.last_name,
            "first_name": self.physician.first_name,
            "by": "rpps+name" if self.rpps_with_name(text) else ("name" if self.named else "rpps"),
            "pages": sorted({h.page for h in (*self.names, *self.rpps)}),
            "evidence": self.evidence(text),
        }


@dataclass(frozen=True, slots=True)
class Designation:
    """Whom the text designates as the participant: ``sighting`` (with ``why``) or nobody.

    ``identified`` are every physician the text identifies on its own; ``ambiguous`` says
    that several of them may be the participant and the wording does not tell which.
    """

    sighting: Sighting | None
    why: str
    identified: tuple[Sighting, ...]
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class RosterEvidence:
    """What the roster search found in one attestation's text.

    :attr:`rpps_printed` says whether the text prints an RPPS; then a name alone does not
    identify the participant.
    """

    text: str
    sightings: tuple[Sighting, ...]
    pages: tuple[int, ...] = ()
    _printed: bool | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def rpps_printed(self) -> bool:
        """Whether the text prints an RPPS.

        After an RPPS label (on the roster or not, valid or not), or a roster physician's
        anywhere. Looked for on first use only: few decisions ask (those that weigh a name
        found alone).
        """
        printed = self._printed
        if printed is None:
            printed = any(s.rpps for s in self.sightings) or bool(find_all_rpps(self.text))
            object.__setattr__(self, "_printed", printed)
        return printed

    def strong(self) -> tuple[Sighting, ...]:
        """The physicians the text identifies on its own.

        By an RPPS with that physician's name near it, or, when no RPPS is printed, by a
        full name.
        """
        return tuple(
            s
            for s in self.sightings
            if s.rpps_with_name(self.text) or (s.named and not self.rpps_printed)
        )

    def designated(self) -> Designation:
        """The participant the text designates among the physicians it identifies.

        A physician named as a signatory (a role on the name's line or a short line
        beside it, ``animée par le Dr``, ``Je soussigné``) is passed over, unless named
        right after a participant marker (``atteste que``, ``certifie la participation
        de``, ``Participant :``...). One physician left is the participant. Among several,
        the wording decides: the only one with the RPPS beside the name, else the only
        one named after a participant marker; else none, and the text is ambiguous. Two
        homonyms standing on the same words are never told apart.
        """
        strong = self.strong()
        left = [s for s in strong if self.after_marker(s) or not self.signatory(s)]
        if len(left) == 1 and not _homonyms(left[0], strong):
            how = "RPPS beside the name" if self.rpps_with_name_of(left[0]) else "full name"
            return Designation(
                left[0], f"the only physician of the roster the text identifies ({how})", strong
            )
        rules = (
            (self.rpps_with_name_of, "the only one with the RPPS beside the name"),
            (self.after_marker, "the one the attestation's wording names as participant"),
        )
        if len(left) > 1:
            for test, why in rules:
                chosen = [s for s in left if test(s)]
                if len(chosen) == 1 and not _homonyms(chosen[0], strong):
                    return Designation(chosen[0], why, strong)
        return Designation(None, "", strong, ambiguous=bool(left))

    def elsewhere(self, chosen: Physician) -> tuple[Sighting, ...]:
        """Other physicians the text identifies on pages where ``chosen`` is not named.

        Several attestations read as one (a PDF of one page per participant, not split)
        show it thus: the other pages identify their own participants. Signatories are
        passed over, as in :meth:`designated`. Nothing on a text of one page.
        """
        if len(set(self.pages)) < 2:
            return ()
        mine = self._pages_of(chosen)
        return tuple(
            s
            for s in self.strong()
            if s.physician != chosen
            and (self.after_marker(s) or not self.signatory(s))
            and not {h.page for h in (*s.names, *s.rpps)} & mine
        )

    def on_first_page(self, chosen: Physician) -> bool:
        """Whether ``chosen`` is named on the text's first page (always, on one page)."""
        return not self.pages or min(self.pages) in self._pages_of(chosen)

    def _pages_of(self, physician: Physician) -> set[int]:
        return {
            h.page for s in self.sightings if s.physician == physician for h in (*s.names, *s.rpps)
        }

    def rpps_with_name_of(self, sighting: Sighting) -> bool:
        """Whether ``sighting`` has its RPPS near its name."""
        return sighting.rpps_with_name(self.text) is not None

    def after_marker(self, sighting: Sighting) -> bool:
        """Whether one of the physician's names follows a participant marker."""
        folded = fold(self.text)
        return any(_after_marker(folded, hit.start) for hit in sighting.names)

    def signatory(self, sighting: Sighting) -> bool:
        """Whether every name of the physician is written as a signatory's."""
        folded = fold(self.text)
        return bool(sighting.names) and all(
            signatory_at(folded, _folded_position(folded, hit.start)) for hit in sighting.names
        )

    def to_json(self) -> list[dict[str, object]]:
        """Every sighting as shown in records."""
        return [s.to_json(self.text) for s in self.sightings]


def _homonyms(chosen: Sighting, strong: Sequence[Sighting]) -> bool:
    """Whether another sighting stands on exactly the same words (two homonyms)."""
    spans = {(h.start, h.end) for h in chosen.names}
    return any(
        other is not chosen and spans & {(h.start, h.end) for h in other.names} for other in strong
    )


_MARKER_BEFORE = re.compile(
    r"(?:"
    + "|".join(
        r"[\s\-'.]*".join(re.escape(w) for w in re.split(r"[\s\-'.]+", fold(m).text) if w).replace(
            r"\(e\)", r"\s*\(\s*e\s*\)"
        )
        for m in sorted(DEFAULT_MARKERS, key=len, reverse=True)
    )
    + r")s?[ \t]*(?::|\.{2,}|…+|_{3,})?[ \t.…:_\-]*"
    + r"(?:(?:"
    # Sorted twice: a set's order changes from process to process, and the pattern with it.
    + "|".join(sorted(sorted(CIVILITIES | {"le", "la", "l"}), key=len, reverse=True))
    + r")\b[ \t.']*)*$"
)


def _folded_position(folded: Folded, position: int) -> int:
    """The folded position of the original ``position`` (the inverse of ``Folded.span``)."""
    if folded.index is None:
        return position
    from bisect import bisect_left

    return bisect_left(folded.index, position)


def _after_marker(folded: Folded, position: int) -> bool:
    """Whether a participant marker ends right before ``position`` (or ends the line above)."""
    at = _folded_position(folded, position)
    text = folded.text
    line_start = text.rfind("\n", 0, at) + 1
    before = text[max(line_start, at - 120) : at]
    if _MARKER_BEFORE.search(before):
        return True
    if before.strip(" \t") and not _only_civilities(before):
        return False
    previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    previous = text[max(previous_start, line_start - 121) : max(line_start - 1, 0)]
    return bool(_MARKER_BEFORE.search(previous.rstrip()))


def _only_civilities(text: str) -> bool:
    words = _TOKEN.findall(text)
    return all(w in CIVILITIES or w in ("le", "la", "l") for w in words)


class RosterIndex:
    """Folded family names and RPPS numbers of a roster, to find them in a text.

    ``_families`` holds every compacted family name the roster's physicians go by,
    ``_starts`` every beginning of one (a run of words that is not one cannot grow into a
    family name), ``_heads`` both; ``_people`` maps ``family|first`` (both compacted) to
    the physicians so named.
    """

    __slots__ = ("_by_rpps", "_families", "_heads", "_people", "_starts")

    def __init__(self, physicians: Iterable[Physician]) -> None:
        self._by_rpps: dict[str, Physician] = {}
        self._people: dict[str, list[Physician]] = {}
        families: set[str] = set()
        for physician in physicians:
            self._by_rpps[physician.rpps] = physician
            key = name_key(physician.last_name, physician.first_name)
            if not key.first:
                continue
            for piece in key.pieces | {key.whole}:
                if len(piece) > 1:
                    families.add(piece)
                    self._people.setdefault(f"{piece}|{key.first}", []).append(physician)
        self._families = frozenset(families)
        self._starts = frozenset(f[:length] for f in families for length in range(1, len(f)))
        self._heads = self._families | self._starts

    def search(self, text: str, pages: Sequence[int] = ()) -> RosterEvidence:
        """Every physician of the roster that ``text`` names, by RPPS or by full name.

        ``pages`` are the numbers of the pages whose texts, separated by form feeds, make
        ``text`` (by default 1, 2...): each hit says on which it stands.
        """

        def page_of(position: int) -> int:
            index = text.count("\f", 0, position)
            return pages[index] if index < len(pages) else index + 1

        folded = fold(text)
        parts = _TOKEN_SPLIT.split(folded.text)
        words = parts[1::2]
        tokens: _Tokens | None = None  # placed once a family name is seen
        names: dict[str, list[Hit]] = {}
        people: dict[str, Physician] = {}
        families, starts, heads = self._families, self._starts, self._heads
        count = len(words)
        # Most words begin no family name: only the others are looked at.
        for index in [i for i, word in enumerate(words) if word in heads]:
            end, run = index, words[index]
            while True:
                if run in families:
                    tokens = tokens or _Tokens(
                        folded.text, words, list(accumulate(map(len, parts)))
                    )
                    for first, span in _first_names(tokens, index, end + 1):
                        for physician in self._people.get(f"{run}|{first}", ()):
                            low, high = folded.span(*tokens.span(*span))
                            hit = Hit("name", low, high, text[low:high], page_of(low))
                            if _reads_as(hit.evidence, physician):
                                people[physician.rpps] = physician
                                names.setdefault(physician.rpps, []).append(hit)
                end += 1
                if run not in starts or end == count or end - index == _MAX_RUN:
                    break
                run += words[end]
        numbers: dict[str, list[Hit]] = {}
        for rpps, start, end in _rpps_runs(text):
            holder = self._by_rpps.get(rpps)
            if holder is not None:
                people[rpps] = holder
                numbers.setdefault(rpps, []).append(
                    Hit("rpps", start, end, text[start:end], page_of(start))
                )
        sightings = tuple(
            Sighting(physician, _merged(names.get(rpps, [])), tuple(numbers.get(rpps, ())))
            for rpps, physician in sorted(
                people.items(),
                key=lambda item: min(
                    h.start for h in (*names.get(item[0], ()), *numbers.get(item[0], ()))
                ),
            )
        )
        numbered = tuple(pages) or tuple(range(1, text.count("\f") + 2))
        return RosterEvidence(text, sightings, numbered)


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The tokens of a folded text: ``words`` (``_TOKEN``'s matches), placed by ``bounds``.

    ``bounds[2 * i]`` and ``bounds[2 * i + 1]`` are where token ``i`` starts and ends.
    """

    folded: str
    words: Sequence[str]
    bounds: Sequence[int]

    def span(self, first: int, end: int) -> tuple[int, int]:
        """Where the tokens ``first`` to ``end`` (excluded) start and end."""
        return self.bounds[2 * first], self.bounds[2 * end - 1]

    def joined_before(self, index: int) -> bool:
        """Whether a hyphen joins token ``index`` to the one before (``Pierre`` in ``Jean-Pierre``).

        ``Pierre`` alone is not the first name written there.
        """
        start, folded = self.bounds[2 * index], self.folded
        return start > 1 and folded[start - 1] == "-" and folded[start - 2].isalnum()

    def joined_after(self, index: int) -> bool:
        """Whether a hyphen joins token ``index`` to the one after (``Jean`` in ``Jean-Pierre``)."""
        end, folded = self.bounds[2 * index + 1], self.folded
        return end + 1 < len(folded) and folded[end] == "-" and folded[end + 1].isalnum()


def _first_names(tokens: _Tokens, start: int, end: int) -> Iterator[tuple[str, tuple[int, int]]]:
    """The possible first names beside the family name ``tokens.words[start:end]``.

    Each is the concatenation of one to four tokens right after the family name, or right
    before it, with up to a few connecting words between (civilities, married-name
    markers, particles, ``Prénom :``), never cut out of a hyphenated name; with the token
    span of the whole name.
    """
    words = tokens.words
    after = end
    for _ in range(_MAX_GAP + 1):
        if after >= len(words) or tokens.joined_before(after):
            break
        run = ""
        for last in range(after, min(after + _MAX_RUN, len(words))):
            run += words[last]
            if not tokens.joined_after(last):
                yield run, (start, last + 1)
        if words[after] not in _GAP_WORDS:
            break
        after += 1
    before = start
    for _ in range(_MAX_GAP + 1):
        if before == 0 or tokens.joined_after(before - 1):
            break
        run = ""
        for first in range(before - 1, max(before - 1 - _MAX_RUN, -1), -1):
            run = words[first] + run
            if not tokens.joined_before(first):
                yield run, (first, end)
        if words[before - 1] not in _GAP_WORDS:
            break
        before -= 1


def _reads_as(excerpt: str, physician: Physician) -> bool:
    """Whether the excerpt, read as a name, is this physician's (the case tells the order)."""
    words = [w for w in excerpt.replace(":", " ").split() if normalise(w) not in _LABEL_GAP]
    return any(
        same_person(r.last_name, r.first_name, physician.last_name, physician.first_name)
        for r in name_readings(" ".join(words))
    )


def _merged(hits: Sequence[Hit]) -> tuple[Hit, ...]:
    """The hits without those contained in another one (a name found from each of its parts)."""
    ordered = sorted(set(hits), key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for hit in ordered:
        if kept and hit.start >= kept[-1].start and hit.end <= kept[-1].end:
            continue
        kept.append(hit)
    return tuple(kept)


def _rpps_runs(text: str) -> list[tuple[str, int, int]]:
    """Every valid RPPS written in ``text`` (also as an IdNatPS or in digit groups)."""
    found: list[tuple[str, int, int]] = []
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < 11:  # fewer digits than an RPPS has
            continue
        offset = run.start()
        groups = [(m.start() + offset, m.end() + offset) for m in _DIGITS.finditer(run.group())]
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += text[groups[last][0] : groups[last][1]]
                if len(digits) > 12:
                    break
                if len(digits) in (11, 12):
                    rpps = normalise_rpps(digits)
                    if rpps_valid(rpps) and _standalone(text, groups[first][0], groups[last][1]):
                        found.append((rpps, groups[first][0], groups[last][1]))
    return found


def _standalone(text: str, start: int, end: int) -> bool:
    """Whether the digits are not glued to other digits (an RPPS inside a SIRET is not one)."""
    return not (start > 0 and text[start - 1].isdigit()) and not (
        end < len(text) and text[end].isdigit()
    )

"""Identification: weighted markers with a noisy-or score, or plain phrases.

Two ways for a data file to say "this document is mine", both fast enough to run for every
issuer on every document:

- ``[identify]`` (:class:`Scorer`): weighted markers, regexes on folded text. Each marker
  found adds its weight to what is still missing to 1 (two markers of 0.6 give 0.84), so
  independent clues strengthen each other without ever reaching certainty. The issuer
  answers only when one of its *anchor* markers is present and the document speaks as an
  attestation; it declines documents that carry the marks of something that is not an
  attestation (``exclude``: an invoice, a convention, a programme, a registration letter);
  and it caps its score when a more specific family's *signature* is present (``defer``),
  which is how "the most specific marker wins" between families (``common.toml``).
- ``[match]`` (:class:`PhraseMatch`): phrases that must all, or at least one, or none be
  present, compared word by word after folding; a fixed score when they match.

The folded window is prepared once per document and shared by the issuers (exclusions and
signatures read when first asked for), the anchors are looked for first so that a document
of another family is declined at once, and every pattern is a
:class:`~attest_pipeline.text.scan.Gated` regex, searched only when the words it needs are
in the text: one :class:`~attest_pipeline.text.scan.Gates` test per issuer tells which of
its markers (and of an exclusion's marks) may be there, and only those are searched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from attest_pipeline.issuers.common import Exclusion, common_rules
from attest_pipeline.issuers.labels import flat, tidy
from attest_pipeline.models import Document, Identification
from attest_pipeline.text.fold import fold, plain_words
from attest_pipeline.text.scan import Gated, Gates, share_scan

__all__ = [
    "Marker",
    "PhraseMatch",
    "Scorer",
    "loose_phrase",
    "matchable",
    "phrase_words",
]


@dataclass(frozen=True, slots=True)
class Marker:
    """One clue of an issuer family: a pattern, its weight, whether it is enough alone.

    ``group`` names markers that the issuer's own Python looks up (congress: its known
    events).
    """

    reason: str
    pattern: Gated
    weight: float
    anchor: bool = False
    case_sensitive: bool = False
    group: str = ""


class Scorer:
    """An issuer's identification by weighted markers (the ``[identify]`` table).

    ``exclusions`` and ``defer`` name rules of ``common.toml``; ``window_pages`` is how many
    leading pages are read, ``max_score`` the highest score it gives.
    """

    def __init__(
        self,
        markers: Sequence[Marker],
        *,
        exclude: Sequence[str] = (),
        defer: Sequence[tuple[str, float]] = (),
        window_pages: int = 4,
        max_score: float = 0.95,
    ) -> None:
        self.markers = tuple(markers)
        # The markers searched in the folded text and those searched as written: each
        # group tells at once which of its markers may be present (their words are).
        self._folded = tuple(i for i, m in enumerate(self.markers) if not m.case_sensitive)
        self._cased = tuple(i for i, m in enumerate(self.markers) if m.case_sensitive)
        self._folded_gates = Gates(self.markers[i].pattern for i in self._folded)
        self._cased_gates = Gates(self.markers[i].pattern for i in self._cased)
        self.exclude = tuple(exclude)
        self.defer = tuple(defer)
        self.window_pages = window_pages
        self.max_score = max_score

    def patterns(self, group: str) -> list[str]:
        """Return the patterns of the markers of ``group``."""
        return [m.pattern.pattern for m in self.markers if m.group == group]

    def identify(self, document: Document) -> Identification | None:
        """Score ``document`` against the markers; ``None`` without an anchor.

        Only the leading pages are read: an attestation says what it is on its first page,
        and a thousand-page PDF must not cost a thousand pages per issuer.
        """
        text = "\f".join(page.text for page in document.pages[: self.window_pages])
        window = _window(text)
        if not window.worded:
            return None
        # Only the markers whose words are in the text are searched: anchors first, so
        # that a document of another family is declined at once.
        present = [self._folded[i] for i in self._folded_gates.which(window.searched)]
        if self._cased:
            present += [self._cased[i] for i in self._cased_gates.which(text)]
            present.sort()
        markers = self.markers
        found: dict[int, str] = {}
        for index in present:
            if markers[index].anchor:
                quoted = window.find(markers[index])
                if quoted is not None:
                    found[index] = quoted
        if not found:
            return None
        exclusions = common_rules().exclusions
        if any(window.excluded(exclusions[name]) for name in self.exclude):
            return None
        for index in present:
            if not markers[index].anchor:
                quoted = window.find(markers[index])
                if quoted is not None:
                    found[index] = quoted
        missing = 1.0
        reasons: list[str] = []
        for index in sorted(found):
            marker = markers[index]
            missing *= 1.0 - marker.weight
            reasons.append(f"{marker.reason}: {tidy(found[index])!r}")
        score = min(self.max_score, 1.0 - missing)
        for name, cap in self.defer:
            signature = window.signature(name)
            if signature is not None and score > cap:
                score = cap
                reasons.append(f"score capped at {cap}: {name} signature {signature!r}")
        return Identification(round(score, 3), tuple(reasons))


class _Window:
    """What every issuer's identification needs of a document's leading pages.

    Built once per text and shared by the issuers (:func:`_window`). ``searched`` is the
    folded text on one line (line breaks as spaces) with denied markers blanked; ``worded``
    whether it speaks as an attestation. Exclusions and signatures are read when an issuer
    first asks for them, then kept.
    """

    __slots__ = ("_excluded", "_signatures", "folded", "searched", "text", "worded")

    def __init__(self, text: str) -> None:
        rules = common_rules()
        self.text = text
        self.folded = folded = fold(text)
        # Phrases broken over two lines ("Agence nationale du\nDéveloppement...") must
        # match: markers read the text with line breaks as spaces (same offsets).
        searched = flat(folded)
        if rules.negations.search(searched):
            # "non éligible au DPC" must not count as a DPC marker: blank it, same length.
            searched = rules.negations.sub(lambda m: " " * len(m.group()), searched)
        self.searched = searched
        self.worded = rules.worded(searched)
        if self.worded:
            # The markers read it on one line, the exclusions and the fields by line.
            share_scan(folded.text, searched)
        self._excluded: dict[int, bool] = {}
        self._signatures: dict[str, str | None] = {}

    def find(self, marker: Marker) -> str | None:
        """Return the text of the marker's first match, or ``None``."""
        if marker.case_sensitive:
            match = marker.pattern.search(self.text)
            return None if match is None else match.group()
        match = marker.pattern.search(self.searched)
        return None if match is None else self.folded.excerpt(match.start(), match.end())

    def excluded(self, exclusion: Exclusion) -> bool:
        """Say whether the text carries the marks of ``exclusion`` (not an attestation)."""
        known = self._excluded.get(id(exclusion))
        if known is None:
            # Exclusions read lines ("^Article 1"): the folded text with its line breaks.
            lined = self.folded.text
            patterns = exclusion.patterns
            present = _gates(patterns).which(lined)
            marks = 0
            if len(present) >= exclusion.minimum:
                for index in present:
                    if patterns[index].search(lined) is not None:
                        marks += 1
                        if marks >= exclusion.minimum:
                            break
            known = marks >= exclusion.minimum and not (
                exclusion.unless is not None and exclusion.unless.search(lined) is not None
            )
            self._excluded[id(exclusion)] = known
        return known

    def signature(self, name: str) -> str | None:
        """Return the text of family ``name``'s signature when present."""
        if name not in self._signatures:
            match = common_rules().signature(name, self.searched)
            self._signatures[name] = (
                None if match is None else tidy(self.folded.excerpt(match.start(), match.end()))
            )
        return self._signatures[name]


@lru_cache(maxsize=64)
def _gates(patterns: tuple[Gated, ...]) -> Gates:
    """The :class:`Gates` of ``patterns`` (of an exclusion: a few, kept for good)."""
    return Gates(patterns)


@lru_cache(maxsize=16)
def _window(text: str) -> _Window:
    """Prepare ``text`` once for all the issuers that identify it (cached)."""
    return _Window(text)


# ------------------------------------------------------------------------------ phrases

@lru_cache(maxsize=16)
def phrase_words(text: str) -> str:
    """Reduce a text to its folded words between single spaces, padded with spaces.

    A phrase in the same form (``phrase_words(phrase)``) is then found with a plain
    substring search, a hundred times faster than a regex: every phrase-matching issuer's
    ``identify`` runs on every document. Cached, because every such issuer asks for the
    same document's words in turn.
    """
    return f" {plain_words(text)} "


def loose_phrase(phrase: str) -> str:
    """Return a regex source finding ``phrase`` in folded text, as :func:`phrase_words` does.

    Case, accents, spacing and punctuation between the words do not matter.
    """
    body = r"[\W_]+".join(re.escape(word) for word in plain_words(phrase).split())
    return rf"(?<![^\W_]){body}(?![^\W_])"


def matchable(phrase: str) -> bool:
    """Tell whether ``phrase`` holds a letter or a digit (a phrase that can be matched)."""
    return bool(plain_words(phrase))


class PhraseMatch:
    """An issuer's identification by phrases (the ``[match]`` table).

    It answers ``score`` when every ``all`` phrase, at least one ``any`` phrase (when given)
    and no ``none`` phrase are present, and declines otherwise; the reasons begin with
    ``source`` (``template acme.toml``) and list the phrases found.
    """

    def __init__(
        self,
        source: str,
        score: float,
        all_: Sequence[str] = (),
        any_: Sequence[str] = (),
        none: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.score = score
        self.all = tuple(all_)
        self.any = tuple(any_)
        self.none = tuple(none)
        self._all_words = tuple(phrase_words(p) for p in self.all)
        self._any_words = tuple(phrase_words(p) for p in self.any)
        self._none_words = tuple(phrase_words(p) for p in self.none)
        self._all_patterns = tuple(re.compile(loose_phrase(p)) for p in self.all)
        self._any_patterns = tuple(re.compile(loose_phrase(p)) for p in self.any)

    def identify(self, document: Document) -> Identification | None:
        """Match when every ``all`` phrase, one ``any`` phrase and no ``none`` phrase is found."""
        words = phrase_words(document.text)
        if any(phrase in words for phrase in self._none_words):
            return None
        if not all(phrase in words for phrase in self._all_words):
            return None
        reasons = [f"found {phrase!r}" for phrase in self.all]
        if self._any_words:
            hit = next(
                (p for p, w in zip(self.any, self._any_words, strict=True) if w in words), None
            )
            if hit is None:
                return None
            reasons.append(f"found {hit!r}")
        return Identification(self.score, (self.source, *reasons))

    def quoted(self, text: str) -> str:
        """Quote the phrases that identified ``text``, as written in it (a constant's evidence)."""
        folded = fold(text)
        excerpts = []
        for pattern in self._all_patterns:
            if match := pattern.search(folded.text):
                excerpts.append(folded.excerpt(match.start(), match.end()))
        for pattern in self._any_patterns:
            if match := pattern.search(folded.text):
                excerpts.append(folded.excerpt(match.start(), match.end()))
                break
        return "; ".join(excerpts) or self.source

"""Machinery shared by the built-in issuer plugins: data files, scoring, labels, splitting.

The plugins keep their policy (keywords, labels, weights, which family defers to which) in
TOML files beside this module (``data/*.toml``); this module turns those files into
precompiled matchers. Matching runs on the text folded by
:func:`attest_pipeline.text.fold.fold` (lower case, no accents, plain apostrophes and
dashes), and whatever is found is quoted as evidence from the document's own text.

Identification is a noisy-or of weighted markers: each marker found adds its weight to what
is still missing to 1 (two markers of 0.6 give 0.84), so independent clues strengthen each
other without ever reaching certainty. A plugin answers only when one of its *anchor*
markers is present and the document speaks as an attestation; it declines documents that
carry the marks of something that is not an attestation (an invoice, a convention, a
programme, a registration letter); and it caps its score when a more
specific family's *signature* is present, which is how "the most specific marker wins"
between families (see ``data/common.toml``).

Identification must cost next to nothing, since every plugin is asked about every document:
the folded window is prepared once per document and shared by the plugins (exclusions and
signatures read when first asked for), the anchors are looked for first so that a document
of another family is declined at once, and every pattern is a
:class:`~attest_pipeline.text.scan.Gated` regex, searched only when the words it needs are
in the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar

from attest_pipeline.contract import API_VERSION, Issuer
from attest_pipeline.models import Document, Found, Identification, Nature, Word
from attest_pipeline.text.dates import find_labelled_date, find_period
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.identifiers import find_rpps
from attest_pipeline.text.names import DEFAULT_MARKERS, find_name_fields, find_person, name_keys
from attest_pipeline.text.scan import Gated, gated

__all__ = [
    "COMMON",
    "Labels",
    "NatureRules",
    "Organisations",
    "People",
    "Person",
    "Phrases",
    "Scorer",
    "Titles",
    "compile_folded",
    "excerpt",
    "fold",
    "line_span",
    "load_data",
    "tidy",
    "year_span",
]


def compile_folded(patterns: Iterable[str]) -> Gated:
    """Compile one regex matching any of ``patterns`` (written for folded text).

    The regex is gated (:class:`~attest_pipeline.text.scan.Gated`): searched only in texts
    holding the strings it needs, so that absent markers cost next to nothing.
    """
    return gated("|".join(f"(?:{p})" for p in patterns), re.MULTILINE)


def load_data(name: str) -> dict[str, Any]:
    """Parse the ``data/<name>.toml`` file shipped beside the plugins."""
    path = resources.files("attest_plugins").joinpath("data", f"{name}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


COMMON = load_data("common")
SIGNATURES: dict[str, Gated] = {
    name: compile_folded(patterns) for name, patterns in COMMON["signatures"].items()
}
_NEGATIONS = compile_folded(COMMON["negations"]["patterns"])
_OPENING = compile_folded(COMMON["split"]["opening"])
_WORDING = compile_folded(COMMON["wording"]["patterns"])
_SPEAKS = compile_folded(COMMON["split"]["speaks"])
# A participant found as a bare "Dr X", without a marker before it.
_DOCTOR = re.compile(r"(?:dr|docteur|docteure)\b")


# --------------------------------------------------------------------------- evidence


def excerpt(folded: Folded, start: int, end: int) -> str:
    """Return the original text behind the folded span ``[start, end)``, stripped."""
    return folded.excerpt(start, end).strip()


def line_span(text: str, position: int) -> tuple[int, int]:
    """Return the offsets of the line holding ``position``."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def tidy(value: str) -> str:
    """Return a value read over several lines as one line, without quotes or end punctuation.

    Typographic quotes around a name (``le DU « Soins palliatifs »``) are dropped.
    """
    value = re.sub(r"\s+", " ", re.sub(r"[«»“”]", " ", value)).strip()
    return value.strip(" \"':;,.-–").strip()


@lru_cache(maxsize=64)
def _flat_text(text: str) -> str:
    return text.replace("\n", " ")


def _flat(folded: Folded) -> str:
    """Return the folded text on one line: line breaks as spaces, same offsets (cached)."""
    return _flat_text(folded.text)


def year_span(year: int) -> tuple[date, date]:
    """Return the first and last day of a calendar year."""
    return date(year, 1, 1), date(year, 12, 31)


# ---------------------------------------------------------------------- identification


@dataclass(frozen=True, slots=True)
class Marker:
    """One clue of an issuer family: a pattern, its weight, whether it is enough alone."""

    reason: str
    pattern: Gated
    weight: float
    anchor: bool
    case_sensitive: bool


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Marks of a document that is not an attestation (invoice, convention, programme)."""

    patterns: tuple[Gated, ...]
    minimum: int
    unless: Gated | None


EXCLUSIONS: dict[str, Exclusion] = {
    name: Exclusion(
        patterns=tuple(gated(p, re.MULTILINE) for p in item["patterns"]),
        minimum=int(item.get("min", 1)),
        unless=compile_folded(item["unless"]) if item.get("unless") else None,
    )
    for name, item in COMMON["exclusions"].items()
}


class Scorer:
    """A plugin's identification rules, read from the ``[identify]`` table of its data file.

    Keys: ``markers`` (``reason``, ``pattern``, ``weight``, ``anchor``, ``case_sensitive``),
    ``exclude`` (names of ``common.toml`` exclusions), ``defer`` (``signature`` and ``cap``),
    ``window_pages`` (how many leading pages are read), ``max_score``.
    """

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.markers = tuple(
            Marker(
                reason=item["reason"],
                pattern=gated(item["pattern"], re.MULTILINE),
                weight=float(item["weight"]),
                anchor=bool(item.get("anchor", False)),
                case_sensitive=bool(item.get("case_sensitive", False)),
            )
            for item in table["markers"]
        )
        self.exclusions = tuple(EXCLUSIONS[name] for name in table.get("exclude", ()))
        self.defer = tuple(
            (str(item["signature"]), float(item["cap"])) for item in table.get("defer", ())
        )
        unknown = {name for name, _ in self.defer} - SIGNATURES.keys()
        if unknown:
            raise ValueError(f"unknown signatures in defer: {sorted(unknown)}")
        self.window_pages = int(table.get("window_pages", 4))
        self.max_score = float(table.get("max_score", 0.95))

    def identify(self, document: Document) -> Identification | None:
        """Score ``document`` against the markers; ``None`` when no anchor is found.

        Only the leading pages are read: an attestation says what it is on its first page,
        and a thousand-page PDF must not cost a thousand pages per plugin. The anchors are
        looked for first, so that a document of another family is declined at once.
        """
        text = "\f".join(page.text for page in document.pages[: self.window_pages])
        window = _window(text)
        if not window.worded:
            return None
        found: dict[int, str] = {}
        for index, marker in enumerate(self.markers):
            if marker.anchor:
                quoted = window.find(marker)
                if quoted is not None:
                    found[index] = quoted
        if not found or any(window.excluded(e) for e in self.exclusions):
            return None
        for index, marker in enumerate(self.markers):
            if not marker.anchor:
                quoted = window.find(marker)
                if quoted is not None:
                    found[index] = quoted
        missing = 1.0
        reasons: list[str] = []
        for index, marker in enumerate(self.markers):
            if index in found:
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
    """What every plugin's identification needs of a document's leading pages.

    Built once per text and shared by the plugins (:func:`_window`). ``searched`` is the
    folded text on one line (line breaks as spaces) with denied markers blanked; ``worded``
    whether it speaks as an attestation. Exclusions and signatures are read when a plugin
    first asks for them, then kept.
    """

    __slots__ = ("_excluded", "_signatures", "folded", "searched", "text", "worded")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = folded = fold(text)
        # Phrases broken over two lines ("Agence nationale du\nDéveloppement...") must
        # match: markers read the text with line breaks as spaces (same offsets).
        searched = _flat(folded)
        if _NEGATIONS.search(searched):
            # "non éligible au DPC" must not count as a DPC marker: blank it, same length.
            searched = _NEGATIONS.sub(lambda m: " " * len(m.group()), searched)
        self.searched = searched
        self.worded = _WORDING.search(searched) is not None
        self._excluded: dict[Exclusion, bool] = {}
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
        known = self._excluded.get(exclusion)
        if known is None:
            # Exclusions read lines ("^Article 1"): the folded text with its line breaks.
            lined = self.folded.text
            marks = 0
            for pattern in exclusion.patterns:
                if pattern.search(lined) is not None:
                    marks += 1
                    if marks >= exclusion.minimum:
                        break
            known = marks >= exclusion.minimum and not (
                exclusion.unless is not None and exclusion.unless.search(lined) is not None
            )
            self._excluded[exclusion] = known
        return known

    def signature(self, name: str) -> str | None:
        """Return the text of family ``name``'s signature when present."""
        if name not in self._signatures:
            match = SIGNATURES[name].search(self.searched)
            self._signatures[name] = (
                None if match is None else tidy(self.folded.excerpt(match.start(), match.end()))
            )
        return self._signatures[name]


@lru_cache(maxsize=16)
def _window(text: str) -> _Window:
    """Prepare ``text`` once for all the plugins that identify it (cached)."""
    return _Window(text)


# ----------------------------------------------------------------------------- labels

# A line starting with a field's label and a colon (folded text): another field, not the
# rest of a value broken over lines.
_LABEL_LINE = re.compile(
    r"^[ \t]*(?:" + "|".join(COMMON["labels"]["words"]) + r")(?!\w)[^:\n]{0,40}:",
    re.MULTILINE,
)
# A label with nothing after its colon.
_EMPTY_LABEL = re.compile(r"^[^:\n]{1,45}:[ \t]*$")
# Words after which a title obviously goes on (a line broken inside a title).
_DANGLING = re.compile(
    r"(?:\b(?:de|du|des|d'|la|le|les|l'|et|ou|en|a|au|aux|pour|par|sur|dans|avec|chez)|[,:(-])$"
)


def continued(folded: Folded, end: int, limit: int = 2, *, wrapped: bool = False) -> int:
    """Extend a value ending at ``end`` (folded offset) over lines broken inside it.

    A next line continues the value when the current one ends on a dangling word (``de``,
    ``et``, a comma...) or when the next starts in lower case, and it is not a label line.
    With ``wrapped`` (a name inside a paragraph), a long line without final punctuation
    goes on too: the paragraph was wrapped there.
    """
    text = folded.text
    for _ in range(limit):
        if end >= len(text) or text[end] != "\n":
            break
        next_end = text.find("\n", end + 1)
        next_end = len(text) if next_end < 0 else next_end
        line = folded.excerpt(end + 1, next_end).strip()
        if not line or _LABEL_LINE.match(text, end + 1) or "\f" in text[end:next_end]:
            break
        current = text[text.rfind("\n", 0, end) + 1 : end].rstrip()
        paragraph = wrapped and len(current) >= _WRAPPED_LINE and current[-1:] not in ".:;!?"
        if not (_DANGLING.search(current) or line[0].islower() or paragraph):
            break
        end = next_end
    return end


# A line at least this long, in a paragraph, was wrapped by the layout rather than ended.
_WRAPPED_LINE = 70


class Labels:
    """Find the value written after one of several labels, in text or, if need be, by layout.

    ``labels`` are regexes for folded text. A value is read on the label's line after a
    colon or a dot leader (``Intitulé : ...``, ``Type ..... EPP``), right after a label
    ending in ``n°`` (``Diplôme n° 42``), or on the next line after a label alone on its
    line (a sidebar: ``FORMATION`` / ``Prévention du burn-out``). ``cells`` are labels
    specific enough to be followed by their value without a colon (the next cell of a
    grid: ``Intitulé de la formation Dermatologie pratique``); the value must then start
    with a capital, in a line that is not all capitals. A label standing alone while its
    value was drawn in another column is read with the words' positions
    (:meth:`find_by_layout`). With ``multiline``, a value broken over lines is read whole.
    """

    def __init__(
        self, labels: Sequence[str], *, cells: Sequence[str] = (), multiline: bool = False
    ) -> None:
        alternatives = "|".join(f"(?:{label})" for label in (*labels, *cells)) or r"(?!x)x"
        head = rf"^[ \t]*(?P<label>{alternatives})(?!\w)[ \t]*(?:\([^)\n]{{0,30}}\))?[ \t]*"
        leader = r"(?:\.{3,}|…+)"
        self.pattern = gated(
            rf"{head}(?:[:=][ \t]*(?P<next>\n)?|(?P<under>\n)|{leader}[ \t]*|(?<=°)[ \t]*)"
            r"(?P<value>[^\n]*)",
            re.MULTILINE,
        )
        cell_labels = "|".join(f"(?:{label})" for label in cells)
        self.cell = (
            gated(rf"^[ \t]*(?P<label>{cell_labels})[ \t]+(?P<value>[^\s:=.…][^\n]*)", re.M)
            if cells
            else None
        )
        # A label alone on its line: its value was drawn in another column.
        self.alone = gated(rf"{head}[:=]?[ \t]*$", re.MULTILINE)
        # In a row of words: the label, then a colon or the gap of a table's column.
        self.row = re.compile(rf"{head}(?P<colon>[:=]|{leader})?[ \t]*")
        self.multiline = multiline

    def find(self, folded: Folded) -> Found[str] | None:
        """Return the first non-empty value after a label, with the label line as evidence."""
        text = folded.text
        for match in self.pattern.finditer(text):
            start, end = match.start("value"), match.end("value")
            raw = folded.excerpt(start, end).strip()
            if not raw or _EMPTY_LABEL.match(raw):
                continue
            # A value on the next line: not when that line is another field, nor in a
            # column of labels, where the line below is another row's value.
            if (match.group("next") or match.group("under")) and (
                _LABEL_LINE.match(text, start) or _in_label_column(text, match.start())
            ):
                continue
            found = self._value(folded, match, end)
            if found is not None:
                return found
        for match in self.cell.finditer(text) if self.cell is not None else ():
            line = folded.excerpt(*line_span(text, match.start()))
            value = folded.excerpt(match.start("value"), match.end("value")).lstrip()
            if value[:1].isupper() and any(c.islower() for c in line):
                found = self._value(folded, match, match.end("value"))
                if found is not None:
                    return found
        return None

    def _value(self, folded: Folded, match: re.Match[str], end: int) -> Found[str] | None:
        start = match.start("value")
        if self.multiline:
            end = _quoted_end(folded.text, start, continued(folded, end))
        value = tidy(folded.excerpt(start, end))
        return Found(value, excerpt(folded, match.start("label"), end)) if value else None

    def present(self, folded: Folded) -> bool:
        """Tell whether a label stands alone on its line: its value needs the layout."""
        return self.alone.search(folded.text) is not None

    def find_by_layout(self, document: Document, gap: float = 12.0) -> Found[str] | None:
        """Return the words right of a label on its row, for grids and scrambled tables.

        The value must be separated from the label by a colon or by a column's gap
        (``gap`` points), so that a sentence starting with a label's word is not a value.
        With ``multiline``, the rows below that start in the value's column and have
        nothing left of it continue the value.
        """
        for page in document.pages:
            if not self.present(fold(page.text)):
                continue
            table = rows(document.words(page.number))
            for index, row in enumerate(table):
                joined = " ".join(w.text for w in row)
                match = self.row.match(fold(joined).text)
                if match is None:
                    continue
                position, right, label_end = 0, [], None
                for word in row:
                    if position >= match.end():
                        right.append(word)
                    elif position < match.end("label"):
                        label_end = word.x1
                    position += len(word.text) + 1
                if not right or label_end is None:
                    continue
                if match.group("colon") is None and right[0].x0 - label_end < gap:
                    continue
                lines = [" ".join(w.text for w in right)]
                if self.multiline:
                    column = right[0].x0
                    for below in table[index + 1 : index + 3]:
                        if abs(below[0].x0 - column) > 3:
                            break
                        lines.append(" ".join(w.text for w in below))
                value = tidy(" ".join(lines))
                if value:
                    return Found(value, "\n".join([joined, *lines[1:]]))
        return None

    def lookup(self, document: Document, folded: Folded) -> Found[str] | None:
        """Run :meth:`find`, then :meth:`find_by_layout` when a label stands alone."""
        result = self.find(folded)
        if result is None and self.present(folded):
            result = self.find_by_layout(document)
        return result


def _quoted_end(text: str, start: int, end: int) -> int:
    """End a value that opens with a quote at its closing quote (the sentence goes on)."""
    opening = re.match(r"\s*[«\"“]", text[start:end])
    if opening is None:
        return end
    closing = re.search(r"[»\"”]", text[start + opening.end() : end])
    return end if closing is None else start + opening.end() + closing.end()


def _in_label_column(text: str, position: int) -> bool:
    """Tell whether the line before ``position`` is a label without its value."""
    if position == 0:
        return False
    start, end = line_span(text, position - 1)
    return bool(_EMPTY_LABEL.match(text[start:end]))


def rows(words: Sequence[Word], tolerance: float = 3.0) -> list[list[Word]]:
    """Group words into visual rows (same top within ``tolerance``), left to right."""
    result: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if result and abs(result[-1][0].top - word.top) <= tolerance:
            result[-1].append(word)
        else:
            result.append([word])
    for row in result:
        row.sort(key=lambda w: w.x0)
    return result


# ------------------------------------------------------------------------------ people


@dataclass(frozen=True, slots=True)
class Person:
    """Who the attestation is about: the name as written, its parts when labelled, RPPS."""

    participant: Found[str] | None = None
    last_name: Found[str] | None = None
    first_name: Found[str] | None = None
    rpps: Found[str] | None = None


class People:
    """The participant and the dates, read the same way in every family.

    Reads from a plugin's data file ``[participant] markers`` (phrases before the name, in
    addition to the text helpers' own) and ``[dates] start`` / ``end`` (labels of dates).
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        extra = tuple(data.get("participant", {}).get("markers", ()))
        self.markers = (*DEFAULT_MARKERS, *(m for m in extra if m not in DEFAULT_MARKERS))
        dates = data.get("dates", {})
        self.start_labels: tuple[str, ...] = tuple(dates.get("start", ()))
        self.end_labels: tuple[str, ...] = tuple(dates.get("end", ()))

    def person(self, text: str) -> Found[str] | None:
        """Return the participant's name as written."""
        return find_person(text, self.markers)

    def read(self, text: str) -> Person:
        """Return the participant, the parts of the name when labelled, and the RPPS."""
        fields = find_name_fields(text)
        return Person(
            participant=self.person(text),
            last_name=fields[0] if fields else None,
            first_name=fields[1] if fields else None,
            rpps=find_rpps(text),
        )

    def period(
        self, text: str, *, running: bool = True
    ) -> tuple[Found[date] | None, Found[date] | None]:
        """Return the first and last day: labelled dates, else the period in running text.

        With ``running`` false only labelled dates are taken (a university's jury date).
        """
        start = find_labelled_date(text, self.start_labels) if self.start_labels else None
        end = find_labelled_date(text, self.end_labels) if self.end_labels else None
        if start is not None and end is not None:
            return start, end
        if running:
            span = find_period(text)
            if span is not None:
                return (
                    start or Found(span.start, span.evidence),
                    end or Found(span.end, span.evidence),
                )
        return start, end

    def split(self, document: Document) -> list[list[int]] | None:
        """Return page groups of a PDF holding one attestation per participant, or ``None``.

        A page opens an attestation when it names a participant and either carries an
        attestation's heading or names, after a marker (``certifie que``, ``Participant :``),
        someone else than the attestation in progress; a bare ``Dr X`` without heading (a
        speaker, a signatory, a cover letter's addressee) does not open one. Pages without a
        participant continue the previous attestation; pages before the first (a cover
        letter) are left out, also when the PDF holds one attestation behind them, unless
        they carry an attestation's heading or say what one says (``atteste que``, ``a
        participé``; data ``[split] speaks``): then they are read as an
        attestation of their own (a person decides when nothing is read). Text only: fast
        on a thousand pages.
        """
        if len(document.pages) < 2:
            return None
        groups: list[list[int]] = []
        current: frozenset[str] = frozenset()
        leading: list[int] = []
        leading_heading = False
        for page in document.pages:
            heading = _OPENING.search(fold(page.text).text) is not None
            who = self.person(page.text)
            if who is not None:
                name = name_keys(who.value)
                marked = _DOCTOR.match(fold(who.evidence).text) is None
                # A bare "Dr X" opens nothing, not even the first attestation: on a cover
                # letter it is the addressee ("Docteur Claire MARTIN, 12 rue des Lilas").
                if heading or (marked and (not groups or name != current)):
                    groups.append([page.number])
                    current = name
                    continue
            if groups:
                groups[-1].append(page.number)
            else:
                leading.append(page.number)
                # An attestation whose participant could not be read (a poor scan) must
                # not be left out unseen: only pages that do not speak as one are.
                speaks = _SPEAKS.search(fold(page.text).text) is not None
                leading_heading = leading_heading or heading or speaks
        if leading and leading_heading and groups:
            groups.insert(0, leading)  # read, and sent to a person if nothing is found
        if len(groups) > 1:
            return groups
        # One attestation behind pages that are none (a cover letter): read it alone.
        if groups and groups[0][0] != document.pages[0].number:
            return groups
        return None


# ----------------------------------------------------------------------------- nature


class NatureRules:
    """Which :class:`Nature` a text states, from ordered keyword rules (``[[nature]]``).

    A labelled value (``Type d'action : EPP``) decides first; short forms (``label_only``,
    such as ``FC`` or ``GDR``) are trusted only there. Otherwise a rule marked ``first``
    wins wherever it appears (a *programme intégré* names the types it combines), then the
    earliest nature stated in the text, except that a line naming three of the other
    natures is a legend listing the possible types and is skipped.
    """

    def __init__(
        self,
        rules: Sequence[Mapping[str, Any]],
        labels: Sequence[str],
        cells: Sequence[str] = (),
    ) -> None:
        self.rules = tuple(
            (
                Nature(rule["value"]),
                compile_folded(rule["patterns"]),
                compile_folded([*rule["patterns"], *rule.get("label_only", ())]),
                bool(rule.get("first", False)),
            )
            for rule in rules
        )
        self.labels = Labels(labels, cells=cells)

    def classify(self, value: str) -> Nature | None:
        """Return the first nature whose keywords (short forms included) are in ``value``."""
        folded = fold(value).text
        for nature, _, labelled, _ in self.rules:
            if labelled.search(folded):
                return nature
        return None

    def find(self, document: Document, folded: Folded) -> Found[Nature] | None:
        """Return the nature the attestation states, with the line it was read from."""
        labelled = self.labels.lookup(document, folded)
        if labelled is not None:
            nature = self.classify(labelled.value)
            if nature is not None:
                return Found(nature, labelled.evidence)
        text = folded.text
        flat = _flat(folded)
        best: tuple[int, Nature, int, int] | None = None
        for nature, pattern, _, first in self.rules:
            for match in pattern.finditer(flat):
                start, end = line_span(text, match.start())
                line = text[start:end]
                if sum(1 for rule in self.rules if not rule[3] and rule[1].search(line)) >= 3:
                    continue
                if first:
                    return Found(nature, excerpt(folded, start, end))
                if best is None or match.start() < best[0]:
                    best = (match.start(), nature, start, end)
                break
        if best is None:
            return None
        return Found(best[1], excerpt(folded, best[2], best[3]))


# ---------------------------------------------------------------- titles and names


def _has_words(value: str, count: int = 3) -> bool:
    return re.search(rf"[^\W\d_]{{{count}}}", value) is not None


class Titles:
    """The title of the action: a labelled value, else a quoted title after a trigger word.

    Reads the ``[title]`` table of a data file: ``labels`` and ``cells`` (see
    :class:`Labels`), ``triggers`` (words after which
    a quoted title follows: « intitulée "..." »), ``phrases`` (regexes on folded text whose
    ``value`` group starts a title running to the end of its line: « a suivi l'action ... »)
    ``cut`` (regexes where a title read to the end of its line stops: « qui s'est
    déroulée ») and ``strip`` (a regex removed from the start of the value: an action
    number).
    """

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.labels = Labels(table.get("labels", ()), cells=table.get("cells", ()), multiline=True)
        self.phrases = tuple(gated(p, re.MULTILINE) for p in table.get("phrases", ()))
        cut = table.get("cut", ())
        self.cut = compile_folded(cut) if cut else None
        triggers = "|".join(f"(?:{t})" for t in table.get("triggers", ()))
        self.quoted = (
            gated(
                rf"(?:{triggers})[^«\"“\f]{{0,60}}?[«\"“]\s*(?P<value>[^»\"”\f]{{3,300}}?)\s*[»\"”]"
            )
            if triggers
            else None
        )
        strip = table.get("strip")
        self.strip = re.compile(strip) if strip else None

    def _clean(self, found: Found[str]) -> Found[str] | None:
        value = found.value
        if self.cut is not None:
            # A title read to the end of its line may run into the sentence after it.
            folded_value = fold(value)
            stop = self.cut.search(folded_value.text)
            if stop is not None and stop.start() > 0:
                value = tidy(folded_value.excerpt(0, stop.start()))
        if self.strip is not None:
            folded_value = fold(value)
            match = self.strip.match(folded_value.text)
            if match is not None:
                value = tidy(folded_value.excerpt(match.end(), len(folded_value.text)))
        return Found(value, found.evidence) if _has_words(value) else None

    def find(self, document: Document, folded: Folded) -> Found[str] | None:
        """Return the title, with the label line or the quoted passage as evidence."""
        labelled = self.labels.lookup(document, folded)
        if labelled is not None:
            cleaned = self._clean(labelled)
            if cleaned is not None:
                return cleaned
        if self.quoted is not None:
            for match in self.quoted.finditer(folded.text):
                value = tidy(folded.excerpt(match.start("value"), match.end("value")))
                cleaned = self._clean(Found(value, excerpt(folded, match.start(), match.end())))
                if cleaned is not None:
                    return cleaned
        for pattern in self.phrases:
            for match in pattern.finditer(folded.text):
                end = continued(folded, line_span(folded.text, match.start("value"))[1])
                value = tidy(folded.excerpt(match.start("value"), end))
                cleaned = self._clean(Found(value, excerpt(folded, match.start(), end)))
                if cleaned is not None:
                    return cleaned
        return None


class Phrases:
    """Names that start with a keyword and run to the end of a phrase.

    ``start`` are regexes on folded text where a name begins (``congres``, ``groupe de
    pairs``, with an optional ordinal before), ``start_case`` the same on the text as
    written (abbreviations such as ``DU``, told from a word by their capitals). A keyword
    may be broken over two lines (``Diplôme`` / ``d'Université ...``). A name runs to the
    end of the line where its keyword ends, over a broken line, and is cut before the
    first ``cut`` regex
    (``qui s'est tenu``, ``le 12``, a comma...). A keyword alone (``Attestation de présence
    au congrès``) is no name; with ``heading``, a name filling its line is a heading that
    the next line completes (``DIPLÔME D'UNIVERSITÉ`` / ``Échographie``, ``CAPACITÉ DE
    MÉDECINE`` / ``Gérontologie``).
    """

    def __init__(
        self,
        start: Sequence[str],
        cut: Sequence[str],
        *,
        start_case: Sequence[str] = (),
        min_tail: int = 3,
        heading: bool = False,
    ) -> None:
        self.heading = heading
        self.start = compile_folded(start)
        self.start_case = compile_folded(start_case) if start_case else None
        self.cut = compile_folded(cut)
        self.min_tail = min_tail

    def find_all(self, folded: Folded) -> list[Found[str]]:
        """Return every name found, in reading order."""
        text = folded.text
        # A keyword broken over two lines ("Diplôme\nd'Université") still opens a name:
        # keywords are matched with line breaks as spaces (same offsets).
        spans = [(m.start(), m.end()) for m in self.start.finditer(_flat(folded))]
        if self.start_case is not None:
            spans.extend(_case_spans(self.start_case, folded))
        result = []
        for begin, keyword_end in sorted(spans):
            line_start = line_span(text, begin)[0]
            end = line_span(text, max(begin, keyword_end - 1))[1]
            if (
                self.heading
                and not text[line_start:begin].strip()
                and not self.cut.search(text, keyword_end, end)
            ):
                end = _heading_name(folded, end)
            # A name that starts inside a paragraph may run onto the next line.
            end = continued(folded, end, wrapped=bool(text[line_start:begin].strip()))
            stop = self.cut.search(text, keyword_end, end)
            if stop is not None:
                end = stop.start()
            if len(tidy(folded.excerpt(keyword_end, end))) >= self.min_tail:
                result.append(Found(tidy(folded.excerpt(begin, end)), excerpt(folded, begin, end)))
        return result

    def find(self, folded: Folded) -> Found[str] | None:
        """Return the first name found."""
        names = self.find_all(folded)
        return names[0] if names else None


def _heading_name(folded: Folded, end: int) -> int:
    """Return the end of the line after a heading when it reads as the heading's name."""
    text = folded.text
    if end >= len(text) or text[end] != "\n":
        return end
    next_end = text.find("\n", end + 1)
    next_end = len(text) if next_end < 0 else next_end
    line = text[end + 1 : next_end].strip()
    if not line or len(line) > 90 or _LABEL_LINE.match(line) or _SENTENCE.search(line):
        return end
    return next_end


# Words of a sentence about the attestation rather than a name.
_SENTENCE = re.compile(
    r"\b(?:certifie|atteste|soussigne|attestation|a (?:ete|obtenu|suivi|participe)|ne le|nee le)\b"
)


def _case_spans(pattern: Gated, folded: Folded) -> list[tuple[int, int]]:
    """Folded spans of matches of ``pattern`` on the original text."""
    if folded.index is None:
        return [(m.start(), m.end()) for m in pattern.finditer(folded.original)]
    back = {original: position for position, original in reversed(list(enumerate(folded.index)))}
    spans = []
    for match in pattern.finditer(folded.original):
        if match.start() in back:
            end = back.get(match.end(), len(folded.text))
            spans.append((back[match.start()], end))
    return spans


class Organisations:
    """The issuing organisation's name as written: labelled, in a phrase, or the letterhead.

    Reads the ``[issuer]`` table of a data file: ``labels``; ``sentences``, regexes with a
    ``name`` group matched on the folded text as one line (a sentence naming the
    organisation, broken anywhere); ``patterns``, the same matched line by line (``^`` and
    ``$`` are a line's ends); and ``letterhead``, regexes of words that make the first line
    of the document an organisation's name (``formation``, ``institut``...).
    """

    # "FORMEDIC SAS (ODPC n° 1234)", "MEDIFORM - ODPC 4321": the registration is no name.
    _REGISTRATION = re.compile(
        r"\s*(?:\([^)]*\b(?:odpc|n°|no|siret|nda)\b[^)]*\)?|[-–,]\s*(?:odpc|organisme dpc|n°|"
        r"siret|nda)\b.*)\s*$",
        re.IGNORECASE,
    )

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.labels = Labels(table.get("labels", ()))
        self.sentences = tuple(gated(p) for p in table.get("sentences", ()))
        self.patterns = tuple(gated(p, re.MULTILINE) for p in table.get("patterns", ()))
        letterhead = table.get("letterhead", ())
        self.letterhead = compile_folded(letterhead) if letterhead else None

    def find(self, document: Document, folded: Folded) -> Found[str] | None:
        """Return the organisation's name, or ``None`` when it is not stated in a known way."""
        labelled = self.labels.lookup(document, folded)
        if labelled is not None:
            value = tidy(self._REGISTRATION.sub("", labelled.value))
            if _has_words(value, 2):
                return Found(value, labelled.evidence)
        flat = _flat(folded)
        searches = [(p, flat) for p in self.sentences] + [(p, folded.text) for p in self.patterns]
        for pattern, text in searches:
            match = pattern.search(text)
            if match is not None:
                value = tidy(folded.excerpt(match.start("name"), match.end("name")))
                if _has_words(value, 2):
                    return Found(value, excerpt(folded, match.start(), match.end()))
        return self._letterhead(folded)

    def _letterhead(self, folded: Folded) -> Found[str] | None:
        """Return the letterhead's line naming an organisation, among the first lines.

        A logo's initials or an e-signature envelope number may come first.
        """
        if self.letterhead is None:
            return None
        start = 0
        for _ in range(_LETTERHEAD_LINES):
            end = folded.text.find("\n", start)
            end = len(folded.text) if end < 0 else end
            line = folded.text[start:end]
            if len(line) <= 80 and self.letterhead.search(line) and not _WORDING.search(line):
                value = tidy(self._REGISTRATION.sub("", folded.excerpt(start, end)))
                if _has_words(value, 2):
                    return Found(value, excerpt(folded, start, end))
            start = end + 1
            if start >= len(folded.text):
                break
        return None


# How many lines at the top of a document make its letterhead.
_LETTERHEAD_LINES = 3


class DataIssuer(Issuer):
    """A built-in issuer whose identification and splitting come from its data file.

    Subclasses set ``scorer`` (the markers of their ``data/<name>.toml``, scored) and
    ``people`` (participants and dates), and implement ``extract``.
    """

    version = "1.0.0"
    api_version = API_VERSION
    scorer: ClassVar[Scorer]
    people: ClassVar[People]

    def identify(self, document: Document) -> Identification | None:
        """Score this issuer's markers (see the data file); ``None`` without a strong one."""
        return self.scorer.identify(document)

    def split(self, document: Document) -> list[list[int]] | None:
        """Return one group of pages per participant when the PDF holds several."""
        return self.people.split(document)

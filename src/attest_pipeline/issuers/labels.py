"""Reading the value written after a label: beside it, below it, in a table, by layout.

Labels are regexes on folded text (:func:`attest_pipeline.text.fold.fold`: lower case, no
accents, plain apostrophes and dashes); whatever is read is quoted as evidence from the
document's own text. A value may be on the label's line after a colon or a dot leader, on
the next line (a sidebar), in a grid's next cell, or, when the text layer separated a label
from its value, in the label's row of words (:meth:`Labels.find_by_layout`). The table rows
and form fields that the core writes beside a page's text (``Nom : MARTIN``) are read the
same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from attest_pipeline.issuers.common import common_rules
from attest_pipeline.models import Document, Found, Word
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.scan import gated

__all__ = [
    "Labels",
    "continued",
    "excerpt",
    "flat",
    "has_letters",
    "label_line",
    "line_span",
    "rows",
    "tidy",
]


def excerpt(folded: Folded, start: int, end: int) -> str:
    """Return the original text behind the folded span ``[start, end)``, stripped."""
    return folded.excerpt(start, end).strip()


def line_span(text: str, position: int) -> tuple[int, int]:
    """Return the offsets of the line holding ``position``."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


_QUOTES = re.compile(r"[«»“”]")


def tidy(value: str) -> str:
    """Return a value read over several lines as one line, without quotes or end punctuation.

    Typographic quotes around a name (``le DU « Soins palliatifs »``) are dropped.
    """
    # Split and joined: each run of whitespace (\s, the same characters) to one space.
    value = " ".join(_QUOTES.sub(" ", value).split())
    return value.strip(" \"':;,.-–").strip()


@lru_cache(maxsize=64)
def _flat_text(text: str) -> str:
    return text.replace("\n", " ")


def flat(folded: Folded) -> str:
    """Return the folded text on one line: line breaks as spaces, same offsets (cached)."""
    return _flat_text(folded.text)


@cache
def label_line() -> re.Pattern[str]:
    """The regex of a line starting with a field's label and a colon (folded text).

    Such a line is another field, not the rest of a value broken over lines; the labels'
    words are those of ``common.toml`` (``[labels] words``).
    """
    words = "|".join(common_rules().label_words)
    return re.compile(rf"^[ \t]*(?:{words})(?!\w)[^:\n]{{0,40}}:", re.MULTILINE)


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
        if not line or label_line().match(text, end + 1) or "\f" in text[end:next_end]:
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
                label_line().match(text, start) or _in_label_column(text, match.start())
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


def has_letters(value: str, count: int = 3) -> bool:
    """Tell whether ``value`` holds a run of ``count`` letters (a name, not a number)."""
    return re.search(rf"[^\W\d_]{{{count}}}", value) is not None

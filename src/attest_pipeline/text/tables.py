"""Tables: values written under their labels (a header row, a value row, several columns).

A text layer gives a table row by row (``Nom Prénom N° RPPS Dates`` then ``MARTIN Marie
10679899285 du 12 au 14 mars 2025``), where no reader can tell which value belongs to which
label. The words' positions can: each value stands in the column of its label. This
module reads such a table from the words of a page and gives each value beside its label
(``Nom : MARTIN``), the layout every text helper and plugin reads; :mod:`.reading` appends
those lines to the page's text, so that every plugin reads tables alike.

Only a table with one value row is read: a header row over several value rows is a list
(of participants, of sessions), and choosing one of its rows would be a guess. A value
row's cells may wrap over several lines (a word processor's or a browser's table, the
shorter cells centred on the tallest): the lines of each cell are joined in order.

Cost: the words come from pdfplumber (about 25 ms a page), so a page is looked at only
when its text layer holds a line made of label words alone (:func:`has_header_row`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from attest_pipeline.models import Word
from attest_pipeline.text.fold import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The words of a table's header row (folded). A header row is made of these only.
HEADER_WORDS: frozenset[str] = _words(
    "nom noms prenom prenoms rpps adeli idnatps participant participante participants "
    "stagiaire apprenant beneficiaire date dates debut fin du au de d des la le l n no "
    "numero num intitule titre action formation session duree heures heure lieu ville "
    "naissance profession specialite qualite identite usage famille reference ref "
    "periode organisme type nature programme et "
    # an international congress's certificate, in English
    "name names last first given surname family number id title course event venue place "
    "duration hours from to of"
)
#: Words a header row must hold at least two of: what names a field.
_FIELD_WORDS = _words(
    "nom noms prenom prenoms rpps adeli participant participante stagiaire date dates "
    "debut fin intitule titre duree lieu naissance profession specialite reference session "
    "periode name surname number title course duration venue"
)
_TOKEN = re.compile(r"[^\s:]+")


#: The lines without a colon: the only ones a header row can be.
_NO_COLON = re.compile(r"^[^:\n]+$", re.MULTILINE)


def has_header_row(text: str) -> bool:
    """Say whether a page's text has a line that may be a table's header row."""
    for line in _NO_COLON.findall(fold(text).text):
        # Every word of a header row is a label word: most lines fail at their first one,
        # for a dictionary lookup (this runs on every page of every text PDF).
        first = line.split(None, 1)
        if not first:
            continue
        if "(" not in first[0] and "°" not in first[0]:
            word = first[0].strip(".,()/-'")
            if word and word not in HEADER_WORDS:
                continue
        if _header_like(line):
            return True
    return False


_INFLECTION = re.compile(r"\((?:e|s|es|e\)s)\)")


def _header_like(line: str) -> bool:
    """Say whether a folded line is made of label words only, two of them naming fields."""
    if ":" in line:
        return False
    tokens = [
        token
        for raw in _TOKEN.findall(_INFLECTION.sub("", line).replace("°", " "))
        if (token := raw.strip(".,()/-'"))
    ]
    fields = {t for t in tokens if t in _FIELD_WORDS}
    return len(fields) >= 2 and all(t in HEADER_WORDS for t in tokens)


@dataclass(frozen=True, slots=True)
class _Row:
    words: tuple[Word, ...]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return max(w.bottom - w.top for w in self.words)


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    x0: float
    x1: float


def _rows(words: Sequence[Word]) -> list[_Row]:
    """The words grouped into rows, top to bottom.

    A word joins a row when their heights overlap by half the smaller one: OCR boxes of
    one line differ in height (accents, descenders), a text layer's hardly.
    """
    rows: list[list[Word]] = []
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        if rows:
            top, bottom = spans[-1]
            overlap = min(bottom, word.bottom) - max(top, word.top)
            smaller = min(bottom - top, word.bottom - word.top)
            if smaller > 0 and overlap >= 0.5 * smaller:
                rows[-1].append(word)
                spans[-1] = (min(top, word.top), max(bottom, word.bottom))
                continue
        rows.append([word])
        spans.append((word.top, word.bottom))
    return [_Row(tuple(sorted(row, key=lambda w: w.x0))) for row in rows]


def _cells(row: _Row) -> list[_Cell]:
    """The row's words grouped into cells: a gap wider than about two spaces parts them."""
    cells: list[list[Word]] = []
    for word in row.words:
        if cells and word.x0 - cells[-1][-1].x1 <= 0.6 * (word.bottom - word.top):
            cells[-1].append(word)
        else:
            cells.append([word])
    return [_Cell(" ".join(w.text for w in cell), cell[0].x0, cell[-1].x1) for cell in cells]


def table_fields(words: Sequence[Word]) -> list[tuple[str, str]]:
    """The (label, value) pairs of the tables on a page, read by column.

    A header row is a row of two or more cells made of label words only (``Nom``,
    ``Prénom``, ``N° RPPS``, ``Date(s)``...); its value row is the row right below it,
    each word taken into the column it starts in (columns open where their label
    starts, a little to its left). A header row followed by more than one row in its
    columns (a list) gives nothing.
    """
    rows = _rows(words)
    pairs: list[tuple[str, str]] = []
    for index, row in enumerate(rows[:-1]):
        header = _cells(row)
        if len(header) < 2 or not _header_like(fold(" ".join(c.text for c in header)).text):
            continue
        below = rows[index + 1]
        if below.top - row.bottom > 2.5 * row.height or _header_like(
            fold(" ".join(w.text for w in below.words)).text
        ):
            continue
        band = _value_band(rows[index + 1 :], header)
        if sum(len(_columns_of(r, header)) >= 2 for r in band) > 1 and not _centred(band):
            continue  # several rows filling columns: a list
        after = index + 1 + len(band)
        if after < len(rows) and _continues(rows[after:], header, band[-1]):
            continue  # a list of rows, not one value row
        values = _by_column(band, header)
        pairs.extend(
            (cell.text, value) for cell, value in zip(header, values, strict=True) if value
        )
    return pairs


def _value_band(rows: Sequence[_Row], header: Sequence[_Cell]) -> list[_Row]:
    """The value row with the lines of its cells wrapped over several lines.

    A word processor or a browser wraps a long value inside its cell, and centres the
    shorter cells of the row on it: the lines of one cell follow each other as close as
    lines of a paragraph (closer than the lines of a page written line by line), each
    within the columns. The band ends at a wider gap, a line running across a column's
    edge (a sentence under the table) or another header row.
    """
    band = [rows[0]]
    for row in rows[1:]:
        previous = band[-1]
        if row.top - previous.bottom > 0.4 * min(row.height, previous.height):
            break
        if _header_like(fold(" ".join(w.text for w in row.words)).text):
            break
        if not _columns_of(row, header):
            break  # runs across a column's edge
        band.append(row)
    return band


def _centred(band: Sequence[_Row]) -> bool:
    """Whether the band's lines overlap: the shorter cells of one row centred on its tallest.

    Lines written one under the other never overlap; a cell of one line centred beside a
    cell of two (a browser's table) stands across their gap. Several lines that fill
    columns are then the wrapped cells of one row, not the rows of a list.
    """
    return any(lower.top < upper.bottom for upper, lower in pairwise(band))


def _columns_of(row: _Row, header: Sequence[_Cell]) -> set[int]:
    """The columns ``row``'s cells stand in; empty when a cell runs across a column's edge.

    A cell stands in the column it starts in, and may reach into the gap before the next
    label (a number wider than ``N° RPPS``), not past that label's left edge.
    """
    starts = [*_column_starts(header)[1:], float("inf")]
    edges = [*(cell.x0 for cell in header[1:]), float("inf")]
    columns = set()
    for cell in _cells(row):
        column = next(i for i, start in enumerate(starts) if cell.x0 < start)
        if cell.x1 > edges[column]:
            return set()
        columns.add(column)
    return columns


def _column_starts(header: Sequence[_Cell]) -> list[float]:
    """Where each column starts: its label's left edge, less half the gap to the left."""
    starts = [header[0].x0 - 1e9]
    for previous, cell in pairwise(header):
        starts.append(cell.x0 - (cell.x0 - previous.x1) / 2)
    return starts


def _by_column(rows: Sequence[_Row], header: Sequence[_Cell]) -> list[str]:
    """Each column's words, line after line: a wrapped cell's lines joined in order.

    A word that ends with its hyphen at a line's end goes on at the start of the next one
    (a compound name wrapped at its hyphen).
    """
    starts = _column_starts(header)
    columns: list[list[str]] = [[] for _ in header]
    for row in rows:
        for word in row.words:
            column = max(i for i, start in enumerate(starts) if word.x0 >= start)
            cell = columns[column]
            if cell and cell[-1].endswith("-") and len(cell[-1]) > 1:
                cell[-1] += word.text  # "LEFÈVRE-" wrapped before "ROUSSEAU": one word
            else:
                cell.append(word.text)
    return [" ".join(column) for column in columns]


def _continues(rows: Sequence[_Row], header: Sequence[_Cell], value_row: _Row) -> bool:
    """Whether ``rows`` go on with the table: another value row as close below.

    That row's cells stand in two columns or more (its own cells wrapped or not). A
    sentence under the table is one cell running across the columns: not a table row.
    """
    if rows[0].top - value_row.bottom > 1.5 * value_row.height:
        return False
    return any(len(_columns_of(row, header)) >= 2 for row in _value_band(rows, header))


def render(pairs: Sequence[tuple[str, str]]) -> str:
    """The pairs as ``label : value`` lines, the layout text helpers read."""
    return "\n".join(f"{label} : {value}" for label, value in pairs)

"""Titles and names: the action's title, and names that start with a keyword.

:class:`Titles` reads the title of the action (a labelled value, a quoted title after a
trigger word, a phrase running to the end of its line); :class:`Phrases` reads names that
start with a keyword (``Congrès ...``, ``Diplôme d'Université ...``, ``groupe de pairs ...``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attest_pipeline.issuers.common import compile_folded
from attest_pipeline.issuers.labels import (
    Labels,
    continued,
    excerpt,
    flat,
    has_letters,
    label_line,
    line_span,
    tidy,
)
from attest_pipeline.models import Document, Found
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.scan import Gated, gated

__all__ = ["Phrases", "Titles"]


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

    def __init__(
        self,
        labels: Sequence[str] = (),
        *,
        cells: Sequence[str] = (),
        triggers: Sequence[str] = (),
        phrases: Sequence[str] = (),
        cut: Sequence[str] = (),
        strip: str | None = None,
    ) -> None:
        self.labels = Labels(labels, cells=cells, multiline=True)
        self.phrases = tuple(gated(p, re.MULTILINE) for p in phrases)
        self.cut = compile_folded(cut) if cut else None
        triggers_ = "|".join(f"(?:{t})" for t in triggers)
        self.quoted = (
            gated(
                rf"(?:{triggers_})[^«\"“\f]{{0,60}}?[«\"“]\s*(?P<value>[^»\"”\f]{{3,300}}?)\s*[»\"”]"
            )
            if triggers_
            else None
        )
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
        return Found(value, found.evidence) if has_letters(value) else None

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
        spans = [(m.start(), m.end()) for m in self.start.finditer(flat(folded))]
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
    if not line or len(line) > 90 or label_line().match(line) or _SENTENCE.search(line):
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

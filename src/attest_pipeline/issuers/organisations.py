"""Organisations: the issuing organisation's name as written.

Labelled (``Organisme : ...``), in a sentence naming it (``Nous soussignés, X, organisme
...``), or the letterhead's line naming one, read from a data file's ``[organisation]``
table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attest_pipeline.issuers.common import common_rules, compile_folded
from attest_pipeline.issuers.labels import Labels, excerpt, flat, has_letters, tidy
from attest_pipeline.models import Document, Found
from attest_pipeline.text.dates import find_dates
from attest_pipeline.text.fold import Folded
from attest_pipeline.text.scan import gated

__all__ = ["Organisations"]


class Organisations:
    """The issuing organisation's name as written: labelled, in a phrase, or the letterhead.

    Reads the ``[organisation]`` table of a data file: ``labels``; ``sentences``, regexes with a
    ``name`` group matched on the folded text as one line (a sentence naming the
    organisation, broken anywhere); ``patterns``, the same matched line by line (``^`` and
    ``$`` are a line's ends); ``letterhead``, regexes of words that make the first line
    of the document an organisation's name (``formation``, ``institut``...); and
    ``not_letterhead``, regexes of words that make such a line something else (a venue's
    ``centre de congres``).
    """

    # "FORMEDIC SAS (ODPC n° 1234)", "MEDIFORM - ODPC 4321": the registration is no name.
    _REGISTRATION = re.compile(
        r"\s*(?:\([^)]*\b(?:odpc|n°|no|siret|nda)\b[^)]*\)?|[-–,]\s*(?:odpc|organisme dpc|n°|"
        r"siret|nda)\b.*)\s*$",
        re.IGNORECASE,
    )

    def __init__(
        self,
        labels: Sequence[str] = (),
        *,
        sentences: Sequence[str] = (),
        patterns: Sequence[str] = (),
        letterhead: Sequence[str] = (),
        not_letterhead: Sequence[str] = (),
    ) -> None:
        self.labels = Labels(labels)
        self.sentences = tuple(gated(p) for p in sentences)
        self.patterns = tuple(gated(p, re.MULTILINE) for p in patterns)
        self.letterhead = compile_folded(letterhead) if letterhead else None
        self.not_letterhead = compile_folded(not_letterhead) if not_letterhead else None

    def find(self, document: Document, folded: Folded) -> Found[str] | None:
        """Return the organisation's name, or ``None`` when it is not stated in a known way."""
        labelled = self.labels.lookup(document, folded)
        if labelled is not None:
            value = tidy(self._REGISTRATION.sub("", labelled.value))
            if has_letters(value, 2):
                return Found(value, labelled.evidence)
        one_line = flat(folded)
        searches = [(p, one_line) for p in self.sentences]
        searches += [(p, folded.text) for p in self.patterns]
        for pattern, text in searches:
            match = pattern.search(text)
            if match is not None:
                value = tidy(folded.excerpt(match.start("name"), match.end("name")))
                if has_letters(value, 2):
                    return Found(value, excerpt(folded, match.start(), match.end()))
        return self._letterhead(folded)

    def _letterhead(self, folded: Folded) -> Found[str] | None:
        """Return the letterhead's line naming an organisation, among the first lines.

        A logo's initials or an e-signature envelope number may come first. A line holding
        a date is the event's or the letter's ("le mardi 14 janvier 2025 - Amphithéâtre de
        la Faculté des Sciences de Santé"), whatever its words: no organisation's name.
        """
        if self.letterhead is None:
            return None
        rules = common_rules()
        start = 0
        for _ in range(_LETTERHEAD_LINES):
            end = folded.text.find("\n", start)
            end = len(folded.text) if end < 0 else end
            line = folded.text[start:end]
            if (
                len(line) <= 80
                and self.letterhead.search(line)
                and not rules.worded(line)
                and not (self.not_letterhead and self.not_letterhead.search(line))
                and not find_dates(line)
            ):
                value = tidy(self._REGISTRATION.sub("", folded.excerpt(start, end)))
                if has_letters(value, 2):
                    return Found(value, excerpt(folded, start, end))
            start = end + 1
            if start >= len(folded.text):
                break
        return None


# How many lines at the top of a document make its letterhead.
_LETTERHEAD_LINES = 3

"""The clean-up of OCR text, and the confidence of the words a field was read from.

**Clean-up** (:func:`clean_text`): typographic quotes and ligatures normalised, odd spaces
collapsed, lines without a letter or digit (specks read as ``| — .``) dropped, a word cut
by a hyphen at a line end joined when the next line starts in lowercase, and ``ler``
before a month name read ``1er``. Digits are never "corrected": turning ``O`` into ``0``
inside an RPPS is the identifiers helper's job, where the Luhn check confirms it. Reading
a doubtful long number again, cut out of a 300 dpi rendering as one line of digits
(``--psm 7`` with a digits whitelist), was tried and left out: it fixed the 2 misread RPPS
of the samples with some crops and broke numbers read right with others.

**Confidence**: the page's mean word confidence is 85 to 95 on every scanned sample, so it
says little about one field; the words misread in the samples (an RPPS with a digit too
many, a date) have a confidence of 0 to 85 while the key fields read right have 81.5 or
more (median 96). :func:`evidence_confidence` gives the lowest confidence of the words a
field was read from, to compare with :attr:`~attest_pipeline.config.OcrConfig.min_confidence`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attest_pipeline.models import Word

_CHARACTERS = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u00ad": "",
        "ﬀ": "ff",
        "ﬁ": "fi",
        "ﬂ": "fl",
        "ﬃ": "ffi",
        "ﬄ": "ffl",
        "ﬅ": "st",
        "ﬆ": "st",
    }
)
_SPACES = re.compile(r"[ \t]{2,}")
#: A letter or a digit: a word or line without one is a speck.
ALNUM = re.compile(r"[^\W_]")
# A line ending in a word of 2+ letters cut by a hyphen, and a next line starting with 2+
# lowercase letters: "forma-" / "tion continue". "Jean-" / "Pierre" and "2024-" / "2025"
# are not touched: a capital or a digit after the break is more likely a real hyphen.
_BROKEN_END = re.compile(r"(?<=[^\W\d_]{2})-$")
_CONTINUATION = re.compile(r"^([^\W\d_]{2,}\S*)\s*(.*)$")


# "1er" (first day of a month) is read "ler" or "Ier" more often than not. Only before a
# month name or the "et"/"au" of a range, where neither is a word.
_FIRST_OF_MONTH = re.compile(
    r"\b[lI]er(?=\s+(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre"
    r"|octobre|novembre|d[ée]cembre|et|au)\b)",
    re.IGNORECASE,
)


# A space read inside a numeric date, in its month or its year ("17/1 0/2025",
# "17/10/20 25"): OCR cuts a number where a character is wider than usual. Only inside
# the shape of a whole date, where no other reading makes sense.
_SPLIT_MONTH = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d) (\d)\2((?:19|20)\d{2})(?!\d|[/.]\d)")
_SPLIT_YEAR = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(19|20) (\d{2})(?!\d|[/.]\d)")


def clean_word(word: str) -> str:
    """One OCR word with quotes, ligatures and odd spaces normalised."""
    return word.translate(_CHARACTERS).strip()


def clean_text(lines: Sequence[str]) -> str:
    """Join OCR lines into a page text that the plugins read like a text layer.

    Each line has its quotes, ligatures and spaces normalised; lines without a letter or a
    digit are dropped; a word cut by a hyphen at a line end is joined when the next line
    starts in lowercase (the rest of that line stays on its own line); ``ler`` or ``Ier``
    before a month name becomes ``1er``; a space read inside the month or the year of a
    numeric date is taken out (``17/1 0/2025``). Digits and letters are never changed
    otherwise.
    """
    kept = [_SPACES.sub(" ", line.translate(_CHARACTERS)).strip() for line in lines]
    kept = [_dates(_FIRST_OF_MONTH.sub("1er", line)) for line in kept if ALNUM.search(line)]
    for index in range(len(kept) - 1):
        line = kept[index]
        if not _BROKEN_END.search(line):
            continue
        following = _CONTINUATION.match(kept[index + 1])
        if following is None or not following.group(1)[:2].islower():
            continue
        kept[index] = line[:-1] + following.group(1)
        kept[index + 1] = following.group(2)
    return "\n".join(line for line in kept if line)


def _dates(line: str) -> str:
    """The line with the spaces OCR read inside numeric dates taken out."""
    if "/" not in line and "." not in line:
        return line
    line = _SPLIT_MONTH.sub(r"\1\2\3\4\2\5", line)
    return _SPLIT_YEAR.sub(r"\1\2\3\2\4\5", line)


def evidence_confidence(
    evidence: str, words: Sequence[Word], value: str | None = None
) -> float | None:
    """Return the lowest OCR confidence of the words a page-text excerpt was read from.

    ``evidence`` is an excerpt of an OCR'd page's text (a plugin's ``Found.evidence``);
    ``words`` are that page's words (:attr:`~attest_pipeline.ocr.strategy.OcrPage.words`).
    The excerpt's words are looked for as a run of consecutive words (the first and last
    may be cut: ``10005682603`` in ``RPPS:10005682603``); the lowest confidence of the run
    is returned, so that one badly read digit of an RPPS or letter of a name is not
    averaged away. With ``value`` (the text the field's value was read as), only the words
    of the run that are part of the value count: the label beside a value is not the
    value, and Tesseract gives a label a low confidence when a dot leader runs into it
    (``Nom du participant ...... Dr KOWALSKI Anna``: 29 for ``participant``, 92 to 97
    for the name). ``None`` when the excerpt is not found as such (across a joined
    hyphenation, or not on that page).
    """
    tokens = evidence.split()
    if not tokens:
        return None
    count = len(tokens)
    for start in range(len(words) - count + 1):
        run = words[start : start + count]
        if count == 1:
            matches = tokens[0] in run[0].text
        else:
            matches = (
                run[0].text.endswith(tokens[0])
                and run[-1].text.startswith(tokens[-1])
                and all(w.text == t for w, t in zip(run[1:-1], tokens[1:-1], strict=True))
            )
        if matches:
            scored = _value_words(run, value) if value else run
            scores = [w.confidence for w in scored if w.confidence is not None]
            return min(scores) if scores else None
    return None


_NOT_ALNUM = re.compile(r"[\W_]+")


def _value_words(run: Sequence[Word], value: str) -> Sequence[Word]:
    """The words of ``run`` that are words of ``value`` (all of them when none is).

    Compared whole, without case or punctuation: ``KOWALSKI,`` is the value's
    ``Kowalski``, ``du`` is not part of ``DUPONT``.
    """
    tokens = {core for token in value.split() if (core := _core(token))}
    part = [word for word in run if _core(word.text) in tokens]
    return part or run


def _core(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())

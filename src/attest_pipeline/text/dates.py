"""French dates: single dates, the period of an action, labelled dates and years.

Everything is matched on the folded text (lower case, no accents, plain dashes and
apostrophes, see :func:`~attest_pipeline.text.fold.fold`), so ``Février``, ``fevrier``
and ``FÉVRIER`` read alike; evidence is always the exact excerpt of the original text.

Dates are read in one pass: every date item starts with a digit, so the items are looked
for at each run of digits only, then joined into periods and lists by what stands between
neighbours (``du ... au``, ``-``, ``et``, a comma, a bullet). The candidates of a text are
computed once and shared by :func:`find_period` and :func:`find_event_dates`.

Times of day are never dates (``9h00``, ``14 h``, ``10:12:33`` are skipped) and may stand
between the dates of a period or a list (``du 12 mars 2025 à 9h00 au 14 mars 2025 à
17h30``); English dates written day first (``from 29 June to 3 July 2026``) read as French
ones, for the certificates of attendance of international congresses. Dates of printing,
issue and signature (``édité le``, ``fait à ... le``, an e-signature's time stamp) are
the document's, never the action's.

One module on purpose (about 800 lines): it is the one date parser, and single dates,
periods, lists, labelled dates and ``strptime`` formats share one grammar (the month
names, the item forms, what joins items) and one pass over the text; apart, the grammar
would have to be exported to each of them.

Two-digit years follow the POSIX rule: ``00``-``68`` are 2000-2068, ``69``-``99`` are
1969-1999 (an action in 2070 or a birth in 1968 written ``68`` are both out of reach of
an attestation's plausible dates anyway, and the core flags them).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from attest_pipeline.models import Found
from attest_pipeline.text.fold import fold
from attest_pipeline.text.scan import Gated, gated

# --------------------------------------------------------------------------- patterns

#: The French month names, in order (folded).
_FRENCH_MONTH_NAMES = (
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre",
)  # fmt: skip
_ENGLISH_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_FRENCH_MONTHS = {name: number for number, name in enumerate(_FRENCH_MONTH_NAMES, 1)} | {
    "janv": 1, "jan": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTHS = _FRENCH_MONTHS | {
    # English, for the certificates of attendance of international congresses.
    "january": 1, "february": 2, "feb": 2, "march": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "october": 10, "november": 11, "december": 12,
}  # fmt: skip

_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_WEEKDAYS = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
_WEEKDAY = r"(?:(?:" + _WEEKDAYS + r")\b,?\s+)"
_DAY_NUMBER = r"(?<![\d/.])(?:0?[1-9]|[12]\d|3[01])(?!\d)"
_DAY = _DAY_NUMBER + r"(?:\s?(?:er|°))?"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_SEP = r"\s?[/.\-]\s?"

#: A fully written date; its groups give day, month and year.
_FULL = (
    r"(?<![\d/.\-])(?P<iy>(?:19|20)\d\d)-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?![\d/.\-]?\d)"
    r"|(?<![\d/.\-])(?P<iy2>(?:19|20)\d\d)/(?P<im2>\d{1,2})/(?P<id2>\d{1,2})(?![\d/.\-]?\d)"
    r"|(?<![\d/.\-])(?P<nd>\d{1,2})"
    + _SEP
    + r"(?P<nm>\d{1,2})"
    + _SEP
    + r"(?P<ny>\d{4}|\d{2})(?![\d]|[/.\-]\d)"
    r"|" + _WEEKDAY + r"?(?P<td>" + _DAY_NUMBER + r")(?:\s?(?:er|°))?"
    r"\s+(?P<tm>" + _MONTH + r")\s*,?\s*(?P<ty>" + _YEAR + ")"
)
_FULL_RE = re.compile(_FULL)

#: One date in a list or a range, possibly without its month or year (``du 12 au ...``).
_ITEM = (
    r"(?:(?<![\d/.\-])(?:19|20)\d\d[-/]\d{1,2}[-/]\d{1,2}(?![\d/.\-]?\d)"
    r"|(?<![\d/.\-])\d{1,2}" + _SEP + r"\d{1,2}" + _SEP + r"(?:\d{4}|\d{2})(?![\d]|[/.\-]\d)"
    r"|(?<![\d/.\-])\d{1,2}\s?/\s?\d{1,2}(?![\d]|[/.\-]\d)"
    r"|" + _WEEKDAY + r"?" + _DAY + r"(?:\s+" + _MONTH + r"(?:\s*,?\s*" + _YEAR + r")?)?)"
)
_ITEM_PARSE = re.compile(
    r"(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})"
    r"|(?P<nd>\d{1,2})" + _SEP + r"(?P<nm>\d{1,2})(?:" + _SEP + r"(?P<ny>\d{4}|\d{2}))?"
    r"|" + _WEEKDAY + r"?(?P<td>\d{1,2})(?:\s?(?:er|°))?"
    r"(?:\s+(?P<tm>" + _MONTH + r")(?:\s*,?\s*(?P<ty>\d{4}))?)?"
)

#: One date item at a digit, each form in its group (``day`` may lack month and year);
#: a weekday before a ``day`` item belongs to it (:data:`_WEEKDAY_BEFORE`).
_ITEM_AT = (
    r"(?P<iso>(?<![\d/.\-])(?:19|20)\d\d[-/]\d{1,2}[-/]\d{1,2}(?![\d/.\-]?\d))"
    r"|(?P<numeric>(?<![\d/.\-])\d{1,2}" + _SEP + r"\d{1,2}" + _SEP + r"(?:\d{4}|\d{2})"
    r"(?![\d]|[/.\-]\d))"
    r"|(?P<short>(?<![\d/.\-])\d{1,2}\s?/\s?\d{1,2}(?![\d]|[/.\-]\d))"
    r"|(?P<day>" + _DAY + r"(?:\s+" + _MONTH + r"(?:\s*,?\s*" + _YEAR + r")?)?)"
)
_WEEKDAY_BEFORE = re.compile(r"(?<![\w])(?:" + _WEEKDAYS + r")\b,?\s+$")
#: English writes the month first: "June 29 - July 3, 2026", "March 12-14, 2025". Full
#: English names only, which French never writes before a day.
_ENGLISH_MONTH = (
    r"(?<![\w])(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)(?![\w])"
)
_MONTH_BEFORE = re.compile(_ENGLISH_MONTH + r"\s+(?:the\s+)?$")
_ENGLISH_MONTH_RE = re.compile(_ENGLISH_MONTH)
_ORDINAL_YEAR_AFTER = re.compile(r"(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(?P<year>(?:19|20)\d\d)(?!\d)")
#: A time of day at a digit: ``9h00``, ``14 h``, ``09:00``, ``10:12:33`` (never a date).
_TIME = r"\d{1,2}\s?h(?:\s?\d{2})?(?![\w])|\d{1,2}:\d{2}(?::\d{2})?"
#: A time of day (group ``time``), else a date item, at a digit: one match for both.
_TIME_OR_ITEM_AT = re.compile(f"(?P<time>{_TIME})|{_ITEM_AT}")
#: A year of this century written alone: ``20`` not after a digit, two digits, no more.
#: Opening with ``20`` lets the regex engine skip to each "20" of a text.
_THIS_CENTURY = re.compile(r"20(?<!\d20)\d\d(?!\d)")
#: Times written beside a date, skipped between two dates of a period or a list:
#: ``à 9h00``, ``de 9h00 à 17h30``, ``09:00 - 17:30``, ``(de 14 h à 18 h)``.
_CLOCK = r"\d{1,2}\s?[h:]\s?(?:\d{2})?(?::\d{2})?"
_TIMES = (
    r"(?:[^\S\n]*,?[^\S\n]*\(?(?:(?:a|de|des|entre|from|at)\s+)?" + _CLOCK
    + r"(?:\s*(?:-|a|et|to|jusqu'a)\s*" + _CLOCK + r")?\)?)?"
)
_DIGITS = re.compile(r"\d+")

#: What joins two items into a period or a list, and what stands before the first.
_DU_BEFORE = re.compile(r"\b(?:du|entre\s+le|entre|from)\s+$")
_DU_JOIN = re.compile(
    _TIMES + r"\s*,?\s*(?:au|jusqu'au|et\s+le|et|a|to|until|through)\s+(?:le\s+)?"
)
#: A dash between two dates on one line (a dash opening a line is a bullet), or a slash
#: between spaces ("5 février 2025 / 6 février 2025"; inside a date it has none).
_DASH_JOIN = re.compile(
    _TIMES + r"(?:[^\S\n]*-\s*|[^\S\n]+/[^\S\n]+|\s*\b(?:au|to)\b\s*)"
)
_LIST_JOIN = re.compile(
    _TIMES + r"(?:\s*[,;]\s*(?:et\s+|and\s+)?|\s+(?:et|and|&)\s+)(?:(?:le|du)\s+)?"
)
_LIST_LAST_JOIN = re.compile(_TIMES + r"\s*[,;]?\s+(?:et|and|&)\s+(?:(?:le|du)\s+)?")
#: Days chained by dashes on one line: "5-6-7 février 2025" (two are a range, ``A - B``).
_CHAIN_JOIN = re.compile(r"[^\S\n]*-[^\S\n]*")
_LES_BEFORE = re.compile(r"\bles?\s+$")
#: A bulleted list of dates, one per line: "- 06/03/2025", "• 12 mars 2025".
_BULLET = r"[-•*·▪◦‣]"
_BULLET_BEFORE = re.compile(r"(?:^|\n)[^\S\n]*" + _BULLET + r"[^\S\n]*$")
_BULLET_JOIN = re.compile(r"[^\S\n;,.]*[;,.]?[^\S\n]*\n[^\S\n]*" + _BULLET + r"[^\S\n]*")
_START_END = gated(
    r"\bdebut\b[^\d\n]{0,40}?(?P<a>" + _ITEM + r")[^\n]{0,60}?\n?[^\n]{0,60}?"
    r"\bfin\b[^\d\n]{0,40}?(?P<b>" + _ITEM + ")"
)

# ---------------------------------------------------------------------------- context

#: Dates of birth: ``né le``, ``née à Lyon, le``, ``date de naissance :``.
_BIRTH = re.compile(
    r"(?:\bnee?s?\s*(?:\(\s*e\s*\)\s*)?(?:a\s+[^\d\n,]{1,30}?,?\s+)?le\s*:?"
    r"|\bne\s*\(\s*e\s*\)\s*:?"
    r"|\bnaissance\b[^\d\n]{0,20}?"
    r"|\bnee?\s*(?:\(\s*e\s*\))?\s*:)\s*$"
)

#: Dates of the document itself: issued, printed, signed, valid until, legal references.
_DOCUMENT = re.compile(
    r"(?:\bfait\s+(?:a\s+[^\d\n,]{1,40}?\s*,?\s*)?(?:le\s*)?"
    r"|\b(?:edite|imprime|delivre|etabli|genere|emis|cree|redige|envoye|horodate|"
    r"mis\s+a\s+jour|modifie|telecharge|exporte|enregistre|certifie\s+conforme|signe)e?s?\b"
    r"(?:\s+(?:electroniquement|numeriquement))?(?:\s+par\s+[^\d\n]{1,60}?)?"
    r"(?:\s+(?:a\s+[^\d\n,]{1,30}?\s*,?\s*)?le|\s+en\s+date\s+du)?\s*:?\s*"
    r"|\bdate\s+(?:d'edition|d'impression|de\s+signature|de\s+delivrance|d'emission|"
    r"de\s+creation|de\s+generation|du\s+document|de\s+l'attestation|d'envoi|de\s+validite|"
    r"d'expiration|d'enregistrement|de\s+mise\s+a\s+jour|d'inscription|de\s+paiement|"
    r"de\s+facturation|de\s+la\s+facture)\b[^\d\n]{0,15}?"
    r"|\bsignature\b[^\d\n]{0,30}?|\ben\s+date\s+du\s*|\bvalable\s+jusqu'(?:au|a)\s*"
    r"|\bvalide\s+jusqu'(?:au|a)\s*|\bjusqu'au\s*|\bexpire\s+le\s*|\bexpiration\b[^\d\n]{0,15}?"
    r"|\bdepuis\s+le\s*|\bversion\s+du\s*|\bfacture\b[^\d\n]{0,20}?"
    r"|\b(?:issued|signed|printed|generated|delivered|dated)\b[^\d\n]{0,40}?(?:\bon\b)?\s*:?\s*"
    r"|\bdate\s+of\s+(?:issue|signature|printing)\b[^\d\n]{0,10}?"
    r"|\b(?:loi|decret|arrete|ordonnance|circulaire|instruction|directive|reglement|avenant|"
    r"convention|article|deliberation\s+n)\b[^\n]{0,40}?\b(?:du|en\s+date\s+du)\s*)$"
)

#: A signature line: ``Paris, le 20 mars 2025``, ``Le 20 mars 2025 à Lyon``.
_PLACE_COMMA = re.compile(r"^\s*(?:a\s+)?(?P<place>[a-z][a-z'\- ]{0,40}?)\s*,\s*(?:le\s*)?$")
_LE_ALONE = re.compile(r"^\s*(?:fait\s+)?le\s*$")
_AT_PLACE = re.compile(r"^\s*,?\s*(?:a|en)\s+[a-z][a-z'\- ]{0,40}[.,]?\s*$")

#: A time stamp right after the date (e-signature, print footer).
_STAMP = re.compile(
    r"^(?:\s*(?:a\s*)?\d{1,2}:\d{2}:\d{2}|t\d{2}:\d{2}"
    r"|\s*(?:a\s*)?\d{1,2}[:h]\d{2}\s*(?:utc|gmt|cet|cest|z\b|\(?[+-]\d{2}))"
)
_ISO_STAMP = re.compile(r"^\s*\d{1,2}:\d{2}")

#: Labels that introduce the period of the action.
_PERIOD_LABEL = re.compile(
    r"(?:\bdates?\s*(?:\(\s*s\s*\))?\s+(?:de|du|des|d')\b[^:\n\d]{0,40}?"
    r"|\bdates\b|\bdate\s*\(\s*s\s*\)|\bperiode\b[^:\n\d]{0,30}?|\bsession\b[^:\n\d]{0,30}?"
    r"|\bdeb(?:ut)?\b[^:\n\d]{0,30}?|\bdates?\s+of\b[^:\n\d]{0,30}?)"
    r"\s*:?\s*(?:du|le|les|entre\s+le)?\s*$"
)
_BARE_DATE_LABEL = re.compile(r"(?:^|\n)[^\S\n]*date\s*:?\s*$")

#: What makes a date the date of the action: the verb of participation (strong) or the
#: name of the event (weak).
_STRONG_CONTEXT = re.compile(
    r"\b(?:a\s+(?:bien\s+)?(?:participe|suivi|assiste|pris\s+part|effectue|realise|valide)|"
    r"s'est\s+(?:deroulee?|tenue?)|se\s+sont\s+(?:deroulee?s|tenue?s)|a\s+eu\s+lieu|"
    r"ont\s+eu\s+lieu|a\s+ete\s+presente?|etait\s+presente?|participation|"
    r"attended|participated|took\s+part|(?:was|were)\s+held|held|attendance)\b"
)
_WEAK_CONTEXT = re.compile(
    r"\b(?:formation|session|reunion|seance|congres|journees?|seminaire|atelier|webinaire|"
    r"programme|action|soiree|colloque|module|stage|evenement|conference|cours|rencontre|"
    r"groupe|enseignement|audit|evaluation|workshop|meeting|course)s?\b"
)

_CONTEXT_CHARS = 220
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n|\f")

#: Actions before 2000 do not count for certification: such dates are dates of birth.
_EARLIEST_YEAR = 2000


# ---------------------------------------------------------------------------- parsing

Item = tuple[int, int | None, int | None]


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        return value + (2000 if value < 69 else 1900)
    return value


def _month(text: str) -> int:
    return _MONTHS[text.rstrip(".")]


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    if groups["iy"]:
        return _date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups["iy2"]:
        return _date(int(groups["iy2"]), int(groups["im2"]), int(groups["id2"]))
    if groups["nd"]:
        return _date(_year(groups["ny"]), int(groups["nm"]), int(groups["nd"]))
    return _date(int(groups["ty"]), _month(groups["tm"]), int(groups["td"]))


@lru_cache(maxsize=1024)
def _parse_item(text: str) -> Item | None:
    # Cached: the same dates are written again and again, within a text and across texts.
    match = _ITEM_PARSE.fullmatch(text.strip())
    if match is None:
        return None
    groups = match.groupdict()
    if groups["iy"]:
        return int(groups["id"]), int(groups["im"]), int(groups["iy"])
    if groups["nd"]:
        year = _year(groups["ny"]) if groups["ny"] else None
        return int(groups["nd"]), int(groups["nm"]), year
    month = _month(groups["tm"]) if groups["tm"] else None
    return int(groups["td"]), month, int(groups["ty"]) if groups["ty"] else None


def _resolve(items: Sequence[Item], default_year: int | None) -> list[date] | None:
    """Turn items into dates, each missing month or year taken from the items after it.

    ``du 30 septembre au 2 octobre 2025`` and ``du 30 au 2 octobre`` (month before) and
    ``du 30 décembre au 2 janvier 2025`` (year before) are read as a person would.
    """
    if items and items[-1][1] is None:
        # Month first ("March 12-14, 2025"): a missing month is the one written before.
        carried: int | None = None
        filled = []
        for day, month, year in items:
            carried = month if month is not None else carried
            filled.append((day, carried, year))
        items = filled
    resolved: list[date] = []
    following: date | None = None
    for day, month, year in reversed(items):
        if following is None:
            year = year or default_year
            if month is None or year is None:
                return None
            current = _date(year, month, day)
        else:
            current = _date(year or following.year, month or following.month, day)
            if current is not None and current > following and (month is None or year is None):
                if month is None:
                    back_month = following.month - 1 or 12
                    back_year = following.year - (following.month == 1)
                    current = _date(back_year, back_month, day)
                else:
                    current = _date(following.year - 1, month, day)
        if current is None:
            return None
        resolved.append(current)
        following = current
    resolved.reverse()
    return resolved


def parse_date(text: str, formats: Sequence[str] = ()) -> date | None:
    """Read one date written on its own: ``12/03/2025``, ``12 mars 2025``, ``2025-03-12``...

    Accepts ``/``, ``.`` or ``-`` between numbers, two-digit years, month names in any
    case with or without accents (``fevrier``, ``août``, ``déc.``), ``1er``, a weekday in
    front and extra spaces. ``None`` when the text is not exactly one valid date.

    With ``formats`` (``strptime`` formats: ``"%d %B %Y"``, ``"%Y%m%d"``), the text is
    read by the first of them that fits instead, French month names included (``%B``
    reads ``12 mars 2025``, ``%b`` reads ``12 févr. 2025``).
    """
    if formats:
        return _strptime(text, formats)
    folded = " ".join(fold(text).text.split()).strip(" .,;:")
    match = _FULL_RE.fullmatch(folded)
    return None if match is None else _full_date(match)


#: French month names and abbreviations as ``strptime`` reads them (in the C locale).
_IN_ENGLISH = {
    word: _ENGLISH_MONTH_NAMES[number - 1]
    if word in _FRENCH_MONTH_NAMES
    else _ENGLISH_MONTH_NAMES[number - 1][:3]
    for word, number in _FRENCH_MONTHS.items()
}
_WORD_DOT = re.compile(r"[a-z]+\.?")
_FIRST_DAY = re.compile(r"\b1er\b")


def _strptime(text: str, formats: Sequence[str]) -> date | None:
    folded = fold(_FIRST_DAY.sub("1", text)).text
    english = _WORD_DOT.sub(lambda m: _IN_ENGLISH.get(m.group().rstrip("."), m.group()), folded)
    for form in formats:
        for candidate in (text, english):
            try:
                return datetime.strptime(candidate, form).date()
            except ValueError:
                continue
    return None


def find_dates(text: str) -> list[Found[date]]:
    """Return every fully written date of the text (day, month and year), in order.

    A date written without its month or year (the ``12`` of ``du 12 au 14 mars 2025``) is
    not returned; :func:`find_period` reads those.
    """
    folded = fold(text)
    found: list[Found[date]] = []
    for match in _FULL_RE.finditer(folded.text):
        value = _full_date(match)
        if value is not None:
            found.append(Found(value, folded.excerpt(match.start(), match.end())))
    return found


# ---------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The first and last day of an action (equal for a one-day action), with evidence."""

    start: date
    end: date
    evidence: str


_RANGE, _LISTED, _SINGLE_DATE = "range", "list", "single"


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A date or a period written in the text, before its year is known."""

    start: int
    end: int
    form: str
    items: tuple[Item, ...]
    item_spans: tuple[tuple[int, int], ...]


class _Written(NamedTuple):
    """A date item as written: its span in the folded text and what it says.

    A named tuple: a text holds a dozen, and a tuple is made in a fraction of the time of
    a frozen dataclass.
    """

    start: int
    end: int
    item: Item | None


def _items(folded: str) -> list[_Written]:
    """Return every date item of the text, in order, not overlapping.

    Every form starts with a digit (a weekday before a day is taken with it), so the
    items are looked for at the start of each run of digits only: one cheap scan.
    """
    found: list[_Written] = []
    reached = 0
    for run in _DIGITS.finditer(folded):
        if run.start() < reached:
            continue
        match = _TIME_OR_ITEM_AT.match(folded, run.start())
        if match is None:
            continue
        if match.lastgroup == "time":
            reached = match.end()
            continue
        start, end = match.start(), match.end()
        item = None
        if match.lastgroup == "day":
            item = _month_first(folded, start, end)
            if item is not None:
                start, end, parsed = item
                found.append(_Written(start, end, parsed))
                reached = end
                continue
            weekday = _WEEKDAY_BEFORE.search(folded, max(0, start - 14), start)
            if weekday is not None:
                start = weekday.start()
        found.append(_Written(start, end, _parse_item(folded[start:end])))
        reached = end
    return found


def _month_first(folded: str, start: int, end: int) -> tuple[int, int, Item] | None:
    """An English day written month first (``June 29``, ``June 29, 2026``, ``12-14, 2025``).

    Returns the item's span and value, or ``None`` when the day is not written so.
    """
    day = _parse_item(folded[start:end])
    if day is None or day[1] is not None:
        return None
    before = _MONTH_BEFORE.search(folded, max(0, start - 16), start)
    after = _ORDINAL_YEAR_AFTER.match(folded, end)
    if before is None and after is None:
        return None
    if before is None and not _ENGLISH_MONTH_RE.search(folded, max(0, start - 40), start):
        # "14, 2025" is a month-first date only after an English month: "March 12-14, 2025".
        return None
    month = _MONTHS[folded[before.start() : before.end()].split()[0]] if before else None
    year = int(after.group("year")) if after else None
    return (before.start() if before else start), (after.end() if after else end), (
        day[0],
        month,
        year,
    )


def _ranges(folded: str, items: Sequence[_Written]) -> list[_Candidate]:
    """Return the periods written ``du A au B``, ``entre le A et le B``, ``A - B``, ``A au B``."""
    found: list[_Candidate] = []
    for opening, join in ((_DU_BEFORE, _DU_JOIN), (None, _DASH_JOIN)):
        index = 0
        while index + 1 < len(items):
            a, b = items[index], items[index + 1]
            before = (
                None if opening is None else opening.search(folded, max(0, a.start - 16), a.start)
            )
            if (
                (opening is None or before is not None)
                and join.fullmatch(folded, a.end, b.start)
                and a.item is not None
                and b.item is not None
                and (b.item[1] is not None or (a.item[1] is not None and b.item[2] is not None))
            ):
                start = a.start if before is None else before.start()
                spans = ((a.start, a.end), (b.start, b.end))
                found.append(_Candidate(start, b.end, _RANGE, (a.item, b.item), spans))
                index += 2
                continue
            index += 1
    for match in _START_END.finditer(folded):
        first, last = _parse_item(match.group("a")), _parse_item(match.group("b"))
        if first is None or last is None or last[1] is None:
            continue
        spans = (match.span("a"), match.span("b"))
        found.append(_Candidate(match.start(), match.end(), _RANGE, (first, last), spans))
    return found


def _listed(start: int, end: int, run: Sequence[_Written]) -> _Candidate | None:
    parsed = tuple(i.item for i in run if i.item is not None)
    if len(parsed) < 2 or len(parsed) != len(run):
        return None
    spans = tuple((i.start, i.end) for i in run)
    return _Candidate(start, end, _LISTED, parsed, spans)


def _lists(folded: str, items: Sequence[_Written]) -> list[_Candidate]:
    """Return the lists ``les 3, 4 et 5 juin``, ``5-6-7 juin`` and the bulleted lists.

    A list in running text ends at its first ``et`` (or ``&``); without one, commas alone
    make a list when each date names its month (``5/2/2025, 6/2/2025``) or ``les`` opens
    it (``les 5, 6, 7 juin``): a day read alone before them would be the first day, and
    the first date alone the whole period. A bulleted list runs while each line holds a
    bullet and one date.
    """
    found: list[_Candidate] = []
    index = 0
    while index < len(items):
        last = index
        ended = False
        while last + 1 < len(items):
            gap_start, gap_end = items[last].end, items[last + 1].start
            if _LIST_LAST_JOIN.fullmatch(folded, gap_start, gap_end):
                last += 1
                ended = True
                break
            if not _LIST_JOIN.fullmatch(folded, gap_start, gap_end):
                break
            last += 1
        first = items[index]
        les = _LES_BEFORE.search(folded, max(0, first.start - 6), first.start)
        run = items[index : last + 1]
        if ended or (
            last > index and (les is not None or all(i.item and i.item[1] for i in run))
        ):
            start = first.start if les is None else les.start()
            candidate = _listed(start, items[last].end, run)
            if candidate is not None:
                found.append(candidate)
                index = last + 1
                continue
        index += 1
    index = 0
    while index < len(items):
        last = index
        while last + 1 < len(items) and _CHAIN_JOIN.fullmatch(
            folded, items[last].end, items[last + 1].start
        ):
            last += 1
        if last - index >= 2:
            candidate = _listed(items[index].start, items[last].end, items[index : last + 1])
            if candidate is not None:
                found.append(candidate)
        index = last + 1
    index = 0
    while index < len(items):
        last = index
        if _BULLET_BEFORE.search(folded, max(0, items[index].start - 8), items[index].start):
            while last + 1 < len(items) and _BULLET_JOIN.fullmatch(
                folded, items[last].end, items[last + 1].start
            ):
                last += 1
        candidate = _listed(items[index].start, items[last].end, items[index : last + 1])
        if candidate is not None:
            found.append(candidate)
        index = last + 1
    return found


def _candidates_of(folded: str) -> list[_Candidate]:
    items = _items(folded)
    found = _ranges(folded, items) + _lists(folded, items)
    for written in items:
        item = written.item
        # A bare "12/03" (day and month only) is too often something else to stand alone.
        if (
            item is not None
            and item[1] is not None
            and folded.count("/", written.start, written.end) != 1
        ):
            spans = ((written.start, written.end),)
            found.append(_Candidate(written.start, written.end, _SINGLE_DATE, (item,), spans))
    # Keep the longest reading of each stretch of text: a range beats the dates inside it.
    found.sort(key=lambda c: (c.start - c.end, c.start))
    starts: list[int] = []
    kept: list[_Candidate] = []  # by start, never overlapping
    for candidate in found:
        index = bisect.bisect_right(starts, candidate.start)
        if index > 0 and kept[index - 1].end > candidate.start:
            continue
        if index < len(kept) and kept[index].start < candidate.end:
            continue
        starts.insert(index, candidate.start)
        kept.insert(index, candidate)
    return kept


@lru_cache(maxsize=32)
def _candidates(text: str) -> tuple[_Candidate, ...]:
    return tuple(_candidates_of(fold(text).text))


def _context_year(folded: str) -> int | None:
    """Return the year of a date written without one: the only year the text mentions."""
    years = set(_THIS_CENTURY.findall(folded))
    return int(years.pop()) if len(years) == 1 else None


#: What may open a line that goes on from the line before ("Fait à Paris" / "le 20 mars").
_CONTINUATIONS = frozenset({"", "le", "du", "les", "en date du", ":"})


def _prefix(folded: str, start: int) -> str:
    """Return the text before ``start`` on its line, with the line before if it goes on."""
    line_start = folded.rfind("\n", 0, start) + 1
    prefix = folded[line_start:start]
    if prefix.strip() not in _CONTINUATIONS or line_start == 0:
        return prefix
    previous = folded.rfind("\n", 0, line_start - 1) + 1
    return folded[previous : line_start - 1] + " " + prefix


def _suffix(folded: str, end: int) -> str:
    line_end = folded.find("\n", end)
    return folded[end : len(folded) if line_end < 0 else line_end]


def _is_documentary(folded: str, candidate: _Candidate) -> bool:
    """Say whether a date is a birth date or a date of the document (issue, signature...)."""
    prefix = _prefix(folded, candidate.start)[-100:]
    if _BIRTH.search(prefix) or _DOCUMENT.search(prefix):
        return True
    suffix = _suffix(folded, candidate.end)
    if _STAMP.match(suffix):
        return True
    first_item = folded[candidate.item_spans[0][0] : candidate.item_spans[0][1]]
    if re.match(r"\d{4}", first_item) and _ISO_STAMP.match(suffix):
        return True
    if candidate.form != _SINGLE_DATE:
        return False
    line_prefix = folded[folded.rfind("\n", 0, candidate.start) + 1 : candidate.start]
    place = _PLACE_COMMA.match(line_prefix)
    if (
        place
        and len(place.group("place").split()) <= 4
        and not _any_context(line_prefix)
        and not _any_context(suffix)
    ):
        return True
    if not (_LE_ALONE.match(line_prefix) and _AT_PLACE.match(suffix)):
        return False
    # "Le 20 mars 2025 à Lyon" signs, unless it ends a sentence begun on the line before
    # ("... qui s'est déroulée" / "le mardi 14 janvier 2025 à Dijon.").
    line_start = folded.rfind("\n", 0, candidate.start) + 1
    previous = folded[folded.rfind("\n", 0, max(line_start - 1, 0)) + 1 : max(line_start - 1, 0)]
    ends_sentence = previous.rstrip()[-1:] in ("", ".", "!", "?", ":", ";")
    return ends_sentence or not _STRONG_CONTEXT.search(previous)


def _any_context(text: str) -> bool:
    return bool(_STRONG_CONTEXT.search(text) or _WEAK_CONTEXT.search(text))


def _score(folded: str, candidate: _Candidate) -> int:
    """Rank a period: explicit ranges and labels, then the context of the action."""
    score = 0 if candidate.form == _SINGLE_DATE else 2
    near = _prefix(folded, candidate.start)[-70:]
    if _PERIOD_LABEL.search(near):
        score += 2
    elif _BARE_DATE_LABEL.search(near):
        score -= 1
    window_start = max(0, candidate.start - _CONTEXT_CHARS)
    window = folded[window_start : candidate.start]
    breaks = list(_PARAGRAPH.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    if _STRONG_CONTEXT.search(window):
        score += 2
    elif _WEAK_CONTEXT.search(window):
        score += 1
    return score


@dataclass(frozen=True, slots=True)
class _Period:
    start: date
    end: date
    score: int
    span: tuple[int, int]


def _periods(text: str, default_year: int | None) -> list[_Period]:
    folded = fold(text).text
    year = default_year if default_year is not None else _context_year(folded)
    periods: list[_Period] = []
    for candidate in _candidates(text):
        dates = _resolve(candidate.items, year)
        if not dates or _is_documentary(folded, candidate):
            continue
        if candidate.form == _LISTED:
            start, end = min(dates), max(dates)
        else:
            start, end = dates[0], dates[-1]
        if start.year < _EARLIEST_YEAR:
            continue
        span = (candidate.start, candidate.end)
        periods.append(_Period(start, end, _score(folded, candidate), span))
    return periods


def find_period(text: str, *, default_year: int | None = None) -> DateSpan | None:
    """Return the dates the action took place, read in running text or a form.

    Reads ``le 12 mars 2025``, ``du 12 au 14 mars 2025``, ``du 30 septembre au 2 octobre
    2025``, ``les 3, 4 et 5 juin 2025``, ``12-14 mars 2025``, ``entre le ... et le ...``,
    ``Dates : 12/03/2025 - 14/03/2025``, ``Date de début : ... Date de fin : ...``, a
    bulleted list of dates, one per line (first to last; a dash opening a line is a
    bullet, never a range);
    a date without its year (``le 1er avril``) takes ``default_year``, else the only year
    the text mentions. Never returns a date of birth (``né(e) le``, ``date de
    naissance``), a date of the document (``Fait à Paris, le``, ``édité le``, ``imprimé
    le``, ``délivré le``, ``Signé électroniquement le``, time stamps, ``Paris, le ...``,
    ``Le ... à Lyon`` on a signature line), a legal reference (``décret du ...``) or a
    date before 2000. Explicit ranges and labelled periods (``Session du``, ``Dates de
    l'action``) rank above bare dates, then the context of the action (``a participé``,
    ``s'est déroulée``, then ``formation``, ``session``, ``réunion``...); a bare
    ``Date :`` ranks below. When the best rank holds different periods, ``None``: a
    person decides rather than a guess.
    """
    periods = _periods(text, default_year)
    if not periods:
        return None
    best = max(p.score for p in periods)
    top = [p for p in periods if p.score == best]
    if len({(p.start, p.end) for p in top}) != 1:
        return None
    folded = fold(text)
    return DateSpan(top[0].start, top[0].end, folded.excerpt(*top[0].span))


def find_event_dates(text: str, *, default_year: int | None = None) -> list[Found[date]]:
    """Return each day named as an occurrence of something: single dates and list items.

    ``les 12 janvier, 9 février et 16 mars 2025`` gives three dates, and so does a bulleted
    list (``- 12/01/2025`` / ``- 09/02/2025`` / ``- 16/03/2025``). Ranges (``du ... au
    ...``, a continuous period) are left out, and so are the dates :func:`find_period`
    never returns (birth, document, legal reference, before 2000). In order of the text,
    without repeats.
    """
    folded = fold(text)
    year = default_year if default_year is not None else _context_year(folded.text)
    found: dict[date, Found[date]] = {}
    for candidate in _candidates(text):
        if candidate.form == _RANGE or _is_documentary(folded.text, candidate):
            continue
        dates = _resolve(candidate.items, year) or []
        for value, span in zip(dates, candidate.item_spans, strict=False):
            if value.year >= _EARLIEST_YEAR and value not in found:
                found[value] = Found(value, folded.excerpt(*span))
    return list(found.values())


# ---------------------------------------------------------------------- labelled dates


def _label_pattern(label: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s']+", fold(label).text) if w]
    return r"(?<![\w])" + r"[\s']+".join(words) + r"(?![\w])"


@lru_cache(maxsize=128)
def _labelled_date_pattern(label: str) -> Gated:
    return gated(
        _label_pattern(label) + r"[^\d\n]{0,30}?(?:\n[^\d\n]{0,10}?)?(?P<date>" + _FULL + ")"
    )


def find_labelled_date(text: str, labels: Sequence[str]) -> Found[date] | None:
    """Return the date written after one of ``labels`` (case- and accent-insensitive).

    Labels are tried in the order given, the first that is followed by a date within a
    few words (or at the start of the next line) wins. Evidence runs from the label to
    the date.
    """
    folded = fold(text)
    for label in labels:
        for match in _labelled_date_pattern(label).finditer(folded.text):
            value = _full_date(match)
            if value is not None:
                return Found(value, folded.excerpt(match.start(), match.end()))
    return None


_ACADEMIC_YEAR = gated(
    r"(?:\bannee\s+(?:universitaire|academique|scolaire)|\bau\b|\bannee\b)"
    r"[^\d\n]{0,6}?\n?[^\d\n]{0,3}?(?P<first>(?:19|20)\d\d)\s*[-/]\s*(?P<second>(?:19|20)?\d\d)(?!\d)"
)


def academic_year(text: str) -> Found[tuple[int, int]] | None:
    """Return an academic year: ``année universitaire 2023-2024``, ``AU 2023/2024``...

    The two years must be consecutive (``2023-24`` is read as 2023-2024).
    """
    folded = fold(text)
    for match in _ACADEMIC_YEAR.finditer(folded.text):
        first = int(match.group("first"))
        second_text = match.group("second")
        second = int(second_text)
        if len(second_text) == 2:
            second += first // 100 * 100
        if second == first + 1:
            evidence = folded.excerpt(match.start(), match.end())
            return Found((first, second), evidence)
    return None


@lru_cache(maxsize=128)
def _year_pattern(label: str) -> Gated:
    return gated(
        _label_pattern(label) + r"[^\S\n]*(?:\n[^\S\n]*)?:?[^\S\n]*(?P<year>(?:19|20)\d\d)(?!\d)"
        r"(?!\s*[-/]\s*(?:19|20)?\d\d(?!\d))"
    )


def find_year(text: str, labels: Sequence[str]) -> Found[int] | None:
    """Return the year written right after one of ``labels`` (``année 2024``, ``session 2024``).

    Labels are tried in the order given. An academic year (``année 2023-2024``) is not a
    year: see :func:`academic_year`.
    """
    folded = fold(text)
    for label in labels:
        match = _year_pattern(label).search(folded.text)
        if match is not None:
            return Found(int(match.group("year")), folded.excerpt(match.start(), match.end()))
    return None

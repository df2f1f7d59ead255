"""Identifiers written on attestations: RPPS, DPC action and session, ODPC, NDA, SIRET.

Every finder looks for a label first and reads the number after it: a bare run of digits
is never taken for an identifier, since an 11-digit DPC action number, an RPPS and an NDA
look alike. Values are returned as digits only (except session numbers, kept as written);
evidence runs from the label to the end of the number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from attest_pipeline.models import Found
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.scan import Gated, at_digits, gated

# ------------------------------------------------------------------------------ checks


def luhn_valid(digits: str) -> bool:
    """Say whether ``digits`` (ASCII digits only) passes the Luhn check."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


#: OCR slips inside a run of digits.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "i": "1", "|": "1"})
_SEPARATORS = re.compile(r"[\s.\-_/]+")


def normalise_rpps(raw: str) -> str:
    """Clean an RPPS as read: drop separators, repair OCR slips, unwrap an IdNatPS.

    ``100 056 826 03`` and ``1OOO5682603`` give ``10005682603``; the 12-character IdNatPS
    ``810005682603`` gives the RPPS ``10005682603``. The result is returned even when it
    is not a valid RPPS (see :func:`rpps_valid`).
    """
    cleaned = _SEPARATORS.sub("", raw)
    if any(c.isdigit() for c in cleaned) and all(c.isdigit() or c in "OolIi|" for c in cleaned):
        cleaned = cleaned.translate(_OCR_DIGITS)
    if len(cleaned) == 12 and cleaned.startswith("8") and cleaned.isdigit():
        cleaned = cleaned[1:]
    return cleaned


def rpps_valid(rpps: str) -> bool:
    """Say whether ``rpps`` is a valid RPPS: 11 digits, starting with 1, Luhn over all 11."""
    return len(rpps) == 11 and rpps.startswith("1") and luhn_valid(rpps)


#: La Poste's SIREN: its establishments' SIRET do not follow Luhn (sum of digits % 5).
_LA_POSTE_SIREN = "356000000"


def siren_valid(siren: str) -> bool:
    """Say whether ``siren`` is a valid SIREN: 9 digits, Luhn (La Poste's is valid too)."""
    return len(siren) == 9 and (luhn_valid(siren) or siren == _LA_POSTE_SIREN)


def siret_valid(siret: str) -> bool:
    """Say whether ``siret`` is a valid SIRET: 14 digits, Luhn, or La Poste's rule.

    La Poste's establishments (SIREN 356000000) may instead have SIRET whose digits add up
    to a multiple of 5.
    """
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        return False
    if luhn_valid(siret):
        return True
    return siret.startswith(_LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


# --------------------------------------------------------------------- labelled values


@dataclass(frozen=True, slots=True)
class _Number:
    """A run of digit groups read after a label, in folded-text coordinates."""

    run: str
    label_start: int
    start: int


#: Words allowed between a label and its number ("N° RPPS du participant : ...").
_GAP_WORDS = re.compile(
    r"\b(?:n|no|n°|num|numero|nr|de|du|d|l|la|le|des|pp|ps|participant|medecin|praticien|"
    r"professionnel|sante|national|nationale|identification|identifiant|enregistrement|"
    r"enregistree?|sous|aupres|activite|action|dpc|reference|ref|programme|session|siret|"
    r"siren|est|odpc|organisme|number)\b"
)
_GAP_MAX = 40

_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[a-z]")
#: Digit groups separated by single spaces, dots or dashes; OCR letters allowed inside.
_DIGIT_RUN = re.compile(r"\d[\doil|]*(?:[ .\-][\doil|]*\d[\doil|]*)*")


def _numbers_after(folded: Folded, label: Gated) -> Iterator[_Number]:
    """Yield the number written after each occurrence of ``label`` (filler words allowed)."""
    text = folded.text
    for match in label.finditer(text):
        window = text[match.end() : match.end() + _GAP_MAX + 1]
        digit = _DIGIT.search(window)
        if digit is None:
            continue
        gap = window[: digit.start()]
        if gap.count("\n") > 1 or _LETTER.search(_GAP_WORDS.sub(" ", gap)):
            continue
        run = _DIGIT_RUN.match(text, match.end() + digit.start())
        if run is not None:
            yield _Number(run.group(), match.start(), run.start())


def _take_digits(run: str, count: int) -> tuple[str, int]:
    """Join the groups of ``run`` until ``count`` digits are reached.

    Return the digits (OCR slips repaired) and how many characters of ``run`` they use.
    """
    digits = ""
    used = 0
    for group in re.finditer(r"[^ .\-]+", run):
        digits += group.group().translate(_OCR_DIGITS)
        used = group.end()
        if len(digits) >= count:
            break
    return digits, used


def _found(folded: Folded, number: _Number, value: str, used: int) -> Found[str]:
    return Found(value, folded.excerpt(number.label_start, number.start + used))


# ---------------------------------------------------------------------------- RPPS

_RPPS_LABEL = gated(
    r"(?:(?:\bn[°o]\.?|\bnumero|\bidentifiant)\s*)?\b(?:rpps|idnatps|id\.?\s*nat\.?\s*ps|identifiant\s+national|identification\s+nationale)"
)

#: Words between the start of its sentence and an RPPS that make it someone else's.
_SIGNATORY_BEFORE = re.compile(
    r"\b(?:soussigne\w*|president\w*|directeur|directrice|doyen\w*|responsable|formateur|"
    r"formatrice|intervenant\w*|coordinat\w*|coordonnat\w*|signataire|organisateur)\b"
)

#: Phrases after which the participant, not the signatory, is named.
_PARTICIPANT_FOLLOWS = re.compile(
    r"\b(?:certifi\w*|attest\w*|confirm\w*)\s+(?:par\s+la\s+presente\s+)?"
    r"(?:que|(?:de\s+)?la\s+participation\s+de)\b"
)


def _rpps_numbers(folded: Folded) -> list[tuple[Found[str], int]]:
    found: list[tuple[Found[str], int]] = []
    for number in _numbers_after(folded, _RPPS_LABEL):
        digits, used = _take_digits(number.run, 11)
        value = normalise_rpps(digits)
        if not value.isdigit() or value.startswith("0"):
            continue
        if len(value) == 11 or (10 <= len(value) <= 12 and value.startswith("1")):
            found.append((_found(folded, number, value, used), number.label_start))
    return found


def _signatory_line_before(text: str, line_start: int) -> bool:
    """Say whether the line before ``line_start`` is a short one naming a role."""
    if line_start == 0:
        return False
    previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]
    return len(previous.split()) <= 6 and _SIGNATORY_BEFORE.search(previous) is not None


def find_all_rpps(text: str) -> list[Found[str]]:
    """Return every RPPS written after a label, in order, normalised, valid or not.

    Nine digits (an ADELI number), fourteen (a SIRET) and numbers starting with 0 (phone
    numbers, ADELI-based identifiers) are not RPPS and are skipped.
    """
    return [found for found, _ in _rpps_numbers(fold(text))]


def find_rpps(text: str) -> Found[str] | None:
    """Return the participant's RPPS, read after its label, valid or not.

    Labels: ``RPPS``, ``N° RPPS``, ``n°RPPS :``, ``Identifiant RPPS``, ``IdNatPS``,
    ``Identifiant national``, ``N° ADELI/RPPS``... The value is normalised
    (:func:`normalise_rpps`) and returned even when it fails the check: the core decides
    ``invalid_rpps``. An ADELI (9 digits), a SIRET, a phone number or a DPC action number
    is never returned. An RPPS in a sentence naming the signatory (``Je soussigné``,
    ``Président``..., before any ``certifie que``), or right under a short line naming a
    role, is passed over when the text has another one.
    """
    folded = fold(text)
    numbers = _rpps_numbers(folded)
    for found, label_start in numbers:
        start = line_start = folded.text.rfind("\n", 0, label_start) + 1
        for marker in _PARTICIPANT_FOLLOWS.finditer(folded.text, start, label_start):
            start = marker.end()
        if not _SIGNATORY_BEFORE.search(folded.text, start, label_start) and not (
            start == line_start and _signatory_line_before(folded.text, line_start)
        ):
            return found
    return numbers[0][0] if numbers else None


# ------------------------------------------------------------------- DPC identifiers

_ACTION_LABEL = re.compile(
    r"(?:\bn[°o]?\s*(?:d'|de\s+l')?action\b|\bactions?\b|\bdpc\b|\breference\b|\bref\b|"
    r"\bprogramme\b)"
)
_ELEVEN_DIGITS = re.compile(r"(?<!\d)(?<!\d[ .])\d(?:[ .]?\d){10}(?![ .]?\d)")
_OTHER_LABELS = re.compile(
    r"\b(?:rpps|idnatps|adeli|siret|siren|tel|telephone|fax|portable|nda|"
    r"declaration\s+d'activite|odpc|session)\b"
)


def find_dpc_action(text: str) -> Found[str] | None:
    """Return the DPC action number: 11 digits near ``action``, ``DPC`` or ``référence``.

    The label must stand on the number's line or the line before, within 80 characters;
    the digits may be grouped (``9876 2500 123``). A number whose closest label is an
    RPPS, SIRET, NDA, ODPC, session or phone label is skipped. The value is the digits.
    """
    folded = fold(text)
    text_ = folded.text
    for match in at_digits(_ELEVEN_DIGITS, text_):
        line_start = text_.rfind("\n", 0, match.start()) + 1
        previous_line = text_.rfind("\n", 0, max(line_start - 1, 0)) + 1
        window_start = max(previous_line, match.start() - 80)
        labels = list(_ACTION_LABEL.finditer(text_, window_start, match.start()))
        if not labels or _OTHER_LABELS.search(text_, labels[-1].end(), match.start()):
            continue
        digits = re.sub(r"\D", "", match.group())
        return Found(digits, folded.excerpt(labels[-1].start(), match.end()))
    return None


_SESSION = gated(
    r"(?:\b(?:n[°o]|numero)\s*(?:de\s+(?:la\s+)?)?session\s*:?\s*"
    r"|\bsession\s*(?:n[°o]|numero|#)\.?\s*:?\s*"
    r"|\bsession\s*:\s*"
    r"|\bsession\s+(?=\d{1,3}\b(?![/.\-]\d)))"
    r"(?P<value>\d[\da-z]*(?:[.\-/]\d[\da-z]*)*)"
)
_DATE_LIKE = re.compile(r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?")
_MONTH_AFTER = re.compile(r"\s*(?:er\s+)?(?:janv|fev|mars|avr|mai|juin|juil|aout|sep|oct|nov|dec)")


def find_session(text: str) -> Found[str] | None:
    """Return the session number of an action (``Session n° 2``, ``N° de session : 25.002``).

    The value is kept as written. A date (``Session du 12 mars``, ``Session : 12/03/2025``)
    or a year (``Session 2024``) is not a session number.
    """
    folded = fold(text)
    for match in _SESSION.finditer(folded.text):
        value = match.group("value")
        if _DATE_LIKE.fullmatch(value) or _MONTH_AFTER.match(folded.text, match.end()):
            continue
        original = folded.excerpt(match.start("value"), match.end("value"))
        return Found(original, folded.excerpt(match.start(), match.end()))
    return None


_ODPC_LABEL = gated(
    r"\b(?:odpc|organisme\s+(?:de\s+)?dpc|enregistre\w*\s+(?:aupres\s+de\s+(?:l'andpc|"
    r"l'agence\s+nationale\s+du\s+(?:dpc|developpement\s+professionnel\s+continu)"
    r"(?:\s*\(\s*andpc\s*\))?)\s*,?\s*)?sous\s+le\s+(?:n[°o]|numero))"
)


def find_odpc(text: str) -> Found[str] | None:
    """Return the 4-digit ODPC number (``ODPC n° 1234``, ``enregistré sous le n° 1234``).

    Also ``enregistré auprès de l'ANDPC`` / ``de l'Agence nationale du DPC`` (or du
    Développement Professionnel Continu) ``sous le numéro 1234``. A longer number after
    the same words (an NDA, an action number) is not one.
    """
    folded = fold(text)
    for number in _numbers_after(folded, _ODPC_LABEL):
        if re.fullmatch(r"\d{4}", number.run):
            return _found(folded, number, number.run, 4)
    return None


_NDA_LABEL = gated(
    r"\b(?:declaration\s+d'activite|nda|numero\s+d'activite|n[°o]\s+d'activite|"
    r"numero\s+de\s+declaration|n[°o]\s+de\s+declaration)\b"
)


def find_nda(text: str) -> Found[str] | None:
    """Return a training organisation's NDA: 11 digits ``RR DD NNNNN DD`` after its label.

    Labels: ``déclaration d'activité (enregistrée sous le numéro)``, ``NDA``, ``numéro de
    déclaration``. The value is the 11 digits.
    """
    folded = fold(text)
    for number in _numbers_after(folded, _NDA_LABEL):
        digits, used = _take_digits(number.run, 11)
        if len(digits) == 11 and digits.isdigit():
            return _found(folded, number, digits, used)
    return None


_SIRET_LABEL = gated(r"\b(?:siret|siren)\b")


def find_siret(text: str) -> Found[str] | None:
    """Return a valid SIRET (14 digits) or, failing one, a SIREN (9 digits) after its label.

    ``N° SIRET : 123 456 789 00012``. Numbers failing their check are not returned, and
    neither is the SIREN part of an invalid SIRET (a misread number).
    """
    folded = fold(text)
    sirens: list[Found[str]] = []
    for number in _numbers_after(folded, _SIRET_LABEL):
        digits, used = _take_digits(number.run, 14)
        if siret_valid(digits):
            return _found(folded, number, digits, used)
        if siren_valid(digits):
            sirens.append(_found(folded, number, digits, used))
    return sirens[0] if sirens else None

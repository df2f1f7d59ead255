"""Finding the participant's name: after a marker, in a label layout, or failing those.

:func:`find_person` looks, earliest in the text first, after one of the markers
(``certifie que``, ``Nom et prénom :``, ``Participant ..... DUPONT Jean``) and in a
``Nom :`` / ``Prénom :`` pair (:mod:`~attest_pipeline.text.name_fields`); failing those,
for a name written without a marker (:mod:`~attest_pipeline.text.participant_fallback`);
failing that, for whatever stands after a marker, for the roster to check against the
RPPS. It errs on the side of no answer: a signatory is never returned, and names that
disagree give ``None``: a person then reads the attestation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from attest_pipeline.models import Found
from attest_pipeline.text.fold import Folded, fold, normalise
from attest_pipeline.text.name_fields import name_fields
from attest_pipeline.text.name_reading import (
    LABEL_WORDS,
    ROLE_WORDS,
    TOKEN,
    Hit,
    line_bounds,
    name_at,
    role_follows,
    take_name,
    value_start,
)
from attest_pipeline.text.names import ARTICLES, CIVILITIES, word_set
from attest_pipeline.text.participant_fallback import fallback_person
from attest_pipeline.text.scan import Gated, Gates, gated

#: Phrases after which the participant's name is written, in running text or as labels.
#: A marker ending in ``que``, ``de`` or ``that``, or a phrase not opening with a label's
#: word, is running text (the signatory comes before it, see :func:`_running`);
#: the others are labels, which may carry a few more words and a colon.
DEFAULT_MARKERS: tuple[str, ...] = (
    "certifie que",
    "certifions que",
    "certifie par la présente que",
    "atteste que",
    "attestons que",
    "atteste par la présente que",
    "atteste de la participation de",
    "atteste la participation de",
    "attestons de la participation de",
    "certifie la participation de",
    "confirme la participation de",
    "confirme que",
    "nom et prénom",
    "nom, prénom",
    "nom prénom",
    "nom / prénom",
    "prénom et nom",
    "prénom nom",
    "nom du participant",
    "participant(e)",
    "participante",
    "participant",
    "stagiaire",
    "apprenant(e)",
    "apprenante",
    "apprenant",
    "bénéficiaire",
    "identité",
    # English (certificates of attendance of international congresses held in France).
    "this is to certify that",
    "hereby certify that",
    "certify that",
    "certifies that",
    "hereby confirm that",
    "confirms that",
    "participant name",
    "full name",
    "name of participant",
    "name",
)

#: A dot leader between a label and its value ("Participant ........ DUPONT Jean"); OCR
#: reads some dots as dashes or colons.
_LEADER = r"[ \t]*(?:\.{2,}|…+|_{3,})[ \t.…:\-]*"

#: The first words of label markers ("Nom et prénom", "Participant name"): a marker of
#: several words starting otherwise is a phrase of running text ("délivré à").
_LABEL_STARTS = LABEL_WORDS | word_set(
    "name full identite participant(e) nom, prenom, medecin professionnel"
)


def _running(folded: str) -> bool:
    """Say whether a (folded) marker is a phrase of running text rather than a label.

    Running text: a marker ending in ``que``, ``de`` or ``that`` (``atteste que``), or a
    phrase of several words not opening with a label's word (``délivré à``, ``déclaré
    admis(e)``); the name follows it in the sentence, colon or not.
    """
    words = folded.split()
    if folded.endswith((" que", " de", " that")):
        return True
    if folded.rstrip().endswith(":"):
        return False
    return len(words) > 1 and words[0] not in _LABEL_STARTS


def _compile_marker(marker: str) -> tuple[Gated, bool]:
    folded = fold(marker).text
    words = [re.escape(w) for w in re.split(r"[\s\-'.]+", folded) if w]
    body = r"[\s\-'.]*".join(words).replace(r"\(e\)", r"\s*\(\s*e\s*\)")
    running = _running(folded)
    # A label is followed by a colon (a few words may come first: "Participant(e) au
    # programme :") or by a dot leader ("Participant ........ DUPONT Jean").
    tail = (
        r"(?:\s*:)?"
        if running
        else r"(?:s\b)?(?:(?P<leader>" + _LEADER + r")|(?P<tail>[^:\n]{0,40}:))?"
    )
    return gated(r"(?<![\w'])" + body + tail), running


@lru_cache(maxsize=64)
def _marker_patterns(markers: tuple[str, ...]) -> tuple[tuple[Gated, bool], ...]:
    return tuple(_compile_marker(m) for m in markers)


@lru_cache(maxsize=64)
def _marker_gates(markers: tuple[str, ...]) -> Gates:
    """The markers' patterns asked together which of them a text may hold (one test)."""
    return Gates(pattern for pattern, _ in _marker_patterns(markers))


#: A word that makes the label word after it the subject or object of a sentence
#: ("le participant nommé ci-après", "chaque stagiaire reçoit", "the participant named below").
_DETERMINER_BEFORE = re.compile(
    r"(?<![\w'])(?:le|la|les|l'|un|une|des|du|au|aux|ce|cet|cette|ces|chaque|tout|toute|tous|"
    r"son|sa|ses|leur|leurs|notre|votre|dont|par|pour|de|d'|"
    r"the|this|each|every|any|our|your|their|of|by|for)\s*$"
)


def _label_layout(folded: Folded, match: re.Match[str], before: str) -> bool:
    """Say whether a label marker is laid out as a label, not written in a sentence.

    A label is followed by a colon (right away, or after a few words: ``Participant(e) au
    programme :``) or by a dot leader; without either, it must open its line and have its
    value in the next cell (a wide gap, or a capital: the text layer of a grid gives
    ``Participant Marie MARTIN``) or on the next line. After a determiner (``le
    participant nommé ci-après``, ``chaque stagiaire reçoit :``) only a colon or a leader
    right after it makes a label.
    """
    tail = match.group("tail")
    immediate = match.group("leader") is not None or (tail is not None and not tail[:-1].strip())
    if _DETERMINER_BEFORE.search(before):
        return immediate
    if match.group("leader") is not None or tail is not None:
        return True
    original = folded.original
    end = folded.position(match.end())
    line_end = original.find("\n", end)
    after = original[end : len(original) if line_end < 0 else line_end]
    opens_line = not before.strip(" \t-•*·–")
    # A grid's next cell, as a text layer gives it: a wide gap, or a capital after a space.
    cell = after.startswith(("  ", "\t")) or after.lstrip()[:1].isupper()
    return opens_line and (not after.strip() or cell)


def _marker_hit(folded: Folded, pattern: Gated, running: bool) -> Hit | None:
    """Return the first name written after ``pattern``, a marker, or ``None``."""
    original = folded.original
    for match in pattern.finditer(folded.text):
        if not running:
            line_start, _ = line_bounds(folded.text, match.start())
            before = folded.text[line_start : match.start()]
            if ROLE_WORDS.search(before) or ROLE_WORDS.search(match.group("tail") or ""):
                continue
            if not _label_layout(folded, match, before):
                continue
        start, end = folded.span(match.start(), match.end())
        span = name_at(original, end)
        if span is not None:
            value_end = span[1] if running else _comma_first_name(original, span[1])
        elif not running:
            # "Nom, prénom : Dupont, Jean": one word, then the first name after a comma.
            span = name_at(original, end, allow_single=True)
            value_end = 0 if span is None else _comma_first_name(original, span[1])
            if span is not None and value_end == span[1]:
                continue
        if span is None or role_follows(original, span[1]):
            continue
        return Hit(start, Found(original[span[0] : value_end], original[start:value_end]))
    return None


def _first_marker_hit(
    folded: Folded, markers: tuple[str, ...], found: Hit | None
) -> Hit | None:
    """Return the earliest name after one of ``markers``, or ``found`` if earlier.

    Markers are tried from the one that may occur first, and no further once the best
    hit comes before the earliest place the next one may occur. At equal positions, the
    marker listed first wins, and any of them wins over ``found``.
    """
    text = folded.text
    order = []
    patterns = _marker_patterns(markers)
    for index in _marker_gates(markers).which(text):
        pattern, running = patterns[index]
        earliest = pattern.earliest(text)
        if earliest is not None:
            order.append((earliest, index, pattern, running))
    order.sort(key=lambda item: (item[0], item[1]))
    best = found
    best_rank = len(markers)
    for earliest, index, pattern, running in order:
        if best is not None and folded.position(earliest) > best.position:
            break
        hit = _marker_hit(folded, pattern, running)
        if hit is not None and (
            best is None
            or hit.position < best.position
            or (hit.position == best.position and index < best_rank)
        ):
            best, best_rank = hit, index
    return best


def _comma_first_name(original: str, name_end: int) -> int:
    """Return where ``Dupont, Jean`` ends in a label layout (the comma: family, first)."""
    _, line_end = line_bounds(original, name_end)
    rest = original[name_end:line_end]
    comma = re.match(r"\s*,\s*", rest)
    if not comma:
        return name_end
    first = take_name(rest[comma.end() :], allow_single=True)
    if first is None or rest[comma.end() + first[1] :].strip(" .;"):
        return name_end
    return name_end + comma.end() + first[1]


#: Where a value that is not a name ends: at a field separator or a wide gap.
_VALUE_STOP = re.compile(r"[,;:(\[|\t]|\s{3,}")
_EXPLICIT_LABEL = re.compile(r"(?::|" + _LEADER + r")\s*$")


def _weak_hit(folded: Folded, markers: tuple[str, ...]) -> Hit | None:
    """Return what stands where a marker announces the participant, when it is no full name.

    The last resort of :func:`find_person`: a family name alone (``Participant : DUPONT``,
    ``certifie que le Dr DUPONT,``), or, after a label (``Participant :``) or a civility, a
    value that cannot be a person's name (digits, one 300-letter word). Returned so that it
    is checked against the RPPS's holder, never to file under: alone it matches no one.
    """
    original = folded.original
    best: Hit | None = None
    for pattern, running in _marker_patterns(markers):
        for match in pattern.finditer(folded.text):
            line_start, _ = line_bounds(folded.text, match.start())
            before = folded.text[line_start : match.start()]
            if not running and not (
                _EXPLICIT_LABEL.search(match.group()) and _label_layout(folded, match, before)
            ):
                continue  # "le participant a suivi": the word, not a label
            if not running and (
                ROLE_WORDS.search(folded.text[line_start : match.start()])
                or ROLE_WORDS.search(match.group("tail") or "")
            ):
                continue
            start, end = folded.span(match.start(), match.end())
            value = value_start(original, end)
            _, line_end = line_bounds(original, value)
            segment = original[value:line_end]
            taken = take_name(segment, allow_single=True)
            if taken is not None:
                span = (value + taken[0], value + taken[1])
            else:
                raw = _raw_value(segment, civility_needed=running)
                if raw is None:
                    continue
                span = (value + raw[0], value + raw[1])
            if role_follows(original, span[1]):
                continue
            hit = Hit(start, Found(original[span[0] : span[1]], original[start : span[1]]))
            if best is None or hit.position < best.position:
                best = hit
            break
    return best


def _raw_value(segment: str, *, civility_needed: bool) -> tuple[int, int] | None:
    """The span of the value at the start of ``segment`` (civilities passed), if any.

    With ``civility_needed`` (running text), only a value after a civility counts: ``le Dr
    12345`` announces a name, ``certifie que l'action...`` does not.
    """
    stop = _VALUE_STOP.search(segment)
    if stop is not None and stop.group() == ":":
        return None  # the next field's label
    head = segment[: stop.start()] if stop else segment
    position = 0
    civility = False
    for match in TOKEN.finditer(head):
        word = normalise(match.group().rstrip("."))
        if word in CIVILITIES or word in ARTICLES:
            civility = civility or word in CIVILITIES
            position = match.end()
            continue
        break
    value = head[position:].strip()
    if not value or (civility_needed and not civility):
        return None
    first = head.index(value, position)
    return first, first + len(value)


def find_person(text: str, markers: Sequence[str] = DEFAULT_MARKERS) -> Found[str] | None:
    """Return the participant's name in running text or in a label/value layout.

    Looked for, earliest in the text first: after one of ``markers`` (``certifie que``,
    ``Nom et prénom :``, ``Participant(e) :``, ``Participant ..... DUPONT Jean``...) and in
    a ``Nom :`` / ``Prénom :`` pair, colons or a grid's cells (rendered ``LAST, First``,
    which :func:`split_name` reads unambiguously). A label marker counts only where the
    layout makes it a label (a colon, a dot leader, or opening its line with the value
    in the next cell or below): ``le participant nommé ci-après`` is a sentence.
    Failing those, a name followed by a participation phrase (``Dr Jean DUPONT a
    participé``, ``Claire MARTIN, médecin généraliste, a assisté``, a name alone on the
    line before ``a assisté``), then a bare ``Dr``/``Docteur`` name; when such names
    disagree, ``None``. The signatory is never
    returned: a name with a role (président, directeur, doyen, responsable, ``signé
    électroniquement par``...) on its line or on a short line beside it, a name written
    after ``Je soussigné``, a bare doctor's name after the dated signature line. A name
    stops at a comma, ``né(e) le``, ``RPPS``, ``a participé``, ``a suivi``, a digit or the
    end of the line. The value is the name as written without the civility in front;
    ``evidence`` runs from the marker, label or civility to the end of the name. When no
    full name is found, what stands after a marker is returned all the same (a family name
    alone, digits...: see :func:`_weak_hit`), for the roster to check against the RPPS.
    """
    folded = fold(text)
    fields = name_fields(folded)
    labelled: Hit | None = None
    if fields is not None:
        last, first = fields
        value = f"{text[last.start : last.end]}, {text[first.start : first.end]}"
        start = min(last.label, first.label)
        labelled = Hit(start, Found(value, text[start : max(last.end, first.end)]))
    hit = _first_marker_hit(folded, tuple(markers), labelled)
    if hit is not None:
        return hit.found
    person = fallback_person(folded)
    if person is not None:
        return person
    weak = _weak_hit(folded, tuple(markers))
    return None if weak is None else weak.found

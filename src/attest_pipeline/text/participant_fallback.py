"""The participant when no marker names one: a name before ``a participé``, after ``Dr``.

The last resort of :func:`~attest_pipeline.text.participant.find_person`, which errs on
the side of no answer: a name followed by a participation phrase comes first, a bare
doctor's name second, and names that disagree give ``None``. Signatories are never
taken: a name with a role beside it, a doctor named as who did something (``animée par
le Dr``), the name after ``Je soussigné``, a bare doctor's name under the line where the
attestation is dated and signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from attest_pipeline.models import Found
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.name_reading import (
    AGENT_BEFORE,
    ROLE_WORDS,
    UNDERSIGNED,
    Hit,
    line_bounds,
    names_a_role,
    take_name,
)
from attest_pipeline.text.names import WORD_KINDS, WordKind, name_keys, word_kind
from attest_pipeline.text.scan import gated

_DOCTOR = gated(r"(?<![\w'])(?:dr|docteur|docteure)\b\.?\s+")
_PARTICIPATION_AFTER = re.compile(
    r"[^\n]{0,80}?\b(?:a\s+(?:bien\s+)?(?:participe|suivi|assiste|pris\s+part|effectue|"
    r"valide|realise)|nee?\s+le|ne\s*\(\s*e\s*\)\s+le|rpps)\b"
)


@dataclass(frozen=True, slots=True)
class _Fallback:
    """Names found without a marker: after ``Dr``, or before a participation verb.

    ``participating`` are followed by a participation phrase, ``others`` are bare
    doctors' names, ``signatories`` the name keys of people named with a role.
    """

    participating: list[Hit]
    others: list[Hit]
    signatories: set[frozenset[str]]


def _doctor_hits(folded: Folded, fallback: _Fallback) -> None:
    """Add the names after ``Dr``/``Docteur`` to ``fallback``, signatories apart."""
    original = folded.original
    for match in _DOCTOR.finditer(folded.text):
        start, end = folded.span(match.start(), match.end())
        _, line_end = line_bounds(original, end)
        taken = take_name(original[end:line_end])
        if taken is None:
            continue
        name_end = end + taken[1]
        name = original[end + taken[0] : name_end]
        line_start, _ = line_bounds(folded.text, match.start())
        agent = AGENT_BEFORE.search(folded.text, line_start, match.start()) is not None
        if agent or names_a_role(folded, match.start()):
            fallback.signatories.add(name_keys(name))
            continue
        hit = Hit(start, Found(name, original[start:name_end]))
        after = fold(original[name_end : name_end + 120]).text
        if _PARTICIPATION_AFTER.match(after):
            fallback.participating.append(hit)
        else:
            fallback.others.append(hit)


#: What a participant did, right after the name: "Claire MARTIN a assisté au congrès".
_PARTICIPATION_VERB = gated(
    r"(?<![\w'])a\s+(?:bien\s+)?(?:participe|assiste|suivi|pris\s+part|effectue|valide|realise)\b"
    r"|(?<![\w'])a\s+ete\s+(?:declaree?\s+)?(?:admise?|recue?)\b"
)
#: What may stand between the name and the verb: an apposition ("Jean DUPONT, médecin
#: généraliste, a participé").
_APPOSITION = re.compile(r"\s*(?:,[^,.;:\n]{1,60},?)?\s*")


def _verb_hits(folded: Folded, fallback: _Fallback) -> None:
    """Add the names written before a participation verb, at the start of a line.

    The name opens its line (after a civility) and the verb follows it, on the same line
    or at the start of the next one; a signatory's line is passed over.
    """
    text, original = folded.text, folded.original
    for verb in _PARTICIPATION_VERB.finditer(text):
        line_start, _ = line_bounds(text, verb.start())
        if text[line_start : verb.start()].strip():
            seg_start, seg_end = line_start, verb.start()
        elif line_start > 0:
            seg_start, seg_end = line_bounds(text, line_start - 1)[0], line_start - 1
        else:
            continue
        first, last = folded.span(seg_start, seg_end)
        segment = original[first:last]
        taken = take_name(segment)
        if taken is None:
            continue
        # Without a marker, a full name: a first name and a family name, none in lower case.
        kinds = [word_kind(token) for token in segment[taken[0] : taken[1]].split()]
        if WordKind.LOWER in kinds or sum(1 for kind in kinds if kind in WORD_KINDS) < 2:
            continue
        rest = segment[taken[1] :]
        if not _APPOSITION.fullmatch(rest) or ROLE_WORDS.search(fold(rest).text):
            continue
        if names_a_role(folded, seg_start):
            continue
        name = segment[taken[0] : taken[1]]
        evidence = original[first : folded.span(verb.start(), verb.end())[1]]
        fallback.participating.append(Hit(first, Found(name, evidence)))


#: A line where the attestation is dated and signed: "Fait à Paris, le 20 mars 2025",
#: "Fait le 26/11/2024", "Bordeaux, le 10 juillet 2025".
_SIGNATURE_LINE = gated(
    r"^[ \t]*(?:fait\b[^\n]{0,50}?\ble\b|(?:a\s+)?[a-z][a-z'\- ]{1,40},\s*le\s+\d)",
    re.MULTILINE,
)


def _undersigned(folded: Folded, fallback: _Fallback) -> None:
    """Add the names of the people who sign in the first person (``Je soussigné``)."""
    original = folded.original
    for match in UNDERSIGNED.finditer(folded.text):
        _, end = folded.span(match.start(), match.end())
        _, line_end = line_bounds(original, end)
        taken = take_name(original[end:line_end])
        if taken is not None:
            fallback.signatories.add(name_keys(original[end + taken[0] : end + taken[1]]))


def fallback_person(folded: Folded) -> Found[str] | None:
    """Return the participant when no marker names one, or ``None`` when unsure.

    A name followed by a participation phrase comes first, a bare doctor's name second;
    a group whose names disagree gives ``None``. Names also written as a signatory's are
    never taken, and a bare doctor's name after the line where the attestation is dated
    and signed ("Fait à ..., le") is the signature's.
    """
    fallback = _Fallback([], [], set())
    _doctor_hits(folded, fallback)
    _verb_hits(folded, fallback)
    _undersigned(folded, fallback)
    signed = [m.start() for m in _SIGNATURE_LINE.finditer(folded.text)]
    signature = folded.position(signed[-1]) if signed else len(folded.original)
    participating = fallback.participating
    others = [h for h in fallback.others if h.position < signature]
    for group in (participating, others):
        kept = [h for h in group if name_keys(h.found.value) not in fallback.signatories]
        names = {name_keys(h.found.value) for h in kept}
        if len(names) == 1:
            return min(kept, key=lambda h: h.position).found
        if len(names) > 1:
            return None
    return None

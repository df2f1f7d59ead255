"""Decision: from what a plugin read to what the pipeline does with each attestation.

:func:`decide` runs beside recognition (in a worker): it matches the participant against the
roster, checks the dates, maps the attestation to the actions of the référentiel it is
eligible for, and says file or review, with the reasons. What the database already holds
(duplicates, the dossier's needs) is :mod:`~attest_pipeline.settle`'s part.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from attest_pipeline.eligibility import eligible_actions
from attest_pipeline.mapping import MappingRules
from attest_pipeline.models import (
    Document,
    Extraction,
    Found,
    Physician,
    Problem,
    Record,
    Source,
    Status,
)
from attest_pipeline.outcomes import destination, failed
from attest_pipeline.reasons import Reason
from attest_pipeline.recognition import Recognition
from attest_pipeline.referentiel import Referentiel
from attest_pipeline.roster import Match, Roster, describe
from attest_pipeline.roster_search import RosterEvidence, Sighting
from attest_pipeline.text.identifiers import normalise_rpps
from attest_pipeline.text.name_reading import plausible_name
from attest_pipeline.text.names import split_name

#: Attestations dated before this are implausible (certification périodique began in 2023;
#: older DPC attestations are still accepted down to this limit).
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class Rules:
    """What decisions are measured against: roster, référentiel, mapping rules, today."""

    roster: Roster
    referentiel: Referentiel
    mapping: MappingRules
    today: date
    min_ocr_confidence: float = 80.0


def decide(
    source: Source, document: Document, recognition: Recognition, rules: Rules
) -> tuple[Record, ...]:
    """One record per attestation found (or one review record when none could be read)."""
    if recognition.problem is not None or not recognition.items:
        problem = recognition.problem or Problem(Reason.NO_PLUGIN, "no attestation found")
        return (
            replace(
                failed(source, problem),
                plugin=recognition.plugin,
                family=recognition.family,
                ocr=document.ocr,
                fields={"scores": _scores(recognition)},
            ),
        )
    scores = _scores(recognition)
    records = []
    for item in recognition.items:
        pages = document.subset(item.pages)
        base = Record(
            source=source.name,
            sha256=source.sha256,
            pages=item.pages,
            status=Status.REVIEW,
            plugin=recognition.plugin,
            ocr=pages.ocr,
            fields={"scores": scores},
        )
        if item.extraction is None:
            problem = item.problem or Problem(Reason.PLUGIN_ERROR, "nothing extracted")
            records.append(
                replace(base, status=destination(problem.reason), problems=(problem,))
            )
        else:
            records.append(_decide_one(base, item.extraction, pages, rules))
    return tuple(records)


def _decide_one(base: Record, extraction: Extraction, document: Document, rules: Rules) -> Record:
    problems: list[Problem] = []
    rpps_read = normalise_rpps(extraction.rpps.value) if extraction.rpps else None
    name_read = _value(extraction.participant)
    last_read, first_read = _value(extraction.last_name), _value(extraction.first_name)
    if name_read is None and last_read is not None:
        name_read = f"{last_read} {first_read or ''}".strip()
    match = rules.roster.match(
        rpps=rpps_read, name=name_read, last_name=last_read, first_name=first_read
    )
    roster = rules.roster.search(document.text, document.page_numbers)
    # A reading that matched the roster is a name: judging it would cost a fifth of the
    # decision, and most readings match.
    plausible = match.physician is not None or _reading_plausible(extraction)
    weighed = weigh_participant(match, roster, plausible=plausible, rpps_read=rpps_read)
    match = weighed.match
    problems.extend(match.problems)
    rpps: str | None
    last: str | None
    first: str | None
    if match.physician is not None:
        rpps, last, first = (
            match.physician.rpps,
            match.physician.last_name,
            match.physician.first_name,
        )
    else:
        guess = split_name(name_read) if name_read and last_read is None else None
        rpps = rpps_read
        last = last_read or (guess.last_name if guess else None)
        first = first_read or (guess.first_name if guess else None)

    start, end = _value(extraction.start), _value(extraction.end)
    for name, value in (("start", start), ("end", end)):
        if value is None:
            problems.append(Problem(Reason.MISSING_FIELD, name))
    problems.extend(check_dates(start, end, rules.today))

    eligibility = eligible_actions(extraction, rules.referentiel, rules.mapping)
    problems.extend(eligibility.problems)
    problems.extend(_check_outcome(extraction))
    by_rpps = match.physician is not None and (
        weighed.by_rpps if weighed.sighting is not None else rpps_read is not None
    )
    problems.extend(_check_ocr(extraction, document, rules.min_ocr_confidence, by_rpps))
    if weighed.sighting is not None and not by_rpps:
        problems.extend(
            _check_ocr_evidence(
                weighed.sighting.evidence(roster.text), document, rules.min_ocr_confidence
            )
        )

    candidates = eligibility.candidates
    return replace(
        base,
        status=Status.REVIEW if problems else Status.FILE,
        problems=tuple(problems),
        family=extraction.family.value,
        issuer=_value(extraction.issuer),
        rpps=rpps,
        last_name=last,
        first_name=first,
        matched=match.physician is not None,
        start=start,
        end=end,
        title=_value(extraction.title),
        reference=_value(extraction.reference),
        nature=extraction.nature.value.value if extraction.nature else None,
        candidates=candidates,
        chosen=candidates[0] if candidates else None,
        evidence=_evidence(extraction, weighed, roster.text),
        fields={
            **base.fields,
            **_fields(extraction, eligibility.theme, eligibility.listed),
            "roster": weighed.to_json(roster, extraction),
        },
    )


@dataclass(frozen=True, slots=True)
class Weighed:
    """The participant once the plugin's reading and the roster search are weighed.

    ``match`` is what the decision files under (or the problems). ``sighting`` is set
    when the roster search, not the plugin's reading, identified the physician, with
    ``why`` (which wording designated them) and ``by_rpps`` (their RPPS is printed beside
    the name).
    """

    match: Match
    sighting: Sighting | None = None
    why: str = ""
    by_rpps: bool = False

    def to_json(self, roster: RosterEvidence, extraction: Extraction) -> dict[str, Any]:
        """What the record keeps of the roster search and the reading (``fields.roster``)."""
        read = {
            name: found.value
            for name in ("participant", "last_name", "first_name", "rpps")
            if (found := getattr(extraction, name)) is not None
        }
        return {
            "plugin_read": read,
            "found": roster.to_json(),
            "decided_by": "roster" if self.sighting is not None else "plugin",
            "why": self.why,
        }


#: The problems of a plugin's reading that the roster search may resolve, when what the
#: plugin read is no name at all (or nothing).
_RESOLVABLE = frozenset(
    {
        Reason.MISSING_FIELD,
        Reason.UNKNOWN_PARTICIPANT,
        Reason.PARTICIPANT_MISMATCH,
        Reason.AMBIGUOUS_PARTICIPANT,
    }
)


def weigh_participant(
    match: Match, roster: RosterEvidence, *, plausible: bool, rpps_read: str | None
) -> Weighed:
    """Weigh the plugin's reading (``match``) against the roster search of the text.

    - The reading agrees with the roster: file under it, as read.
    - The reading is nothing or no name (``plausible`` false), and the text identifies
      one physician of the roster (:meth:`RosterEvidence.designated`): that physician,
      provided an RPPS the plugin read is theirs. A valid RPPS read that is not on the
      roster, or that fails its check, is never overridden.
    - Same, but the text names several physicians and its wording designates none:
      ``ambiguous_participant`` naming them all.
    - Otherwise the reading's own problems stand: a plausible name that disagrees stays
      in review.
    """
    if match.physician is not None and roster.elsewhere(match.physician):
        return _several(match.physician, roster)
    if match.physician is not None or plausible:
        return Weighed(match)
    reasons = {problem.reason for problem in match.problems}
    if not reasons or not reasons <= _RESOLVABLE:
        return Weighed(match)
    holder = match.candidates[0] if Reason.PARTICIPANT_MISMATCH in reasons else None
    if rpps_read and holder is None:
        return Weighed(match)  # an RPPS read that is not on the roster: someone else's
    designation = roster.designated()
    sighting = designation.sighting
    if sighting is None:
        if designation.ambiguous:
            named = tuple(s.physician for s in designation.identified)
            detail = (
                "the text names several physicians of the roster and its wording designates "
                f"none as the participant: {describe(named)}"
            )
            return Weighed(Match(None, (Problem(Reason.AMBIGUOUS_PARTICIPANT, detail),), named))
        return Weighed(match)
    if holder is not None and sighting.physician != holder:
        return Weighed(match)
    if roster.elsewhere(sighting.physician):
        return _several(sighting.physician, roster)
    if not roster.on_first_page(sighting.physician):
        return Weighed(match)  # named on a later page only: whose is the first?
    by_rpps = roster.rpps_with_name_of(sighting)
    return Weighed(Match(sighting.physician), sighting, designation.why, by_rpps)


def _several(chosen: Physician, roster: RosterEvidence) -> Weighed:
    """Review: other pages identify other physicians (attestations read as one)."""
    named = (chosen, *(s.physician for s in roster.elsewhere(chosen)))
    detail = (
        "pages of this attestation identify other physicians of the roster than its "
        f"participant, as if it held several attestations: {describe(named)}"
    )
    return Weighed(Match(None, (Problem(Reason.AMBIGUOUS_PARTICIPANT, detail),), named))


def _reading_plausible(extraction: Extraction) -> bool:
    """Whether the plugin's participant reading is a name (nothing read is not).

    A family name alone (``Participant : DUPONT``) counts as a name: when it disagrees
    with the RPPS read, the attestation stays in review (``participant_mismatch``).
    """
    if extraction.participant is not None:
        return plausible_name(extraction.participant.value, allow_single=True)
    last, first = _value(extraction.last_name), _value(extraction.first_name)
    if last and first:
        return plausible_name(f"{last}, {first}")
    return bool(last) and plausible_name(last, allow_single=True)


def check_dates(start: date | None, end: date | None, today: date) -> list[Problem]:
    """The problems of an attestation's dates: in the future, too old, end before start."""
    problems = []
    for name, value in (("start", start), ("end", end)):
        if value is not None and value > today:
            problems.append(Problem(Reason.IMPLAUSIBLE_DATE, f"{name} {value} is in the future"))
        if value is not None and value < EARLIEST:
            problems.append(
                Problem(Reason.IMPLAUSIBLE_DATE, f"{name} {value} is before {EARLIEST}")
            )
    if start is not None and end is not None and end < start:
        problems.append(Problem(Reason.IMPLAUSIBLE_DATE, f"end {end} is before start {start}"))
    return problems


def _check_outcome(extraction: Extraction) -> list[Problem]:
    """An attestation that states a failure (a reading test not passed) proves nothing.

    Plugins report the outcome they read as ``extras["passed"]`` (``"yes"`` / ``"no"``).
    """
    passed = extraction.extras.get("passed")
    if passed is not None and passed.value == "no":
        return [
            Problem(
                Reason.CONDITION_NOT_SHOWN, f"the attestation states a failure: {passed.evidence}"
            )
        ]
    return []


def _check_ocr(
    extraction: Extraction, document: Document, minimum: float, matched_by_rpps: bool
) -> list[Problem]:
    """Fields read by OCR count only when they were read with enough confidence.

    Dates have no check digit: their confidence always counts. A name counts when it is
    what matched the roster; when a valid RPPS matched, the roster's check of the name
    against it already guards it, and an RPPS misread fails its Luhn check.
    """
    if not document.ocr:
        return []
    names = (
        ("start", "end")
        if matched_by_rpps
        else ("start", "end", "participant", "last_name", "first_name")
    )
    weak = []
    for name in names:
        found = getattr(extraction, name)
        if found is None:
            continue
        confidence = found.confidence
        if confidence is None:
            value = found.value if isinstance(found.value, str) else None
            confidence = _evidence_confidence(found.evidence, document, value)
        if confidence is not None and confidence < minimum:
            weak.append(f"{name} ({confidence:.0f})")
    if weak:
        return [
            Problem(
                Reason.LOW_OCR_CONFIDENCE,
                "read by OCR with low confidence: " + ", ".join(weak),
            )
        ]
    return []


def _check_ocr_evidence(evidence: str, document: Document, minimum: float) -> list[Problem]:
    """A name found by the roster search in OCR text counts only if read confidently."""
    if not document.ocr:
        return []
    confidence = _evidence_confidence(evidence, document)
    if confidence is not None and confidence < minimum:
        detail = f"read by OCR with low confidence: participant ({confidence:.0f})"
        return [Problem(Reason.LOW_OCR_CONFIDENCE, detail)]
    return []


def _evidence_confidence(
    evidence: str, document: Document, value: str | None = None
) -> float | None:
    """The lowest OCR confidence of the words ``evidence`` was read from, on any page.

    With ``value``, only the words of the excerpt that are part of the value count.

    When the excerpt cannot be located among the words, the OCR pages' mean confidence.
    ``None`` when the excerpt stands in the text layer of a page not read by OCR: a
    trailing blank page that went through OCR says nothing of the fields read elsewhere.
    """
    from attest_pipeline.ocr import evidence_confidence

    if evidence and any(evidence in page.text for page in document.pages if not page.ocr):
        return None
    ocr_pages = [page for page in document.pages if page.ocr]
    found = [
        confidence
        for page in ocr_pages
        if (confidence := evidence_confidence(evidence, document.words(page.number), value))
        is not None
    ]
    if found:
        return min(found)
    means = [page.confidence for page in ocr_pages if page.confidence is not None]
    return min(means) if means else None


def _value(found: Found[Any] | None) -> Any:
    return None if found is None else found.value


def _evidence(extraction: Extraction, weighed: Weighed, text: str) -> dict[str, str]:
    evidence = {}
    for name in Extraction.__dataclass_fields__:
        found = getattr(extraction, name)
        if isinstance(found, Found):
            evidence[name] = found.evidence
    for key, found in extraction.extras.items():
        evidence[key] = found.evidence
    if weighed.sighting is not None:
        # The participant comes from the roster search: quote what identified them.
        for name in ("last_name", "first_name", "rpps"):
            evidence.pop(name, None)
        evidence["participant"] = weighed.sighting.evidence(text)
    return evidence


def _fields(extraction: Extraction, theme: str, listed: str | None) -> dict[str, Any]:
    """Everything else that was read, for the record and the sidecar JSON."""
    fields: dict[str, Any] = {"theme": theme, "listed": listed}
    for name in ("participant", "event", "journal", "hours", "meetings"):
        found = getattr(extraction, name)
        if found is not None:
            fields[name] = found.value
    for key, found in extraction.extras.items():
        fields[key] = found.value
    return fields


def _scores(recognition: Recognition) -> list[dict[str, Any]]:
    return [
        {"issuer": s.issuer, "score": s.score, "reasons": list(s.reasons), "error": s.error}
        for s in recognition.scores
    ]

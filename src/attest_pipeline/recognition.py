"""Recognition: which issuer wrote this document, and what each attestation in it says.

Every issuer is asked to identify the document; the best score wins and a tie between two
issuers goes to a person. The winner splits the document and extracts each attestation.
Each call to a plugin is guarded, and everything a plugin returns is checked here: a plugin
that raises or answers nonsense costs this document (``plugin_error``), never the run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from attest_pipeline.contract import Issuer
from attest_pipeline.models import (
    Document,
    Extraction,
    Family,
    Found,
    Identification,
    Nature,
    Problem,
)
from attest_pipeline.reasons import Reason

#: Called with a description of the plugin call about to start ("andpc.identify"), so that
#: a supervising process can say which plugin hung.
PhaseHook = Callable[[str], None]


class PluginFailure(Exception):
    """A plugin raised or returned something unusable; the message names it."""


@dataclass(frozen=True, slots=True)
class Score:
    """One issuer's answer to identification (shown by ``attest extract --explain``)."""

    issuer: str
    score: float | None
    reasons: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One attestation found in a document: its pages and what was read, or why not."""

    pages: tuple[int, ...]
    extraction: Extraction | None
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class Recognition:
    """The outcome of recognition for one document."""

    plugin: str | None
    family: str | None
    items: tuple[Item, ...]
    scores: tuple[Score, ...]
    problem: Problem | None = None


def recognise(
    document: Document,
    issuers: Sequence[Issuer],
    *,
    on_phase: PhaseHook | None = None,
) -> Recognition:
    """Identify the issuer of ``document``, split it, and extract every attestation."""
    phase = on_phase or _ignore
    scores = tuple(identify(issuer, document, phase) for issuer in issuers)
    top = contenders(scores)
    failed = [s for s in scores if s.error]
    if not top:
        if failed:
            detail = "; ".join(f"{s.issuer}: {s.error}" for s in failed)
            return Recognition(None, None, (), scores, Problem(Reason.PLUGIN_ERROR, detail))
        return Recognition(
            None,
            None,
            (),
            scores,
            Problem(Reason.NO_PLUGIN, "no plugin recognised this document as an attestation"),
        )
    best = top[0]
    if len(top) > 1:
        tied = [s.issuer for s in top]
        detail = f"{' and '.join(tied)} claim it with the same score {best.score:.2f}"
        return Recognition(None, None, (), scores, Problem(Reason.AMBIGUOUS_ISSUER, detail))
    issuer = next(i for i in issuers if i.name == best.issuer)
    label = f"{issuer.name}@{issuer.version}"
    try:
        phase(f"{issuer.name}.split")
        groups = call_split(issuer, document)
    except MemoryError:
        raise  # over [limits] memory: the document's limit, not the plugin's fault
    except Exception as error:  # a plugin's failure costs this document only
        detail = f"{issuer.name}.split: {_describe(error)}"
        return Recognition(label, None, (), scores, Problem(Reason.PLUGIN_ERROR, detail))
    items = tuple(_extract(issuer, document, group, phase) for group in groups)
    family = next((i.extraction.family.value for i in items if i.extraction), None)
    return Recognition(label, family, items, scores)


def _ignore(_: str) -> None:
    return None


def contenders(scores: Sequence[Score]) -> list[Score]:
    """The issuers with the best score, best first: one wins, several tie, none declined.

    Scores within floating-point rounding of the best (``math.isclose``) tie: the document
    goes to a person rather than to whichever plugin rounded up.
    """
    ranked = sorted(
        (s for s in scores if s.score is not None), key=lambda s: s.score or 0.0, reverse=True
    )
    if not ranked:
        return []
    best = ranked[0].score or 0.0
    return [s for s in ranked if math.isclose(s.score or 0.0, best)]


def identify(issuer: Issuer, document: Document, on_phase: PhaseHook | None = None) -> Score:
    """Ask one issuer to identify ``document``, guarded: a failure is kept in the score."""
    phase = on_phase or _ignore
    try:
        phase(f"{issuer.name}.identify")
        answer = call_identify(issuer, document)
    except MemoryError:
        raise  # over [limits] memory: the document's limit, not the plugin's fault
    except Exception as error:  # a plugin's failure costs this document only
        return Score(issuer.name, None, error=f"identify: {_describe(error)}")
    if answer is None:
        return Score(issuer.name, None)
    return Score(issuer.name, float(answer.score), tuple(str(r) for r in answer.reasons))


def call_identify(issuer: Issuer, document: Document) -> Identification | None:
    """``identify`` as the core calls it; raises what it raises, or :class:`PluginFailure`."""
    return check_identification(issuer.identify(document))


def call_split(issuer: Issuer, document: Document) -> tuple[tuple[int, ...], ...]:
    """``split`` as the core calls it: the page groups, checked against the document's pages."""
    return check_groups(issuer.split(document), document.page_numbers)


def call_extract(issuer: Issuer, document: Document, pages: tuple[int, ...]) -> Extraction:
    """``extract`` as the core calls it: on the group's pages only, its answer validated."""
    return validate_extraction(issuer.extract(document.subset(pages)))


def check_identification(answer: object) -> Identification | None:
    """Check what ``identify`` returned; raise :class:`PluginFailure` if it is malformed."""
    if answer is None:
        return None
    if not isinstance(answer, Identification):
        raise PluginFailure(f"identify returned {type(answer).__name__}, not Identification")
    score = answer.score
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise PluginFailure(f"identify returned score {score!r}, not a number in [0, 1]")
    return answer


def check_groups(groups: object, pages: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Check what ``split`` returned against the document's ``pages``; the page groups.

    ``None`` means one attestation over all pages. Raises :class:`PluginFailure` when the
    answer is not a non-empty list of non-empty lists of the document's page numbers.
    """
    if groups is None:
        return (pages,)
    if isinstance(groups, str | bytes) or not isinstance(groups, Sequence):
        raise PluginFailure(f"split returned {type(groups).__name__}, not a list of page lists")
    checked = []
    known = set(pages)
    for group in groups:
        if isinstance(group, str | bytes) or not isinstance(group, Sequence) or not group:
            raise PluginFailure(f"split returned the group {group!r}, not a list of page numbers")
        for number in group:
            if isinstance(number, bool) or not isinstance(number, int) or number not in known:
                raise PluginFailure(f"split named page {number!r}, not a page of the document")
        checked.append(tuple(group))
    if not checked:
        raise PluginFailure("split returned no group (return None for a single attestation)")
    return tuple(checked)


def _extract(issuer: Issuer, document: Document, pages: tuple[int, ...], phase: PhaseHook) -> Item:
    try:
        phase(f"{issuer.name}.extract")
        extraction = call_extract(issuer, document, pages)
    except MemoryError:
        raise  # over [limits] memory: the document's limit, not the plugin's fault
    except Exception as error:  # a plugin's failure costs this attestation only
        detail = f"{issuer.name}.extract: {_describe(error)}"
        return Item(pages, None, Problem(Reason.PLUGIN_ERROR, detail))
    return Item(pages, extraction)


#: The type of the value of each field of :class:`~attest_pipeline.models.Extraction` (the
#: first is the one a value read from text is converted to): what the core accepts from a
#: plugin, and what the issuer engine's field rules produce.
FIELD_TYPES: Mapping[str, tuple[type, ...]] = {
    "issuer": (str,),
    "participant": (str,),
    "last_name": (str,),
    "first_name": (str,),
    "rpps": (str,),
    "start": (date,),
    "end": (date,),
    "title": (str,),
    "reference": (str,),
    "nature": (Nature,),
    "theme": (str,),
    "event": (str,),
    "journal": (str,),
    "hours": (float, int),
    "meetings": (int,),
}


#: The fields of :class:`~attest_pipeline.models.Extraction` holding a ``Found`` value.
_FOUND_FIELDS = tuple(f.name for f in fields(Extraction) if f.name not in ("family", "extras"))


def validate_extraction(extraction: object) -> Extraction:
    """Check the shape of what a plugin returned; raise :class:`PluginFailure` if wrong.

    Dates given as ``datetime`` are reduced to their date; empty strings are dropped.
    """
    if not isinstance(extraction, Extraction):
        raise PluginFailure(f"extract returned {type(extraction).__name__}, not Extraction")
    if not isinstance(extraction.family, Family):
        raise PluginFailure(f"family {extraction.family!r} is not a Family")
    changes: dict[str, object] = {}
    for name in _FOUND_FIELDS:
        found = getattr(extraction, name)
        if found is None:
            continue
        if not isinstance(found, Found) or not isinstance(found.evidence, str):
            raise PluginFailure(f"{name} is {found!r}, not Found(value, evidence)")
        value = found.value
        if isinstance(value, bool) or not isinstance(value, FIELD_TYPES[name]):
            raise PluginFailure(f"{name} = {value!r} is not a {FIELD_TYPES[name][0].__name__}")
        if isinstance(value, datetime):
            changes[name] = Found(value.date(), found.evidence, found.confidence)
        elif isinstance(value, str) and not value.strip():
            changes[name] = None
    extras = extraction.extras
    if not isinstance(extras, Mapping):
        raise PluginFailure("extras is not a mapping")
    for key, found in extras.items():
        if not isinstance(key, str) or not isinstance(found, Found):
            raise PluginFailure(f"extras[{key!r}] is not Found(value, evidence)")
    if changes:
        extraction = replace(extraction, **changes)  # type: ignore[arg-type]
    return extraction


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"

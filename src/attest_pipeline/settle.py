"""Settling: what the database already holds decides duplicates and the action chosen.

:func:`settle` runs where the database is, after :func:`~attest_pipeline.decision.decide`
ran in a worker: it recognises duplicates (the same bytes, the same attestation re-issued
or printed twice) and picks, among the eligible actions, the one the physician's dossier
needs most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from attest_pipeline.eligibility import choose
from attest_pipeline.models import Problem, Record, Status
from attest_pipeline.outcomes import destination
from attest_pipeline.reasons import Reason


class Ledger(Protocol):
    """What :func:`settle` needs to know of what is already on record."""

    def document_with_sha(self, sha256: str) -> str | None:
        """A description of the earlier document with these bytes, if any."""

    def attestation_like(self, record: Record) -> str | None:
        """A description of an earlier filed attestation that this one re-issues, if any."""

    def filed_per_bloc(self, rpps: str) -> Mapping[int, int]:
        """How many actions are filed per bloc in this physician's dossier."""


def attestation_identity(record: Record) -> tuple[object, ...] | None:
    """What makes two records the same attestation, ``None`` when it cannot be told.

    The participant, the dates and the reference; without a reference, the family and the
    title (the same rule as :meth:`~attest_pipeline.store.Store.attestation_like`).
    """
    if not record.rpps or record.start is None or record.end is None:
        return None
    if record.reference:
        return (record.rpps, record.start, record.end, record.reference)
    return (record.rpps, record.start, record.end, None, record.family, record.title)


def settle(records: Sequence[Record], ledger: Ledger, *, check_bytes: bool = True) -> list[Record]:
    """Recognise duplicates and choose each attestation's action against the dossiers.

    A document is judged against the ledger and against itself: an attestation printed
    twice in one PDF is filed once, its copies are duplicates naming the first, and
    attestations filed earlier in the same document count in the dossier's needs.
    """
    if records and check_bytes:
        earlier = ledger.document_with_sha(records[0].sha256)
        if earlier is not None:
            problem = Problem(Reason.DUPLICATE, f"same bytes as {earlier}")
            return [_duplicate(r, problem, earlier) for r in records]
    settled = []
    filed_here: dict[tuple[object, ...], Record] = {}
    blocs_here: dict[str, dict[int, int]] = {}
    for record in records:
        if record.status is Status.FILE:
            identity = attestation_identity(record)
            earlier = ledger.attestation_like(record)
            first = filed_here.get(identity) if identity is not None else None
            if earlier is None and first is not None:
                earlier = f"{page_words(first.pages)} of the same document ({first.source})"
            if earlier is not None:
                problem = Problem(Reason.DUPLICATE_ATTESTATION, f"re-issue of {earlier}")
                record = _duplicate(record, problem, earlier)
            elif record.rpps and record.candidates:
                here = blocs_here.setdefault(record.rpps, {})
                filed = dict(ledger.filed_per_bloc(record.rpps))
                for bloc, count in here.items():
                    filed[bloc] = filed.get(bloc, 0) + count
                chosen = choose(record.candidates, filed)
                record = replace(record, chosen=chosen)
                here[chosen.bloc] = here.get(chosen.bloc, 0) + 1
            if record.status is Status.FILE and identity is not None:
                filed_here.setdefault(identity, record)
        settled.append(record)
    return settled


def page_words(pages: Sequence[int]) -> str:
    """``page 3`` or ``pages 3-5``: where an attestation lies in its document."""
    if len(pages) == 1:
        return f"page {pages[0]}"
    return f"pages {pages[0]}-{pages[-1]}"


def _duplicate(record: Record, problem: Problem, earlier: str) -> Record:
    return replace(
        record, status=destination(problem.reason), problems=(problem,), duplicate_of=earlier
    )


class EmptyLedger:
    """What an installation that has filed nothing yet knows: nothing."""

    def document_with_sha(self, sha256: str) -> str | None:
        """No earlier document."""
        return None

    def attestation_like(self, record: Record) -> str | None:
        """No earlier attestation."""
        return None

    def filed_per_bloc(self, rpps: str) -> Mapping[int, int]:
        """No action filed."""
        return {}

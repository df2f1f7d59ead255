"""What one pass of ``attest run`` or ``attest watch`` did: counts, their sum, their words.

:class:`Summary` is what :meth:`~attest_pipeline.pipeline.Session.process` returns; the
watcher adds up its passes with :meth:`Summary.merge`; ``run``, ``watch`` and ``mail`` say
it with :meth:`Summary.text`, and :func:`notes` adds what a person can do about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from attest_pipeline.models import Record, Status
from attest_pipeline.reasons import Reason

if TYPE_CHECKING:
    from attest_pipeline.config import Config


@dataclass
class Summary:
    """Counts of one pass: documents read and attestations per outcome.

    ``writing``: files still being written, left in the inbox for the next pass;
    ``unclaimed``: files that could not be moved out of the inbox (left there);
    ``left_in_work``: claimed files that could not be filed nor set aside (they stay in
    ``state/work`` and are tried again by the next run).
    """

    documents: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    writing: int = 0
    unclaimed: int = 0
    left_in_work: int = 0
    #: Entries of the inbox left alone because they are not regular files, by kind.
    ignored: dict[str, int] = field(default_factory=dict)

    def add(self, records: Sequence[Record]) -> None:
        """Count one document's records."""
        self.documents += 1
        for record in records:
            self.statuses[record.status.value] = self.statuses.get(record.status.value, 0) + 1
            for reason in record.reasons:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def ignore(self, kind: str) -> None:
        """Count one entry of the inbox that is not a regular file ("symbolic link"...)."""
        self.ignored[kind] = self.ignored.get(kind, 0) + 1

    def merge(self, part: Summary) -> None:
        """Add the counts of another pass to these (a watcher's passes make one summary)."""
        self.documents += part.documents
        self.seconds += part.seconds
        self.writing += part.writing
        self.unclaimed += part.unclaimed
        self.left_in_work += part.left_in_work
        for mine, theirs in (
            (self.statuses, part.statuses),
            (self.reasons, part.reasons),
            (self.ignored, part.ignored),
        ):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value

    def count(self, status: Status) -> int:
        """How many attestations ended with this status."""
        return self.statuses.get(status.value, 0)

    def to_json(self) -> dict[str, object]:
        """The summary as JSON."""
        return {
            "documents": self.documents,
            "filed": self.count(Status.FILE),
            "review": self.count(Status.REVIEW),
            "quarantine": self.count(Status.QUARANTINE),
            "duplicates": self.count(Status.DUPLICATE),
            "reasons": dict(sorted(self.reasons.items())),
            "still_being_written": self.writing,
            "not_taken": self.unclaimed,
            "left_in_work": self.left_in_work,
            "ignored": dict(sorted(self.ignored.items())),
            "seconds": round(self.seconds, 3),
        }

    def text(self, *, seconds: bool = False) -> str:
        """``4 document(s) in 1.2 s: 3 filed, 1 to review, 0 in quarantine, 0 duplicate(s)``.

        The time is said only with ``seconds`` (a watcher's is the sum of its passes).
        """
        took = f" in {self.seconds:.1f} s" if seconds else ""
        return (
            f"{self.documents} document(s){took}: {self.count(Status.FILE)} filed, "
            f"{self.count(Status.REVIEW)} to review, {self.count(Status.QUARANTINE)} in "
            f"quarantine, {self.count(Status.DUPLICATE)} duplicate(s)"
        )

    def ignored_line(self) -> str | None:
        """What was left in the inbox because it is not a regular file, in words."""
        if not self.ignored:
            return None
        kinds = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(self.ignored.items()))
        return f"left in the inbox, not regular files (never followed): {kinds}"


def notes(summary: Summary, config: Config, *, waiting: bool = True) -> list[str]:
    """The lines said after the summary: what was left, and what a person can do about it.

    ``waiting`` adds the files left in the inbox or the working area (``attest run``).
    """
    lines = []
    if waiting and summary.writing:
        lines.append(
            f"{summary.writing} still being written, left for the next pass (a file that stays "
            f"incomplete is quarantined once unchanged for [watch] unreadable_after, "
            f"{config.watch.unreadable_after:g} s)"
        )
    if waiting and summary.unclaimed:
        lines.append(
            f"{summary.unclaimed} could not be taken from the inbox (see the warnings), left "
            "there for the next pass"
        )
    if waiting and summary.left_in_work:
        lines.append(
            f"{summary.left_in_work} could not be filed nor set aside and wait in "
            f"{config.paths.work} for the next run (see the log)"
        )
    ignored = summary.ignored_line()
    if ignored:
        lines.append(ignored)
    return lines + advice(summary, config)


def advice(summary: Summary, config: Config) -> list[str]:
    """What the secretariat can do about the outcomes of a pass that a person can fix.

    Scans sent to review because OCR is unavailable are read once Tesseract is installed:
    say how, in the words of the installation check.
    """
    lines = []
    scans = summary.reasons.get(Reason.OCR_UNAVAILABLE.value, 0)
    if scans:
        from attest_pipeline.ocr import tesseract_status

        problems = tesseract_status(config.ocr.language).problems or (
            "Tesseract could not read them",
        )
        lines.append(
            f"{scans} scanned attestation(s) wait in review (ocr_unavailable): "
            + " ".join(problems)
            + "; then `attest doctor` checks the installation"
        )
    return lines

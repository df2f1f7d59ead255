r"""Golden samples: check an issuer against sample PDFs and the JSON expected of each.

Golden samples are ``*.pdf`` files, each with a ``*.json`` of the same name beside it::

    {"attestations": [
        {"family": "qualiopi", "pages": [1],
         "participant": {"last_name": "DUPONT", "first_name": "Jean", "rpps": "10005682603"},
         "start": "2025-03-12", "end": "2025-03-13", "title": "...", "reference": "...",
         "nature": "formation_continue", "event": null, "journal": null,
         "meetings": null, "hours": 14}
    ]}

Only the keys written are compared; ``null`` means "the issuer must leave it out"; other
keys (``bloc``, ``action``, ``status``, ``reasons``...) are ignored, so that the JSON
records printed by ``attest extract --json`` can serve as expected files. An empty list
means the issuer must decline the document.

Each value is compared by the golden comparer the accuracy report uses too
(:func:`~attest_pipeline.testing.accuracy.same`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attest_pipeline.contract import Issuer
from attest_pipeline.models import Extraction
from attest_pipeline.reading import Unreadable
from attest_pipeline.testing.accuracy import TEXT_KEYS, same, show, whole_name
from attest_pipeline.testing.kit import document_from_pdf, run_issuer

__all__ = ["Mismatch", "SampleReport", "assert_samples", "check_samples"]


# --------------------------------------------------------------------------- samples


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference between a sample's expected JSON and what the issuer read.

    ``attestation`` is the 1-based position in the ``attestations`` list, ``None`` for a
    difference about the whole document (identification, count, reading the file).
    """

    sample: str
    attestation: int | None
    field: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class SampleReport:
    """The outcome of :func:`check_samples` on one folder."""

    folder: Path
    checked: tuple[str, ...]
    mismatches: tuple[Mismatch, ...]
    unpaired: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether at least one sample was checked and every field matched."""
        return bool(self.checked) and not self.mismatches

    def format(self) -> str:
        """Render the report: a summary line, then a table of the mismatches."""
        lines = []
        if not self.checked:
            lines.append(f"no sample (a .pdf with its .json) in {self.folder}")
        else:
            count = len(self.mismatches)
            verdict = "every field matches" if not count else f"{count} mismatch(es)"
            lines.append(f"{len(self.checked)} sample(s) checked in {self.folder}: {verdict}")
        if self.unpaired:
            lines.append(f"without a .json beside them (not checked): {', '.join(self.unpaired)}")
        if self.mismatches:
            header = ("sample", "#", "field", "expected", "got")
            rows = [header] + [
                (
                    m.sample,
                    "" if m.attestation is None else str(m.attestation),
                    m.field,
                    m.expected,
                    m.got,
                )
                for m in self.mismatches
            ]
            widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
            for row in rows:
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
                lines.append("  ".join([*cells, row[-1]]).rstrip())
        return "\n".join(lines)


def check_samples(issuer: Issuer, folder: Path) -> SampleReport:
    """Run ``issuer`` on every ``*.pdf`` of ``folder`` that has a ``*.json`` beside it.

    Each expected attestation is compared field by field with the extraction at the
    same position (see the module documentation for the JSON format).
    """
    checked: list[str] = []
    unpaired: list[str] = []
    mismatches: list[Mismatch] = []
    for pdf in sorted(folder.glob("*.pdf")):
        expected_path = pdf.with_suffix(".json")
        if not expected_path.is_file():
            unpaired.append(pdf.name)
            continue
        checked.append(pdf.name)
        mismatches.extend(_check_sample(issuer, pdf, expected_path))
    return SampleReport(folder, tuple(checked), tuple(mismatches), tuple(unpaired))


def assert_samples(issuer: Issuer, folder: Path) -> SampleReport:
    """Like :func:`check_samples`, raising ``AssertionError`` with the table when not ok."""
    report = check_samples(issuer, folder)
    if not report.ok:
        raise AssertionError(report.format())
    return report


def _check_sample(issuer: Issuer, pdf: Path, expected_path: Path) -> list[Mismatch]:
    name = pdf.name

    def whole(field_name: str, expected: str, got: str) -> list[Mismatch]:
        return [Mismatch(name, None, field_name, expected, got)]

    try:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return whole("(expected file)", "valid JSON", f"{expected_path.name}: {error}")
    attestations = expected.get("attestations") if isinstance(expected, dict) else None
    if not isinstance(attestations, list) or not all(isinstance(a, dict) for a in attestations):
        return whole("(expected file)", '{"attestations": [{...}, ...]}', expected_path.name)
    try:
        document = document_from_pdf(pdf.read_bytes())
    except Unreadable as error:
        return whole("(reading)", "a readable PDF", str(error))
    run = run_issuer(issuer, document)
    result: list[Mismatch] = []
    for failure in run.errors:
        position = run.groups.index(failure.pages) + 1 if failure.pages in run.groups else None
        result.append(Mismatch(name, position, failure.phase, "no error", failure.message))
    if run.errors and not run.groups:
        return result
    if not attestations:
        if run.identified:
            score = run.identification.score if run.identification else 0.0
            result += whole("identify", "declined", f"claimed (score {score:.2f})")
        return result
    if not run.identified:
        return result + whole("identify", "claimed", "declined")
    if len(attestations) != len(run.groups):
        result += whole("attestations", str(len(attestations)), str(len(run.groups)))
    for position, (wanted, group, extraction) in enumerate(
        zip(attestations, run.groups, run.extractions, strict=False), 1
    ):
        if extraction is None:
            continue
        for field_name, want, got in _compare(wanted, group, extraction):
            result.append(Mismatch(name, position, field_name, want, got))
    return result


# --------------------------------------------------------------------------- comparing

#: The keys of an expected attestation the kit compares, in the order differences are shown.
_COMPARED = (
    "family", "pages", "rpps", "participant", "start", "end", *TEXT_KEYS, "nature", "meetings",
    "hours",
)
_LABELS = {"rpps": "participant.rpps", "participant": "participant.name"}


def _compare(
    expected: Mapping[str, Any], group: tuple[int, ...], extraction: Extraction
) -> list[tuple[str, str, str]]:
    """List the differences between one expected attestation and one extraction.

    Each value is compared by the golden comparer of the accuracy report
    (:func:`~attest_pipeline.testing.accuracy.same`).
    """
    person = expected.get("participant")
    person = person if isinstance(person, Mapping) else {}
    wanted = {k: v for k, v in expected.items() if k != "participant"}
    if "rpps" in person:
        wanted["rpps"] = person["rpps"]
    names: dict[str, Any] = {k: person[k] for k in ("last_name", "first_name") if k in person}
    if names:
        wanted["participant"] = names
    read = _reading(extraction, group)
    differences = []
    for key in _COMPARED:
        if key in wanted and not same(key, wanted[key], read[key]):
            want = whole_name(names) or None if key == "participant" else wanted[key]
            differences.append((_LABELS.get(key, key), show(want), show(read[key])))
    return differences


def _reading(extraction: Extraction, group: tuple[int, ...]) -> dict[str, Any]:
    """What the issuer read, under the keys of an expected attestation."""

    def value(name: str) -> Any:
        found = getattr(extraction, name)
        return None if found is None else found.value

    nature = value("nature")
    return {
        "family": extraction.family.value,
        "pages": list(group),
        "participant": _read_name(extraction),
        **{name: value(name) for name in ("rpps", "start", "end", *TEXT_KEYS)},
        "nature": getattr(nature, "value", nature),
        "meetings": value("meetings"),
        "hours": value("hours"),
    }


def _read_name(extraction: Extraction) -> str | None:
    """Give the name as read: the separate parts when given, else the whole name."""
    parts = [f.value if f else None for f in (extraction.last_name, extraction.first_name)]
    if any(parts):
        return " ".join(str(p) for p in parts if p)
    return None if extraction.participant is None else str(extraction.participant.value)

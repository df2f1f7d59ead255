"""Accuracy of the whole pipeline on a corpus of samples with their expected results.

Every ``NAME.pdf`` of a corpus sits beside ``NAME.json``: ``{"attestations": [ {...} ]}``,
one object per attestation in page order, holding the keys whose value is certain. The
samples go through the same decisions as ``attest extract --json`` and each expected key is
compared (:func:`same`, the golden comparer the plugin kit uses too). The report counts,
per family, the fields right, and above all the *wrong filings*: an attestation filed to
another physician or another action than expected.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from attest_pipeline.text.fold import normalise
from attest_pipeline.text.names import name_keys

#: The columns of the report, in order: (column, keys of the expected JSON compared).
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("participant", ("last_name", "first_name")),
    ("rpps", ("rpps",)),
    ("start", ("start",)),
    ("end", ("end",)),
    ("action", ("bloc", "action")),
    ("label", ("labellisation",)),
    ("status", ("status", "reasons")),
)


@dataclass
class Mismatch:
    """One expected value not met."""

    sample: str
    index: int
    key: str
    expected: Any
    actual: Any


@dataclass
class Tally:
    """Right / compared counts for one family and column."""

    right: int = 0
    total: int = 0


@dataclass
class AccuracyReport:
    """What :func:`compare` found over a corpus."""

    tallies: dict[str, dict[str, Tally]] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    wrong_filings: list[Mismatch] = field(default_factory=list)
    attestations: int = 0

    @property
    def perfect(self) -> bool:
        """Every compared field right and no wrong filing."""
        return not self.mismatches and not self.wrong_filings

    @property
    def fields_right(self) -> tuple[int, int]:
        """Fields right and fields compared, over every family and column."""
        tallies = [t for columns in self.tallies.values() for t in columns.values()]
        return sum(t.right for t in tallies), sum(t.total for t in tallies)

    @property
    def field_accuracy(self) -> float:
        """The share of compared fields that are right (1.0 when none was compared)."""
        right, total = self.fields_right
        return right / total if total else 1.0

    def format(self) -> str:
        """Tables per family (right/compared per column), then every mismatch."""
        from attest_pipeline.reports import table

        header = ["family", *[c for c, _ in COLUMNS]]
        rows = []
        for family in sorted(self.tallies):
            cells = []
            for column, _ in COLUMNS:
                t = self.tallies[family].get(column, Tally())
                cells.append(f"{t.right}/{t.total}" if t.total else "-")
            rows.append([family, *cells])
        lines = [
            table(header, rows),
            "",
            f"{self.attestations} attestations, {len(self.mismatches)} mismatches, "
            f"{len(self.wrong_filings)} wrong filings",
        ]
        for m in self.wrong_filings:
            lines.append(
                f"WRONG FILING {m.sample}#{m.index} {m.key}: expected {m.expected!r}, "
                f"got {m.actual!r}"
            )
        for m in self.mismatches:
            lines.append(
                f"mismatch {m.sample}#{m.index} {m.key}: expected {m.expected!r}, got {m.actual!r}"
            )
        return "\n".join(lines)


def measure(
    corpus: Path,
    roster: Path,
    *,
    template_dirs: Sequence[Path] = (),
    jobs: int = 1,
    exclude: Sequence[str] = (),
) -> AccuracyReport:
    """Run a corpus through a fresh pipeline, each sample judged alone, and compare.

    ``exclude`` names sub-folders of the corpus to leave out.
    """
    samples = load_expected(corpus, exclude)
    records = run_samples([pdf for pdf, _ in samples], roster, template_dirs, jobs)
    return compare(samples, records, corpus)


def run_samples(
    pdfs: Sequence[Path], roster: Path, template_dirs: Sequence[Path] = (), jobs: int = 1
) -> list[dict[str, Any]]:
    """The JSON records of ``attest extract`` for ``pdfs``, against an empty state."""
    import tempfile

    from attest_pipeline.config import PluginSettings, load_config
    from attest_pipeline.pipeline import Pipeline
    from attest_pipeline.registry import load_registry

    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.toml"
        config_path.write_text(
            "[paths]\n"
            'inbox = "inbox"\ndossiers = "dossiers"\nreview = "review"\n'
            f'quarantine = "quarantine"\nstate = "state"\nroster = "{roster}"\n',
            encoding="utf-8",
        )
        config = load_config(config_path)
        registry = load_registry(
            PluginSettings(template_dirs=tuple(template_dirs), entry_points=False)
        )
        pipeline = Pipeline(config, registry)
        return [r.to_json() for r in pipeline.extract(list(pdfs), jobs=jobs)]


def by_axis(
    samples: Sequence[tuple[Path, list[dict[str, Any]]]],
    records: Sequence[dict[str, Any]],
    corpus: Path,
) -> dict[str, dict[str, AccuracyReport]]:
    """One report per value of each variation axis (the ``"axes"`` of each sample's JSON)."""
    groups: dict[str, dict[str, list[tuple[Path, list[dict[str, Any]]]]]] = {}
    for pdf, expected in samples:
        axes = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8")).get("axes", {})
        for axis, value in axes.items():
            groups.setdefault(axis, {}).setdefault(str(value), []).append((pdf, expected))
    return {
        axis: {value: compare(chosen, records, corpus) for value, chosen in sorted(values.items())}
        for axis, values in groups.items()
    }


def format_axes(axes: dict[str, dict[str, AccuracyReport]]) -> str:
    """A table: each axis value, its attestations, field accuracy and wrong filings."""
    from attest_pipeline.reports import table

    rows = []
    for axis, values in axes.items():
        for value, report in values.items():
            right, total = report.fields_right
            rows.append(
                [
                    axis,
                    value,
                    str(report.attestations),
                    f"{right}/{total}",
                    f"{report.field_accuracy:.4f}",
                    str(len(report.wrong_filings)),
                ]
            )
    return table(["axis", "value", "attestations", "fields", "accuracy", "misfiled"], rows)


def load_expected(
    corpus: Path, exclude: Sequence[str] = ()
) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Every sample PDF of the corpus (recursively) with its expected attestations."""
    samples = []
    for pdf in sorted(corpus.rglob("*.pdf")):
        if exclude and pdf.relative_to(corpus).parts[0] in exclude:
            continue
        expected = pdf.with_suffix(".json")
        if expected.exists():
            data = json.loads(expected.read_text(encoding="utf-8"))
            samples.append((pdf, list(data["attestations"])))
    return samples


def compare(
    samples: Sequence[tuple[Path, list[dict[str, Any]]]],
    actual: Iterable[dict[str, Any]],
    corpus: Path,
) -> AccuracyReport:
    """Compare the JSON records of ``attest extract`` (for ``samples``, in order)."""
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in actual:
        by_source[record["source"]].append(record)
    report = AccuracyReport()
    for pdf, expected_list in samples:
        name = str(pdf.relative_to(corpus))
        records = by_source.get(str(pdf), [])
        if len(records) != len(expected_list):
            report.mismatches.append(
                Mismatch(name, 0, "attestations", len(expected_list), len(records))
            )
        for index, expected in enumerate(expected_list):
            record = records[index] if index < len(records) else {}
            # Scanned samples are a family of their own: OCR is judged apart.
            family = (
                pdf.parent.name
                if pdf.parent.name == "scanned"
                else (expected.get("family") or pdf.parent.name)
            )
            report.attestations += 1
            _compare_one(report, name, index, family, expected, record)
        _pages_of_others(report, name, expected_list, records)
    return report


def _pages_of_others(
    report: AccuracyReport,
    name: str,
    expected_list: Sequence[dict[str, Any]],
    records: Sequence[dict[str, Any]],
) -> None:
    """A record filed with the pages of another physician's attestation is a wrong filing.

    Several attestations read as one (a PDF not split) file one physician's pages with
    another's: counted here, whatever index the records and expectations fall on.
    """
    for number, record in enumerate(records):
        if record.get("status") != "file":
            continue
        filed = set(record.get("pages") or ())
        rpps = (record.get("participant") or {}).get("rpps")
        for index, expected in enumerate(expected_list):
            other = (expected.get("participant") or {}).get("rpps")
            pages = set(expected.get("pages") or ())
            if index != number and other and other != rpps and pages and pages <= filed:
                report.wrong_filings.append(
                    Mismatch(name, index, "pages", f"{other} on {sorted(pages)}", rpps)
                )


def _compare_one(
    report: AccuracyReport,
    name: str,
    index: int,
    family: str,
    expected: dict[str, Any],
    record: dict[str, Any],
) -> None:
    flat_expected = flatten(expected)
    flat_actual = flatten(record)
    tallies = report.tallies.setdefault(family, {})
    for column, keys in COLUMNS:
        present = [k for k in keys if k in flat_expected]
        if not present:
            continue
        tally = tallies.setdefault(column, Tally())
        tally.total += 1
        ok = True
        for key in present:
            if not same(key, flat_expected[key], flat_actual.get(key)):
                ok = False
                report.mismatches.append(
                    Mismatch(name, index, key, flat_expected[key], flat_actual.get(key))
                )
        tally.right += ok
    if record.get("status") == "file":
        for key in ("rpps", "bloc", "action"):
            if key in flat_expected and flat_expected[key] != flat_actual.get(key):
                report.wrong_filings.append(
                    Mismatch(name, index, key, flat_expected[key], flat_actual.get(key))
                )
        if flat_expected.get("status") not in (None, "file"):
            report.wrong_filings.append(
                Mismatch(name, index, "status", flat_expected.get("status"), "file")
            )


# ------------------------------------------------------------------ golden comparer
# One comparer for golden samples: the accuracy report compares what the pipeline decided
# with it, the plugin kit (testing.kit) what an issuer read.

NONE = "(none)"
#: Free text: compared regardless of case and spacing.
TEXT_KEYS = ("title", "reference", "event", "journal")


def flatten(attestation: Mapping[str, Any]) -> dict[str, Any]:
    """An expected (or actual) attestation with the participant's keys lifted to the top."""
    flat = {k: v for k, v in attestation.items() if k != "participant"}
    participant = attestation.get("participant")
    if isinstance(participant, Mapping):
        flat.update(participant)
    return flat


def same(key: str, expected: Any, actual: Any) -> bool:
    """Whether ``actual`` is what a golden sample expects for ``key`` (``None``: left out).

    Family and first names compare folded (case, accents, hyphens); ``participant`` is a
    whole name read against the expected ``{"last_name", "first_name"}``, in any order
    (one part given: it must be among the words read); the RPPS by its digits; dates as
    ISO text; free text regardless of case and spacing; hours within 0.01; reasons in any
    order; anything else equal.
    """
    if key == "reasons":
        return sorted(expected or []) == sorted(actual or [])
    if expected is None or actual is None:
        return expected is None and actual is None
    if key in ("last_name", "first_name"):
        return isinstance(actual, str) and normalise(str(expected)) == normalise(actual)
    if key == "participant":
        return _same_person(expected, str(actual))
    if key == "rpps":
        return str(expected) == "".join(str(actual).split())
    if key in ("start", "end"):
        return show(expected) == show(actual)
    if key in TEXT_KEYS:
        return _text(expected) == _text(actual)
    if key == "hours":
        numbers = isinstance(expected, int | float) and isinstance(actual, int | float)
        return numbers and math.isclose(expected, actual, abs_tol=0.01)
    if key == "pages":
        return list(expected) == list(actual)
    return bool(expected == actual)


def show(value: object) -> str:
    """A value as a report shows it: dates in ISO, whole hours without ``.0``."""
    if value is None:
        return NONE
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def whole_name(expected: Mapping[str, Any]) -> str:
    """The expected participant's family and first names, in one string."""
    return " ".join(str(expected.get(key) or "") for key in ("last_name", "first_name")).strip()


def _same_person(expected: Mapping[str, Any], actual: str) -> bool:
    want = _name_keys(whole_name(expected))
    got = _name_keys(actual)
    both = bool(expected.get("last_name")) and bool(expected.get("first_name"))
    return want == got if both or not want else want <= got


def _name_keys(name: str) -> frozenset[str]:
    # "DUPONT, Jean" (the family name first, marked by a comma) has the same tokens.
    return name_keys(name.replace(",", " "))


def _text(value: object) -> str:
    return " ".join(str(value).split()).casefold()

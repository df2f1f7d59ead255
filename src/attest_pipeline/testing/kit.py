r"""The plugin author's test kit: run an issuer on a document, compare it with golden samples.

A plugin's tests need neither the roster, the référentiel nor the filing: they check what
the issuer itself answers. The kit calls the issuer's methods the way the core does, in the
same order, with the same checks on what comes back, and reports a failure with its phase
instead of raising, so that a test can show everything that went wrong at once::

    from attest_pipeline.testing import assert_samples, document_from_text, run_issuer

    def test_reads_the_participant() -> None:
        run = run_issuer(MyIssuer(), document_from_text("ACME Formation\\nStagiaire : Jean DUPONT"))
        assert run.extraction.participant is not None

    def test_samples() -> None:
        assert_samples(MyIssuer(), Path(__file__).parent / "samples")

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
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from attest_pipeline.contract import Issuer
from attest_pipeline.models import Document, Extraction, Identification, Page, Word
from attest_pipeline.reading import Unreadable, clean_text, read_pdf
from attest_pipeline.recognition import check_groups, check_identification, validate_extraction
from attest_pipeline.text.names import name_keys

__all__ = [
    "IssuerRun",
    "Mismatch",
    "PhaseError",
    "SampleReport",
    "assert_samples",
    "builtin_issuers",
    "check_samples",
    "document_from_pdf",
    "document_from_text",
    "identify_all",
    "pdf_document",
    "run_issuer",
    "winner",
]

# ---------------------------------------------------------------------------- documents


def document_from_pdf(data: bytes | Path) -> Document:
    """Read a PDF (its bytes, or its path) exactly as the pipeline does.

    Raises :class:`~attest_pipeline.reading.Unreadable` when the pipeline would quarantine it.
    """
    if isinstance(data, Path):
        data = data.read_bytes()
    return read_pdf(data)


def pdf_document(*pages: str) -> Document:
    """A document read from a real PDF made of ``pages`` of text (needs reportlab)."""
    from attest_pipeline.testing.pdf import make_pdf

    return read_pdf(make_pdf(list(pages)))


def builtin_issuers() -> list[Issuer]:
    """The issuers of the built-in plugins, to check how a document scores against them."""
    from attest_pipeline.config import PluginSettings
    from attest_pipeline.registry import load_registry

    return list(load_registry(PluginSettings(entry_points=False)).issuers)


def identify_all(document: Document, issuers: Sequence[Issuer] | None = None) -> dict[str, float]:
    """Every issuer's identification score for ``document`` (issuers that decline left out).

    ``issuers`` defaults to the built-ins: add your own to see whether it wins.
    """
    scores = {}
    for issuer in builtin_issuers() if issuers is None else issuers:
        answer = issuer.identify(document)
        if answer is not None:
            scores[issuer.name] = answer.score
    return scores


def winner(document: Document, issuers: Sequence[Issuer] | None = None) -> str | None:
    """The issuer the core would choose for ``document``; ``None`` for none or a tie."""
    ranked = sorted(identify_all(document, issuers).items(), key=lambda i: i[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


# Approximate typesetting of make_pdf's default page (11 pt Helvetica, 1.5 line spacing),
# so that document_from_text gives word positions a layout-reading issuer can work with.
_LEFT, _TOP, _LINE, _CHAR, _SIZE = 60.0, 72.0, 16.5, 5.5, 11.0
_WORD = re.compile(r"\S+")


def document_from_text(*pages: str) -> Document:
    """Make a document of these page texts, numbered from 1, without a PDF.

    The texts are cleaned like a PDF's text layer. ``words()`` gives approximate
    positions, as if each line were typeset from the left margin in 11 pt: enough for
    an issuer that reads columns or lines, not a substitute for a real PDF.
    """
    cleaned = tuple(Page(number, clean_text(text)) for number, text in enumerate(pages, 1))
    texts = {page.number: page.text for page in cleaned}

    def words(number: int) -> tuple[Word, ...]:
        result = []
        for row, line in enumerate(texts[number].split("\n")):
            top = _TOP + row * _LINE
            for match in _WORD.finditer(line):
                x0 = _LEFT + match.start() * _CHAR
                x1 = _LEFT + match.end() * _CHAR
                result.append(Word(match.group(0), x0, x1, top, top + _SIZE))
        return tuple(result)

    return Document(pages=cleaned, _words=words)


# --------------------------------------------------------------------------- one run


@dataclass(frozen=True, slots=True)
class PhaseError:
    """An issuer method that raised or returned something the core would refuse.

    ``phase`` is ``identify``, ``split`` or ``extract``; ``pages`` are those of the
    attestation being extracted.
    """

    phase: str
    message: str
    pages: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = f" (pages {', '.join(map(str, self.pages))})" if self.pages else ""
        return f"{self.phase}{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class IssuerRun:
    """What an issuer answered for one document.

    ``identification`` is ``None`` when the issuer declined (then nothing else ran).
    ``groups`` are the page groups after splitting (the whole document when ``split``
    returned ``None``); ``extractions`` has one item per group, ``None`` where ``extract``
    failed (the failure is in ``errors``). ``seconds`` is the time spent in each phase.
    """

    issuer: str
    identification: Identification | None
    groups: tuple[tuple[int, ...], ...] = ()
    extractions: tuple[Extraction | None, ...] = ()
    errors: tuple[PhaseError, ...] = ()
    seconds: Mapping[str, float] = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        """Whether the issuer claimed the document."""
        return self.identification is not None

    @property
    def ok(self) -> bool:
        """Whether every method ran without error."""
        return not self.errors

    @property
    def extraction(self) -> Extraction:
        """The only attestation read; ``AssertionError`` unless there is exactly one."""
        if self.errors:
            raise AssertionError("; ".join(map(str, self.errors)))
        if not self.identified:
            raise AssertionError(f"{self.issuer} declined the document")
        if len(self.extractions) != 1 or self.extractions[0] is None:
            raise AssertionError(f"{self.issuer} read {len(self.extractions)} attestations")
        return self.extractions[0]


def run_issuer(issuer: Issuer, document: Document) -> IssuerRun:
    """Run ``identify``, then ``split`` and ``extract`` as the core would, catching failures.

    When ``identify`` declines, ``split`` and ``extract`` are not called (the core would
    not call them either).
    """
    label = f"{getattr(issuer, 'name', '?')}@{getattr(issuer, 'version', '?')}"
    seconds: dict[str, float] = {}
    errors: list[PhaseError] = []

    def timed(phase: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return call()
        finally:
            seconds[phase] = seconds.get(phase, 0.0) + time.perf_counter() - started

    try:
        answer = timed("identify", lambda: issuer.identify(document))
        identification = check_identification(answer)
    except Exception as error:  # reported, as the core reports it (plugin_error)
        return IssuerRun(
            label, None, errors=(PhaseError("identify", _describe(error)),), seconds=seconds
        )
    if identification is None:
        return IssuerRun(label, None, seconds=seconds)
    try:
        groups = check_groups(timed("split", lambda: issuer.split(document)), document.page_numbers)
    except Exception as error:
        return IssuerRun(
            label, identification, errors=(PhaseError("split", _describe(error)),), seconds=seconds
        )
    extractions: list[Extraction | None] = []
    for group in groups:
        part = document.subset(group)
        try:
            extracted = timed("extract", partial(issuer.extract, part))
            extractions.append(validate_extraction(extracted))
        except Exception as error:
            extractions.append(None)
            errors.append(PhaseError("extract", _describe(error), group))
    return IssuerRun(label, identification, groups, tuple(extractions), tuple(errors), seconds)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


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

_NONE = "(none)"
_TEXT_FIELDS = ("title", "reference", "event", "journal")


def _show(value: object) -> str:
    if value is None:
        return _NONE
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(extraction: Extraction, name: str) -> object:
    found = getattr(extraction, name)
    return None if found is None else found.value


def _compare(
    expected: Mapping[str, Any], group: tuple[int, ...], extraction: Extraction
) -> list[tuple[str, str, str]]:
    """List the differences between one expected attestation and one extraction."""
    differences: list[tuple[str, str, str]] = []

    def differ(name: str, want: object, got: object) -> None:
        differences.append((name, _show(want), _show(got)))

    if "family" in expected and expected["family"] != extraction.family.value:
        differ("family", expected["family"], extraction.family.value)
    if "pages" in expected and list(expected["pages"] or []) != list(group):
        differ("pages", expected["pages"], list(group))
    if isinstance(expected.get("participant"), Mapping):
        differences += _compare_participant(expected["participant"], extraction)
    for name in ("start", "end"):
        if name in expected:
            got = _value(extraction, name)
            if _show(expected[name]) != _show(got):
                differ(name, expected[name], got)
    for name in _TEXT_FIELDS:
        if name in expected:
            got = _value(extraction, name)
            if _text(expected[name]) != _text(got):
                differ(name, expected[name], got)
    if "nature" in expected:
        nature = _value(extraction, "nature")
        got_nature = getattr(nature, "value", nature)
        if expected["nature"] != got_nature:
            differ("nature", expected["nature"], got_nature)
    if "meetings" in expected and expected["meetings"] != _value(extraction, "meetings"):
        differ("meetings", expected["meetings"], _value(extraction, "meetings"))
    if "hours" in expected:
        want, got = expected["hours"], _value(extraction, "hours")
        same = (want is None and got is None) or (
            isinstance(want, int | float)
            and isinstance(got, int | float)
            and math.isclose(want, got, abs_tol=0.01)
        )
        if not same:
            differ("hours", want, got)
    return differences


def _text(value: object) -> str | None:
    return None if value is None else " ".join(str(value).split()).casefold()


def _compare_participant(
    expected: Mapping[str, Any], extraction: Extraction
) -> list[tuple[str, str, str]]:
    differences = []
    if "rpps" in expected:
        want = expected["rpps"]
        got = _value(extraction, "rpps")
        got_digits = None if got is None else "".join(str(got).split())
        if (None if want is None else str(want)) != got_digits:
            differences.append(("participant.rpps", _show(want), _show(got)))
    if "last_name" in expected or "first_name" in expected:
        wanted = " ".join(
            str(expected.get(key) or "") for key in ("last_name", "first_name")
        ).strip()
        got_name = _read_name(extraction)
        want_keys = _name_keys(wanted)
        got_keys = _name_keys(got_name or "")
        both = bool(expected.get("last_name")) and bool(expected.get("first_name"))
        same = want_keys == got_keys if both or not want_keys else want_keys <= got_keys
        if not same:
            differences.append(("participant.name", wanted or _NONE, got_name or _NONE))
    return differences


def _read_name(extraction: Extraction) -> str | None:
    """Give the name as read: the separate parts when given, else the whole name."""
    parts = [_value(extraction, "last_name"), _value(extraction, "first_name")]
    if any(parts):
        return " ".join(str(p) for p in parts if p)
    participant = _value(extraction, "participant")
    return None if participant is None else str(participant)


def _name_keys(name: str) -> frozenset[str]:
    # "DUPONT, Jean" (the family name first, marked by a comma) has the same tokens.
    return name_keys(name.replace(",", " "))

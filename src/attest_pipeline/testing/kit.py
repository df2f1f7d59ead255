r"""The plugin author's test kit: make a document, run an issuer on it as the core does.

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

Golden samples (``assert_samples``) are :mod:`attest_pipeline.testing.samples`' part.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from attest_pipeline.contract import Issuer
from attest_pipeline.models import Document, Extraction, Identification, Page, Word
from attest_pipeline.reading import clean_text, read_pdf
from attest_pipeline.recognition import (
    Score,
    call_extract,
    call_identify,
    call_split,
    contenders,
    identify,
)

__all__ = [
    "IssuerRun",
    "PhaseError",
    "builtin_issuers",
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
    """Every issuer's identification score for ``document``.

    Issuers that decline or fail are left out, as the core leaves them out. ``issuers``
    defaults to the built-ins: add your own to see whether it wins.
    """
    return {s.issuer: s.score for s in _scores(document, issuers) if s.score is not None}


def winner(document: Document, issuers: Sequence[Issuer] | None = None) -> str | None:
    """The issuer the core would choose for ``document``; ``None`` for none or a tie."""
    top = contenders(_scores(document, issuers))
    return top[0].issuer if len(top) == 1 else None


def _scores(document: Document, issuers: Sequence[Issuer] | None) -> list[Score]:
    """Every issuer's answer, as recognition asks for it (a failing issuer is left out)."""
    return [identify(i, document) for i in (builtin_issuers() if issuers is None else issuers)]


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

    The calls and the checks of their answers are recognition's own
    (:func:`~attest_pipeline.recognition.call_identify` and its siblings).

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
        identification = timed("identify", partial(call_identify, issuer, document))
    except Exception as error:  # reported, as the core reports it (plugin_error)
        return IssuerRun(
            label, None, errors=(PhaseError("identify", _describe(error)),), seconds=seconds
        )
    if identification is None:
        return IssuerRun(label, None, seconds=seconds)
    try:
        groups = timed("split", partial(call_split, issuer, document))
    except Exception as error:
        return IssuerRun(
            label, identification, errors=(PhaseError("split", _describe(error)),), seconds=seconds
        )
    extractions: list[Extraction | None] = []
    for group in groups:
        try:
            extractions.append(timed("extract", partial(call_extract, issuer, document, group)))
        except Exception as error:
            extractions.append(None)
            errors.append(PhaseError("extract", _describe(error), group))
    return IssuerRun(label, identification, groups, tuple(extractions), tuple(errors), seconds)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"

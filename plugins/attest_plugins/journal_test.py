"""Reading tests of medical journals: Prescrire's "Test de lecture", Exercer, Médecine...

Identified by a reading test ("test de lecture") and a journal's name. Read: participant,
RPPS, the journal's name as written (``journal``), the period the test covers (``start`` /
``end``: an explicit period, else the year: "année 2024" gives 2024-01-01 to 2024-12-31;
a single day, such as the date the answers were sent, is not a period and is left out),
the publisher (``issuer``) when it names itself, and what the attestation says of the
outcome.

The outcome is reported, never judged here: ``extras["result"]`` quotes what the document
says ("réussi", "validé", "non validé", a score), ``extras["score"]`` the score when
printed, and ``extras["passed"]`` is ``"no"`` when the document states a failure, ``"yes"``
when it states a success without a failure, absent otherwise. A failed test is still
extracted, so that the core can send it to review instead of filing it.

Between families: a reading test registered as a DPC action, its DPC action number printed,
is an andpc attestation (this plugin's score is capped then); the Qualiopi mark of a
journal's publisher does not make the test a training (the Qualiopi plugin defers here).

The data file (``data/journal_test.toml``) reads the participant and the publisher; the
period, the journal, the title and the outcome are read here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import (
    DataIssuer,
    Labels,
    Reading,
    compile_folded,
    excerpt,
    line_span,
    tidy,
    year_span,
)
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.text.dates import find_period, find_year
from attest_pipeline.text.fold import Folded
from attest_pipeline.text.scan import Gated, gated

_TEST = gated(r"\btests? de lecture\b")


@dataclass(frozen=True, slots=True)
class _Rules:
    """The ``[own]`` tables of the data file, compiled."""

    journals: tuple[Gated, ...]
    journal_labels: Labels
    journal_after_test: Gated
    year_labels: tuple[str, ...]
    failed: Gated
    passed: Gated
    score: Gated


class JournalTestIssuer(DataIssuer):
    """Reading tests of medical journals."""

    name = "journal_test"
    version = "1.0.0"
    families = (Family.JOURNAL_TEST,)
    covers = "reading tests of medical journals (Prescrire, Exercer, Médecine...)"
    data_file = resources.files("attest_plugins") / "data" / "journal_test.toml"

    @cached_property
    def _rules(self) -> _Rules:
        own = self.data.own
        return _Rules(
            journals=tuple(gated(j["pattern"], re.MULTILINE) for j in own["journals"]),
            journal_labels=Labels(own["journal"]["labels"]),
            journal_after_test=gated(own["journal"]["pattern"], re.MULTILINE),
            year_labels=tuple(own["period"]["year_labels"]),
            failed=compile_folded([own["result"]["failed"]]),
            passed=compile_folded([own["result"]["passed"]]),
            score=compile_folded([own["result"]["score"]]),
        )

    def complete(self, reading: Reading) -> None:
        """Read the period, the journal, the title, the nature and the outcome."""
        rules = self._rules
        folded = reading.folded
        values = reading.values
        start, end = _period(reading.text, rules.year_labels)
        test = _TEST.search(folded.text)
        found = {
            "start": start,
            "end": end,
            "title": _title(folded),
            "journal": _journal(rules, folded),
            "nature": Found(Nature.TEST_LECTURE, excerpt(folded, test.start(), test.end()))
            if test is not None
            else None,
        }
        values.update({key: value for key, value in found.items() if value is not None})
        reading.extras.update(_result(rules, folded))


def _period(text: str, year_labels: Sequence[str]) -> tuple[Found[date] | None, Found[date] | None]:
    """Return the period covered: an explicit span of days, else the year named."""
    span = find_period(text)
    if span is not None and span.start < span.end:
        return Found(span.start, span.evidence), Found(span.end, span.evidence)
    year = find_year(text, year_labels)
    if year is None:
        return None, None
    first, last = year_span(year.value)
    return Found(first, year.evidence), Found(last, year.evidence)


def _journal(rules: _Rules, folded: Folded) -> Found[str] | None:
    """Return the journal's name as written: known, labelled, or after "test de lecture"."""
    test = _TEST.search(folded.text)
    known = [match for pattern in rules.journals for match in pattern.finditer(folded.text)]
    if known:
        # The journal named nearest the test is the one tested (others may be cited).
        anchor = test.start() if test is not None else 0
        best = min(known, key=lambda m: abs(m.start() - anchor))
        group = next((name for name, value in best.groupdict().items() if value), None)
        start, end = best.span(group) if group else best.span()
        return Found(tidy(folded.excerpt(start, end)), excerpt(folded, best.start(), best.end()))
    labelled = rules.journal_labels.find(folded)
    if labelled is not None:
        return labelled
    match = rules.journal_after_test.search(folded.text)
    if match is not None:
        value = tidy(folded.excerpt(match.start("name"), match.end("name")))
        return Found(value, excerpt(folded, match.start(), match.end()))
    return None


def _title(folded: Folded) -> Found[str] | None:
    """Return the line naming the test ("Test de lecture Prescrire 2024")."""
    test = _TEST.search(folded.text)
    if test is None:
        return None
    start, end = line_span(folded.text, test.start())
    value = tidy(folded.excerpt(start, end))
    return Found(value, excerpt(folded, start, end)) if value else None


def _result(rules: _Rules, folded: Folded) -> dict[str, Found[str]]:
    """Return what the document says of the outcome: result, score, passed (yes / no)."""
    extras: dict[str, Found[str]] = {}
    failed = rules.failed.search(folded.text)
    passed = rules.passed.search(folded.text)
    score = rules.score.search(folded.text)
    if score is not None:
        quoted = excerpt(folded, score.start(), score.end())
        # The score itself, without the words before it ("taux de réponses exactes : ").
        extras["score"] = Found(tidy(re.sub(r"^\D+", "", quoted)), quoted)
    stated = failed or passed
    if stated is not None:
        start, end = line_span(folded.text, stated.start())
        line = excerpt(folded, start, end)
        extras["result"] = Found(tidy(folded.excerpt(stated.start(), stated.end())), line)
        extras["passed"] = Found("no" if failed is not None else "yes", line)
    elif score is not None:
        quoted = extras["score"].evidence
        extras["result"] = Found(tidy(quoted), quoted)
    return extras


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the reading-test issuer."""
    register(JournalTestIssuer())

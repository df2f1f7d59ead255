"""Splitting: where each attestation lies in a PDF holding several.

Three ways, chosen by a data file's ``[split]`` table: one attestation per page that has text
(``per_page``), one beginning at each page holding a phrase (``starts``), or one per
participant (``participants``: :func:`split_by_participant`, the built-in plugins' way).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attest_pipeline.issuers.common import common_rules
from attest_pipeline.issuers.markers import phrase_words
from attest_pipeline.issuers.people import People
from attest_pipeline.models import Document
from attest_pipeline.text.fold import fold
from attest_pipeline.text.names import name_keys

__all__ = ["split_at_phrases", "split_by_participant", "split_per_page"]

# A participant found as a bare "Dr X", without a marker before it.
_DOCTOR = re.compile(r"(?:dr|docteur|docteure)\b")


def split_per_page(document: Document) -> list[list[int]] | None:
    """Return one group per page that has text; ``None`` when no page has any."""
    groups = [[page.number] for page in document.pages if page.text.strip()]
    return groups or None


def split_at_phrases(document: Document, phrases: Sequence[str]) -> list[list[int]] | None:
    """Begin an attestation at each page holding one of ``phrases``.

    The following pages without one join it; the pages before the first are left out (a
    cover letter). Phrases are compared word by word after folding.
    """
    wanted = [phrase_words(phrase) for phrase in phrases]
    groups: list[list[int]] = []
    for page in document.pages:
        words = phrase_words(page.text)
        if any(phrase in words for phrase in wanted):
            groups.append([page.number])
        elif groups:
            groups[-1].append(page.number)
    return groups or None


def split_by_participant(document: Document, people: People) -> list[list[int]] | None:
    """Return page groups of a PDF holding one attestation per participant, or ``None``.

    A page opens an attestation when it names a participant and either carries an
    attestation's heading or names, after a marker (``certifie que``, ``Participant :``),
    someone else than the attestation in progress; a bare ``Dr X`` without heading (a
    speaker, a signatory, a cover letter's addressee) does not open one. Pages without a
    participant continue the previous attestation, unless headed as one (then read alone,
    a person deciding when nothing is read); pages before the first (a cover
    letter) are left out, also when the PDF holds one attestation behind them, unless
    they carry an attestation's heading or say what one says (``atteste que``, ``a
    participé``; data ``[split] speaks``): then they are read as an
    attestation of their own (a person decides when nothing is read). An e-signature's
    proof page (``[split] trail``: a DocuSign certificate of completion, a Yousign
    dossier de preuve) goes with the attestation before it. Text only: fast on a
    thousand pages.
    """
    if len(document.pages) < 2:
        return None
    rules = common_rules()
    groups: list[list[int]] = []
    current: frozenset[str] = frozenset()
    leading: list[int] = []
    leading_heading = False
    for page in document.pages:
        folded = fold(page.text).text
        if rules.trail.search(folded) is not None:
            # An e-signature's proof page: with the attestation it proves (or left out
            # before the first, as a cover letter), whoever signed.
            (groups[-1] if groups else leading).append(page.number)
            continue
        heading = rules.opening.search(folded) is not None
        who = people.person(page.text)
        if who is not None:
            name = name_keys(who.value)
            marked = _DOCTOR.match(fold(who.evidence).text) is None
            # A bare "Dr X" opens nothing, not even the first attestation: on a cover
            # letter it is the addressee ("Docteur Claire MARTIN, 12 rue des Lilas").
            if heading or (marked and (not groups or name != current)):
                groups.append([page.number])
                current = name
                continue
        if heading:
            # Headed as an attestation but its participant not read (a poor scan): its
            # own attestation, for a person to see, never a page of the one before.
            groups.append([page.number])
            current = frozenset()
            continue
        if groups:
            groups[-1].append(page.number)
        else:
            leading.append(page.number)
            # An attestation whose participant could not be read (a poor scan) must
            # not be left out unseen: only pages that do not speak as one are.
            speaks = rules.speaks.search(folded) is not None
            leading_heading = leading_heading or heading or speaks
    if leading and leading_heading and groups:
        groups.insert(0, leading)  # read, and sent to a person if nothing is found
    if len(groups) > 1:
        return groups
    # One attestation behind pages that are none (a cover letter): read it alone.
    if groups and groups[0][0] != document.pages[0].number:
        return groups
    return None

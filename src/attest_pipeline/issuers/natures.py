"""Natures: which kind of action an attestation states (formation continue, EPP...).

Read from a data file's ``[nature]`` table: ``labels`` and ``cells`` whose value states the
nature (``Type d'action : EPP``), and ``[[nature.rules]]`` in priority order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from attest_pipeline.issuers.common import compile_folded
from attest_pipeline.issuers.labels import Labels, excerpt, flat, line_span
from attest_pipeline.models import Document, Found, Nature
from attest_pipeline.text.fold import Folded, fold

__all__ = ["NatureRule", "NatureRules"]


@dataclass(frozen=True, slots=True)
class NatureRule:
    """One rule of ``[[nature.rules]]``: the nature, its keywords, how much it is trusted.

    ``patterns`` are regexes on folded text; ``label_only`` short forms (``FC``, ``GDR``)
    count only in a labelled value; a ``first`` rule wins wherever it appears.
    """

    nature: Nature
    patterns: tuple[str, ...]
    label_only: tuple[str, ...] = ()
    first: bool = False


class NatureRules:
    """Which :class:`Nature` a text states, from ordered keyword rules (``[[nature]]``).

    A labelled value (``Type d'action : EPP``) decides first; short forms (``label_only``,
    such as ``FC`` or ``GDR``) are trusted only there. Otherwise a rule marked ``first``
    wins wherever it appears (a *programme intégré* names the types it combines), then the
    earliest nature stated in the text, except that a line naming three of the other
    natures is a legend listing the possible types and is skipped.
    """

    def __init__(
        self, rules: Sequence[NatureRule], labels: Sequence[str], cells: Sequence[str] = ()
    ) -> None:
        self.rules = tuple(
            (
                rule.nature,
                compile_folded(rule.patterns),
                compile_folded([*rule.patterns, *rule.label_only]),
                rule.first,
            )
            for rule in rules
        )
        self.labels = Labels(labels, cells=cells)

    def classify(self, value: str) -> Nature | None:
        """Return the first nature whose keywords (short forms included) are in ``value``."""
        folded = fold(value).text
        for nature, _, labelled, _ in self.rules:
            if labelled.search(folded):
                return nature
        return None

    def find(self, document: Document, folded: Folded) -> Found[Nature] | None:
        """Return the nature the attestation states, with the line it was read from."""
        labelled = self.labels.lookup(document, folded)
        if labelled is not None:
            nature = self.classify(labelled.value)
            if nature is not None:
                return Found(nature, labelled.evidence)
        text = folded.text
        one_line = flat(folded)
        best: tuple[int, Nature, int, int] | None = None
        for nature, pattern, _, first in self.rules:
            for match in pattern.finditer(one_line):
                start, end = line_span(text, match.start())
                line = text[start:end]
                if sum(1 for rule in self.rules if not rule[3] and rule[1].search(line)) >= 3:
                    continue
                if first:
                    return Found(nature, excerpt(folded, start, end))
                if best is None or match.start() < best[0]:
                    best = (match.start(), nature, start, end)
                break
        if best is None:
            return None
        return Found(best[1], excerpt(folded, best[2], best[3]))

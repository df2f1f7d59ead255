"""The rules every issuer of the engine shares (``common.toml`` beside this module).

Negations, family signatures, the marks of documents that are not attestations, what an
attestation says of itself, the words fields' labels start with, and the headings that open
an attestation in a PDF holding several. Read once, on first use: importing the engine reads
no file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from attest_pipeline.datafile import DataFile, Table
from attest_pipeline.text.scan import Gated, gated

__all__ = ["COMMON_FILE", "CommonRules", "Exclusion", "common_rules", "compile_folded"]

#: The engine's shared rules, shipped with the package.
COMMON_FILE = "common.toml"


def compile_folded(patterns: Iterable[str]) -> Gated:
    """Compile one regex matching any of ``patterns`` (written for folded text).

    The regex is gated (:class:`~attest_pipeline.text.scan.Gated`): searched only in texts
    holding the strings it needs, so that absent markers cost next to nothing.
    """
    return gated("|".join(f"(?:{p})" for p in patterns), re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Marks of a document that is not an attestation (invoice, convention, programme).

    The document is excluded when at least ``minimum`` of ``patterns`` are found and
    ``unless`` (an attestation's own wording) is not.
    """

    patterns: tuple[Gated, ...]
    minimum: int
    unless: Gated | None


@dataclass(frozen=True, slots=True)
class CommonRules:
    """The compiled form of ``common.toml`` (see the comments of that file)."""

    negations: Gated
    signatures: Mapping[str, tuple[Gated, ...]]
    exclusions: Mapping[str, Exclusion]
    wording: tuple[Gated, ...]
    label_words: tuple[str, ...]
    opening: Gated
    speaks: Gated
    trail: Gated

    def worded(self, text: str) -> bool:
        """Say whether ``text`` (folded) speaks as an attestation: one wording is in it.

        Each wording is its own regex: together in one, the words they need are too many
        for its gate, which then searches most of every text.
        """
        return any(pattern.search(text) is not None for pattern in self.wording)

    def signature(self, name: str, text: str) -> re.Match[str] | None:
        """Return the first match of family ``name``'s signature in ``text`` (folded).

        As one regex of its patterns would match: the leftmost, and at one place the
        pattern listed first. Each pattern has its own gate, as the wordings do.
        """
        best: re.Match[str] | None = None
        for pattern in self.signatures[name]:
            match = pattern.search(text)
            if match is not None and (best is None or match.start() < best.start()):
                best = match
        return best


@cache
def common_rules() -> CommonRules:
    """Read and compile the engine's shared rules (once, on first use)."""
    source = resources.files("attest_pipeline.issuers").joinpath(COMMON_FILE)
    file = DataFile(Path(str(source)), source.read_text(encoding="utf-8"))
    root = file.root
    root.check_keys(("negations", "signatures", "exclusions", "wording", "labels", "split"))
    signatures = root.table("signatures")
    exclusions = root.table("exclusions")
    split = root.table("split", ("opening", "speaks", "trail"))
    return CommonRules(
        negations=compile_folded(root.table("negations", ("patterns",)).texts("patterns")),
        signatures={
            name: tuple(compile_folded([p]) for p in signatures.texts(name)) for name in signatures
        },
        exclusions={
            name: _exclusion(exclusions.table(name, ("min", "patterns", "unless")))
            for name in exclusions
        },
        wording=tuple(
            compile_folded([p]) for p in root.table("wording", ("patterns",)).texts("patterns")
        ),
        label_words=root.table("labels", ("words",)).texts("words"),
        opening=compile_folded(split.texts("opening")),
        speaks=compile_folded(split.texts("speaks")),
        trail=compile_folded(split.texts("trail")),
    )


def _exclusion(table: Table) -> Exclusion:
    unless = table.texts("unless", ())
    return Exclusion(
        patterns=tuple(gated(p, re.MULTILINE) for p in table.texts("patterns")),
        minimum=table.integer("min", 1, minimum=1),
        unless=compile_folded(unless) if unless else None,
    )

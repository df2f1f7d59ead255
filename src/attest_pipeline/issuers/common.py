"""The rules every issuer of the engine shares (``common.toml`` beside this module).

Negations, family signatures, the marks of documents that are not attestations, what an
attestation says of itself, the words fields' labels start with, and the headings that open
an attestation in a PDF holding several. Read once, on first use: importing the engine reads
no file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

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
    signatures: Mapping[str, Gated]
    exclusions: Mapping[str, Exclusion]
    wording: Gated
    label_words: tuple[str, ...]
    opening: Gated
    speaks: Gated


@cache
def common_rules() -> CommonRules:
    """Read and compile the engine's shared rules (once, on first use)."""
    source = resources.files("attest_pipeline.issuers").joinpath(COMMON_FILE)
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    return CommonRules(
        negations=compile_folded(data["negations"]["patterns"]),
        signatures={name: compile_folded(p) for name, p in data["signatures"].items()},
        exclusions={
            name: Exclusion(
                patterns=tuple(gated(p, re.MULTILINE) for p in item["patterns"]),
                minimum=int(item.get("min", 1)),
                unless=compile_folded(item["unless"]) if item.get("unless") else None,
            )
            for name, item in data["exclusions"].items()
        },
        wording=compile_folded(data["wording"]["patterns"]),
        label_words=tuple(data["labels"]["words"]),
        opening=compile_folded(data["split"]["opening"]),
        speaks=compile_folded(data["split"]["speaks"]),
    )

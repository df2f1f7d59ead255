"""Assemble, check and write the corpus."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from gen import andpc, congress, journal, peers, qualiopi, traps, university
from gen.common import Sample
from gen.expect import check_theme
from gen.people import Person, build_roster, build_strangers, loose_key, name_matches, roster_csv

DEFAULT_SEED = 20251122
FOLDERS = ("andpc", "qualiopi", "university", "congress", "journal_test", "peer_group", "traps")

Maker = Callable[[list[Person], random.Random], list[Sample]]


def _makers() -> list[tuple[str, Maker]]:
    return [("andpc", andpc.samples), ("qualiopi", qualiopi.samples),
            ("university", university.samples),
            ("congress", lambda r, g: congress.samples(r, build_strangers(), g)),
            ("journal_test", journal.samples), ("peer_group", peers.samples),
            ("traps", lambda r, g: traps.samples(r, build_strangers(), g))]


def build(seed: int = DEFAULT_SEED) -> tuple[list[Person], list[Sample]]:
    """The roster and every sample of the corpus, in memory, checked."""
    roster = build_roster()
    samples: list[Sample] = []
    for name, maker in _makers():
        samples += maker(roster, random.Random(f"{seed}/{name}"))
    check(roster, samples)
    return roster, samples


def check(roster: list[Person], samples: list[Sample]) -> None:
    """Refuse a corpus whose expectations do not follow from what was printed."""
    names = [s.name for s in samples]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, duplicates
    for sample in samples:
        for index, att in enumerate(sample.atts):
            where = f"{sample.folder}/{sample.name}#{index}"
            if att.status == "reject" or not att.pages:
                continue
            text = "\n".join(sample.texts[p - 1] for p in att.pages)
            # The theme only matters where the mapping depends on it.
            if att.family in ("andpc", "qualiopi", "university"):
                check_theme(att, text, where)
            if att.status != "file":
                continue
            person = att.person
            assert person is not None
            folded = loose_key(text)
            assert loose_key(person.first) in folded, where
            assert any(loose_key(n) in folded for n in (person.last, person.married,
                                                        person.maiden) if n), where
            if person.rpps not in text:
                found = name_matches(roster, person.first,
                                     [person.last, person.married, person.maiden])
                assert found == [person], f"{where}: name matches {len(found)} roster entries"


def write(out: Path, roster: list[Person], samples: list[Sample]) -> list[Path]:
    """Write the roster and the samples under ``out`` (replacing older samples)."""
    out.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        directory = out / folder
        directory.mkdir(exist_ok=True)
        for old in [*directory.glob("*.pdf"), *directory.glob("*.json")]:
            old.unlink()
    (out / "roster.csv").write_text(roster_csv(roster), encoding="utf-8")
    paths = []
    for sample in samples:
        pdf = out / sample.folder / f"{sample.name}.pdf"
        pdf.write_bytes(sample.data)
        expected = {"source": f"{sample.folder}/{sample.name}.pdf",
                    "attestations": [att.expected() for att in sample.atts]}
        pdf.with_suffix(".json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(pdf)
    return paths


def generate_corpus(out: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate the whole corpus under ``out``; return the PDF paths written."""
    roster, samples = build(seed)
    return write(Path(out), roster, samples)

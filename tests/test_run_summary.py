"""What a pass did: counts, their sum over a watcher's passes, and their words."""

from __future__ import annotations

from pathlib import Path

from attest_pipeline.config import default_config
from attest_pipeline.models import Problem, Record, Source, Status
from attest_pipeline.outcomes import failed
from attest_pipeline.reasons import Reason
from attest_pipeline.run_summary import Summary, notes


def filed(name: str) -> Record:
    return Record(source=name, sha256="0" * 64, pages=(1,), status=Status.FILE)


def quarantined(name: str) -> Record:
    return failed(Source(name, "1" * 64, ()), Problem(Reason.CORRUPT, "damaged"))


def test_merge_adds_every_count_of_another_pass() -> None:
    first, second = Summary(), Summary()
    first.add([filed("a.pdf"), filed("a.pdf")])
    first.ignore("folder")
    first.seconds, first.writing = 1.5, 1
    second.add([quarantined("b.pdf")])
    second.ignore("folder")
    second.ignore("symbolic link")
    second.seconds, second.unclaimed, second.left_in_work = 0.5, 2, 3
    first.merge(second)
    assert first.to_json() == {
        "documents": 2,
        "filed": 2,
        "review": 0,
        "quarantine": 1,
        "duplicates": 0,
        "reasons": {"corrupt": 1},
        "still_being_written": 1,
        "not_taken": 2,
        "left_in_work": 3,
        "ignored": {"folder": 2, "symbolic link": 1},
        "seconds": 2.0,
    }


def test_the_text_says_each_outcome_and_the_time_when_asked() -> None:
    summary = Summary()
    summary.add([filed("a.pdf")])
    summary.add([quarantined("b.pdf")])
    summary.seconds = 3.25
    counts = "1 filed, 0 to review, 1 in quarantine, 0 duplicate(s)"
    assert summary.text() == f"2 document(s): {counts}"
    assert summary.text(seconds=True) == f"2 document(s) in 3.2 s: {counts}"


def test_notes_say_what_was_left_only_for_a_run(tmp_path: Path) -> None:
    config = default_config(tmp_path / "config.toml")
    summary = Summary(writing=1, left_in_work=1)
    summary.ignore("folder")
    said = notes(summary, config)
    assert said[0].startswith("1 still being written, left for the next pass")
    assert said[1].startswith("1 could not be filed nor set aside")
    assert said[2] == "left in the inbox, not regular files (never followed): 1 folder(s)"
    assert notes(summary, config, waiting=False) == [said[2]]

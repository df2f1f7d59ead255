"""Readiness: when a file of the inbox is complete enough to be taken."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from attest_pipeline import readiness
from attest_pipeline.readiness import (
    FirstLook,
    QuietTracker,
    is_complete,
    signature,
    unchanged_for,
)
from tests.hostile import per_page, text_pdf
from tests.test_pipeline import andpc


def andpc_pdf(n: int) -> bytes:
    """A DPC attestation, unique per ``n``."""
    return andpc(action=f"{12345600000 + n}")



def test_a_whole_pdf_is_complete_and_a_truncated_one_is_not(tmp_path: Path) -> None:
    data = andpc_pdf(1)
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    assert is_complete(path, len(data))
    for cut in (len(data) // 2, len(data) - 8, 10):
        path.write_bytes(data[:cut])
        assert not is_complete(path, cut), cut
    # A copy that reserved the full size first ends with zeros until it is done.
    path.write_bytes(data[:-300] + b"\0" * 300)
    assert not is_complete(path, len(data))


def test_zeros_where_startxref_points_are_a_copy_still_being_filled(tmp_path: Path) -> None:
    data = andpc_pdf(4)
    offset = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    path = tmp_path / "a.pdf"
    # Blocks written out of order: the end is there, the cross-reference table not yet.
    path.write_bytes(data[:offset] + b"\0" * 200 + data[offset + 200 :])
    assert not is_complete(path, len(data))


def test_a_whole_but_damaged_pdf_is_complete_without_being_parsed(tmp_path: Path) -> None:
    pages = [per_page("Jean-Pierre DUPONT"), per_page("Claire MARTIN")]
    path = tmp_path / "a.pdf"
    for data in (
        text_pdf(pages, startxref=False),  # readers rebuild the table
        text_pdf(pages, metadata_bomb=1024),  # a decompression bomb: only bytes are read
    ):
        path.write_bytes(data)
        started = time.monotonic()
        assert is_complete(path, len(data))
        assert time.monotonic() - started < 1.0


def test_a_pdf_with_trailing_junk_or_a_password_is_complete(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    path = tmp_path / "a.pdf"
    data = andpc_pdf(2) + b"\r\n\r\n"
    path.write_bytes(data)
    assert is_complete(path, len(data))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(andpc_pdf(3))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    assert is_complete(path, len(out.getvalue()))


def test_other_files_are_complete_when_not_empty(tmp_path: Path) -> None:
    path = tmp_path / "scan.JPG"
    path.write_bytes(b"")
    assert not is_complete(path, 0)
    path.write_bytes(b"\xff\xd8")
    assert is_complete(path, 2)
    html = tmp_path / "download.PDF"
    html.write_bytes(b"<html>session expired</html>")  # will never become a PDF: taken
    assert is_complete(html, html.stat().st_size)




# ------------------------------------------------------------------------- FirstLook


def test_first_look_waits_out_the_quiet_period_and_takes_a_quiet_whole_pdf(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(andpc_pdf(4))
    slept: list[float] = []
    look = FirstLook([path], 0.2, 300.0, sleep=slept.append)
    assert look.ready(path) == signature(path)
    assert len(slept) == 1 and 0 < slept[0] <= 0.2
    assert look.writing == []


def test_first_look_leaves_a_growing_file_and_an_incomplete_one(tmp_path: Path) -> None:
    growing, cut = tmp_path / "growing.pdf", tmp_path / "cut.pdf"
    data = andpc_pdf(5)
    growing.write_bytes(data[:500])
    cut.write_bytes(data[:500])
    look = FirstLook([growing, cut], 0.05, 300.0)
    with open(growing, "ab") as handle:
        handle.write(data[500:])
    assert look.ready(growing) is None
    assert look.ready(cut) is None
    assert look.writing == ["growing.pdf", "cut.pdf"]


def test_first_look_hands_over_an_incomplete_file_unchanged_for_unreadable_after(
    tmp_path: Path,
) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(andpc_pdf(6)[:500])
    time.sleep(0.3)
    assert unchanged_for(cut) >= 0.25
    look = FirstLook([cut], 0.0, 0.2)
    assert look.ready(cut) == signature(cut)


def test_first_look_holds_only_the_files_ahead_of_the_one_handed_out(tmp_path: Path) -> None:
    paths = [tmp_path / f"{n:02d}.pdf" for n in range(12)]
    for n, path in enumerate(paths):
        path.write_bytes(andpc_pdf(20 + n))
    look = FirstLook(iter(paths), 0.0, 300.0, ahead=3)
    assert len(look.seen) == 3
    handed = []
    for path in look.paths():
        assert len(look.seen) <= 4  # the one handed out, and three ahead
        assert look.ready(path) == signature(path)
        handed.append(path)
    assert handed == paths and look.seen == {} and look.writing == []


def test_a_file_quiet_for_long_by_its_times_is_taken_without_waiting_on_a_local_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readiness, "COARSE_TIMES", 0.1)
    old, changed = tmp_path / "old.pdf", tmp_path / "changed.pdf"
    old.write_bytes(andpc_pdf(40))
    changed.write_bytes(andpc_pdf(41))
    time.sleep(0.35)  # unchanged for longer than the quiet period and the coarse times
    slept: list[float] = []
    trusted = FirstLook([old, changed], 0.2, 300.0, trust_times=True, sleep=slept.append)
    assert trusted.waited_until <= time.monotonic()
    with open(changed, "ab") as handle:
        handle.write(b"% appended after the first look\n")
    assert trusted.ready(old) == signature(old)
    assert trusted.ready(changed) is None  # the second look still sees the change
    assert slept == [] and trusted.writing == ["changed.pdf"]
    # Times from another clock (a network share) are not trusted: the period is waited.
    untrusted = FirstLook([old], 0.2, 300.0, sleep=slept.append)
    assert untrusted.ready(old) == signature(old)
    assert len(slept) == 1 and 0 < slept[0] <= 0.2


def test_unchanged_for_follows_the_change_time_not_a_copied_modification_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "copied.pdf"
    path.write_bytes(b"%PDF-1.7 being copied")
    # Copy tools give the copy the source's modification time; the change time is ours.
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    assert unchanged_for(path) < 60


def test_a_pdf_name_on_another_kind_of_file_is_complete_once_its_head_is_there(
    tmp_path: Path,
) -> None:
    docx = tmp_path / "renamed.pdf"
    docx.write_bytes(b"PK\x03\x04" + b"w" * 2000)  # a .docx (a zip) under a .pdf name
    assert is_complete(docx, docx.stat().st_size)
    reserved = tmp_path / "reserved.pdf"
    reserved.write_bytes(b"\0" * 4000)  # a copy that reserved its size: not yet
    assert not is_complete(reserved, 4000)
    short = tmp_path / "short.pdf"
    short.write_bytes(b"PK\x03\x04")  # a small quiet file that can never begin a PDF
    assert is_complete(short, 4)
    started = tmp_path / "started.pdf"
    started.write_bytes(b"%PD")  # the first bytes of a PDF still being written
    assert not is_complete(started, 3)


# -------------------------------------------------------------------- QuietTracker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_tracker_waits_for_the_quiet_period(tmp_path: Path) -> None:
    clock = Clock()
    tracker = QuietTracker(1.0, 60.0, clock=clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"part")
    tracker.note(path)
    assert tracker.next_due() == 1001.0
    clock.now += 0.5
    assert tracker.poll().ready == []
    with open(path, "ab") as handle:
        handle.write(b" more")
    clock.now += 0.6
    assert tracker.poll().ready == []  # changed: the quiet period starts again
    assert tracker.next_due() == pytest.approx(1002.1)
    clock.now += 0.9
    assert tracker.poll().ready == []
    clock.now += 0.2
    assert tracker.poll().ready == [path]
    assert path not in tracker and len(tracker) == 0
    assert tracker.next_due() is None


def test_tracker_returns_ready_files_oldest_first(tmp_path: Path) -> None:
    clock = Clock()
    tracker = QuietTracker(1.0, 60.0, clock=clock)
    for name in ("c.jpg", "a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(name.encode())
        tracker.note(tmp_path / name)
        clock.now += 0.1
    clock.now += 1.0
    assert [p.name for p in tracker.poll().ready] == ["c.jpg", "a.jpg", "b.jpg"]


def test_tracker_holds_an_incomplete_pdf_then_gives_up(tmp_path: Path) -> None:
    clock = Clock()
    tracker = QuietTracker(1.0, 10.0, clock=clock)
    path = tmp_path / "a.pdf"
    data = andpc_pdf(4)
    path.write_bytes(data[: len(data) // 2])
    tracker.note(path)
    clock.now += 1.5
    first = tracker.poll()
    assert first.ready == [] and first.incomplete == [path]
    clock.now += 1.5
    again = tracker.poll()
    assert again.ready == [] and again.incomplete == []  # said once
    clock.now += 8.0
    assert tracker.poll().ready == [path]  # unreadable for long enough: handed over


def test_tracker_takes_a_pdf_once_the_writer_finishes(tmp_path: Path) -> None:
    clock = Clock()
    tracker = QuietTracker(1.0, 300.0, clock=clock)
    path = tmp_path / "a.pdf"
    data = andpc_pdf(5)
    path.write_bytes(data[:-300] + b"\0" * 300)  # size reserved, tail not written yet
    tracker.note(path)
    clock.now += 2.0
    assert tracker.poll().ready == []
    with open(path, "r+b") as handle:
        handle.seek(len(data) - 300)
        handle.write(data[-300:])
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    clock.now += 1.0
    found = tracker.poll()
    if not found.ready:  # the write changed the mtime: one more quiet period
        clock.now += 1.1
        found = tracker.poll()
    assert found.ready == [path]


def test_tracker_drops_what_vanishes_and_ignores_folders_and_links(tmp_path: Path) -> None:
    clock = Clock()
    tracker = QuietTracker(1.0, 60.0, clock=clock)
    (tmp_path / "folder.pdf").mkdir()
    target = tmp_path / "real.jpg"
    target.write_bytes(b"x")
    (tmp_path / "link.jpg").symlink_to(target)
    for name in ("folder.pdf", "link.jpg", "absent.pdf"):
        tracker.note(tmp_path / name)
    assert len(tracker) == 0
    tracker.note(target)
    target.unlink()
    clock.now += 2.0
    assert tracker.poll().ready == []
    assert len(tracker) == 0


def test_tracker_defers_a_failed_file_with_growing_delays(tmp_path: Path) -> None:
    clock = Clock()
    tracker = QuietTracker(0.5, 60.0, clock=clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x")
    assert tracker.defer(path) == 5.0
    clock.now += 4.0
    assert tracker.poll().ready == []
    clock.now += 1.5
    assert tracker.poll().ready == [path]
    assert tracker.defer(path) == 10.0
    tracker.forget(path)
    assert tracker.defer(path) == 5.0

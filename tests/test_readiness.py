"""Readiness: when a file of the inbox is complete enough to be taken."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from attest_pipeline.readiness import FirstLook, is_complete, signature, unchanged_for
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

"""The lines of ``journal.log``: one event a line, readable, and never forged by a name."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from attest_pipeline.access import open_new
from attest_pipeline.models import Status
from attest_pipeline.text.printable import printable

if TYPE_CHECKING:
    from attest_pipeline.filing import Filed


def journal_line(name: str, filed: Filed) -> str:
    """One readable line: when, what, who, where it went and why."""
    record = filed.record
    who = " ".join(x for x in (record.rpps, record.last_name, record.first_name) if x) or "-"
    action = record.chosen.key if record.chosen and record.status is Status.FILE else "-"
    why = ",".join(record.reasons) or "-"
    where = str(filed.path) if filed.path else (record.duplicate_of or "-")
    pages = f"p{','.join(map(str, record.pages))}" if record.pages else "-"
    line = (
        f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {record.status.value:<9} {name} "
        f"[{pages}] {who} {action} reasons={why} -> {where}"
    )
    if filed.mail is not None:
        from attest_pipeline.mail.parse import mail_summary

        line += " " + mail_summary(filed.mail)
    # One event, one line: a newline in a file name must not forge a line of the journal.
    return printable(line)


def ignored_line(name: str, kind: str) -> str:
    """The journal line of an entry of the inbox left alone: not a regular file."""
    return printable(
        f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {'ignored':<9} {name} [-] - - reasons=- "
        f"-> ignored: {kind}, never followed, left in the inbox"
    )


def append_journal(path: Path, lines: Iterable[str]) -> None:
    """Append whole lines to ``journal.log``, or nothing (a full disk): no half line."""
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    descriptor = open_new(path, os.O_WRONLY | os.O_APPEND)
    with os.fdopen(descriptor, "ab", buffering=0) as journal:
        kept = journal.seek(0, os.SEEK_END)
        try:
            rest = memoryview(data)
            while rest:
                rest = rest[journal.write(rest) or 0 :]
        except OSError:
            # The database holds the same events, and the claims, left unreleased, are
            # only released by the next run.
            journal.truncate(kept)
            raise

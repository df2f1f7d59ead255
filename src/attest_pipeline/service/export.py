"""What the secretariat hands out: one row per dossier entry, for a spreadsheet or a script."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from attest_pipeline.service.progress import all_progress
from attest_pipeline.service.workspace import Workspace

#: The columns of the export, in order (also the JSON keys).
COLUMNS = (
    "rpps",
    "last_name",
    "first_name",
    "bloc",
    "action",
    "counted_in",
    "state",
    "labellisation",
    "label_status",
    "start",
    "end",
    "issuer",
    "title",
    "reference",
    "path",
    "sha256",
)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One dossier entry as exported; ``sha256`` of the proof PDF (``None`` if missing)."""

    rpps: str
    last_name: str
    first_name: str
    bloc: int
    action: str
    counted_in: int | None
    state: str
    labellisation: str
    label_status: str
    start: str | None
    end: str | None
    issuer: str | None
    title: str | None
    reference: str | None
    path: str
    sha256: str | None

    def to_json(self) -> dict[str, Any]:
        """The row as JSON (the same keys as the CSV's columns)."""
        return asdict(self)


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file, ``None`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def export_rows(ws: Workspace) -> list[ExportRow]:
    """Every dossier entry of every physician, by physician then date."""
    rows = []
    for progress in all_progress(ws):
        for entry in progress.entries:
            rows.append(
                ExportRow(
                    rpps=progress.rpps,
                    last_name=progress.last_name,
                    first_name=progress.first_name,
                    bloc=entry.bloc,
                    action=entry.action,
                    counted_in=entry.counted_in,
                    state=entry.state,
                    labellisation=entry.labellisation,
                    label_status=entry.label_status,
                    start=entry.start,
                    end=entry.end,
                    issuer=entry.issuer,
                    title=entry.title,
                    reference=entry.reference,
                    path=entry.path,
                    sha256=file_sha256(Path(entry.path)),
                )
            )
    return rows


def to_csv(rows: Sequence[ExportRow], *, delimiter: str = ",") -> str:
    """The rows as CSV, UTF-8 with a BOM so that Excel reads the accents."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        data = row.to_json()
        writer.writerow(["" if data[c] is None else data[c] for c in COLUMNS])
    return out.getvalue()


def to_json(rows: Sequence[ExportRow]) -> str:
    """The rows as a JSON array."""
    return json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2) + "\n"

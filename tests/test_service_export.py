"""The export: one row per dossier entry, CSV (UTF-8 with BOM, ; option) or JSON."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from attest_pipeline.service import Workspace
from attest_pipeline.service.export import COLUMNS, export_rows, to_csv, to_json
from tests.office import DUPONT, MARTIN


def test_one_row_per_entry_with_the_proofs_sha256(office: Workspace) -> None:
    rows = export_rows(office)
    assert [(r.rpps, r.action) for r in rows] == [(DUPONT, "1.A"), (DUPONT, "2.A"), (MARTIN, "1.B")]
    for row in rows:
        assert row.sha256 == hashlib.sha256(Path(row.path).read_bytes()).hexdigest()
    pending = rows[2]
    assert (pending.labellisation, pending.label_status, pending.state) == (
        "a_demander",
        "pending",
        "pending",
    )
    assert rows[0].reference == "12345678901" and rows[0].issuer and rows[0].title


def test_csv_for_excel_and_json(office: Workspace) -> None:
    rows = export_rows(office)
    text = to_csv(rows, delimiter=";")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert tuple(table[0]) == COLUMNS and len(table) == 4
    assert table[1][COLUMNS.index("last_name")] == "DUPONT"
    assert list(json.loads(to_json(rows))[0]) == list(COLUMNS)


def test_a_missing_proof_is_exported_without_sha(office: Workspace) -> None:
    Path(export_rows(office)[0].path).unlink()
    assert export_rows(office)[0].sha256 is None

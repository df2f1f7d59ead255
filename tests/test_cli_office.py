"""The secretariat's commands through the command line: review, labels, status, dossier, dpc,
export, summary; refusals are one line and exit code 2; every JSON key is in the README."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from attest_pipeline.service import Workspace
from tests.office import DUPONT, MARTIN
from tests.test_cli import attest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def secretariat_section() -> str:
    start = README.index("## A day's work at the secretariat")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def documented(data: Any, where: str) -> None:
    """Every key of a JSON output (nested objects and lists too) is named in the README."""
    section = secretariat_section()
    if isinstance(data, list):
        for item in data:
            documented(item, where)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key.isdigit():  # bloc numbers
                documented(value, where)
                continue
            assert f"`{key}`" in section, f"{where}: JSON key {key!r} is not in the README"
            if key not in ("fields", "evidence", "types"):  # free-form, from the plugins
                documented(value, where)


def run(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return attest(*args, cwd=ws.config.paths.inbox.parent)


def ok(ws: Workspace, *args: str) -> str:
    result = run(ws, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(ws: Workspace, *args: str) -> str:
    result = run(ws, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


def test_review_list_show_resolve_reopen_reject(office: Workspace) -> None:
    listed = json.loads(ok(office, "review", "--json"))
    documented(listed, "review --json")
    assert [i["id"] for i in listed] == [2]
    assert "unknown_participant" in ok(office, "review")
    assert json.loads(ok(office, "review", "--json", "--reason", "invalid_rpps")) == []
    shown = json.loads(ok(office, "review", "show", "2", "--json"))
    documented(shown, "review show --json")
    assert shown["evidence"]["participant"] and shown["candidates"] == ["1.A"]
    assert "evidence:" in ok(office, "review", "show", "2")

    assert "is not on the roster" in refused(
        office, "review", "resolve", "2", "--rpps", "10000000074", "--by", "alice"
    )
    assert "is not a date" in refused(office, "review", "resolve", "2", "--start", "12/03/2025")
    decision = json.loads(
        ok(office, "review", "resolve", "2", "--rpps", MARTIN, "--by", "alice", "--json",
           "--note", "appel du médecin")
    )
    documented(decision, "review resolve --json")
    assert decision["by"] == "alice" and decision["overrides"]["rpps"]["decided"] == MARTIN
    message = refused(office, "review", "reject", "2", "--why", "doublon", "--by", "bob")
    assert re.search(r"cannot reject item 2: already resolved by alice at \S+", message)
    assert "reopened item 2 by bob" in ok(office, "review", "reopen", "2", "--by", "bob")
    assert "rejected item 2 by bob" in ok(
        office, "review", "reject", "2", "--why", "médecin non suivi", "--by", "bob"
    )
    assert json.loads(ok(office, "review", "--json")) == []
    (rejected,) = json.loads(ok(office, "review", "--json", "--state", "rejected"))
    assert rejected["decided"]["note"] == "médecin non suivi"
    assert "reopened item 2" in ok(office, "review", "reopen", "2")  # by the OS user
    assert "no review item 9" in refused(office, "review", "show", "9")


def test_labels_list_csv_grant_refuse_reopen_import(office: Workspace, tmp_path: Path) -> None:
    listed = json.loads(ok(office, "labels", "--json"))
    documented(listed, "labels --json")
    assert [i["id"] for i in listed] == [3]
    assert "1.B" in ok(office, "labels")
    sheet = tmp_path / "cnp.csv"
    ok(office, "labels", "--csv", str(sheet))
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig")), delimiter=";"))
    rows[1][-2:] = ["refuse", "hors champ de la médecine générale"]
    with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    report = json.loads(ok(office, "labels", "import", str(sheet), "--json", "--by", "comité"))
    documented(report, "labels import --json")
    assert report["refused"] == 1
    assert "already label refused by comité" in refused(office, "labels", "grant", "3")
    assert "reopened 3" in ok(office, "labels", "reopen", "3", "--by", "alice")
    assert "granted 3 by alice" in ok(office, "labels", "grant", "3", "--by", "alice")
    assert "reopened 3" in ok(office, "labels", "reopen", "3")
    assert "refused 3" in ok(office, "labels", "refuse", "3", "--why", "non labellisable")
    assert "labelled de fait" in refused(office, "labels", "grant", "1")
    (item,) = json.loads(ok(office, "labels", "--json", "--status", "refused"))
    assert item["note"] == "non labellisable" and item["decided"]["kind"] == "refuse"


def test_status_and_dossier_show_cycle_allocation_dpc_and_risk(office: Workspace) -> None:
    status = json.loads(ok(office, "status", "--json"))
    documented(status, "status --json")
    dupont = status["physicians"][0]
    assert dupont["rpps"] == DUPONT and dupont["cycle"]["end"] == "2031-12-31"
    assert dupont["cycle"]["assumed"] is True and dupont["missing"][0] == "bloc 1: 1 action"
    assert dupont["dpc"]["types_done"] == [] and dupont["dpc"]["name"] == "2026-2028"
    assert status["review"][0]["id"] == 2
    text = ok(office, "status")
    assert "cycle end" in text and "2031-12-31*" in text and "[2] b.pdf" in text
    assert json.loads(ok(office, "status", "--json", "--at-risk"))["physicians"] == []
    assert ok(office, "status", "--at-risk").startswith("no physician at risk")
    dossier = json.loads(ok(office, "dossier", DUPONT, "--json"))
    documented(dossier, "dossier --json")
    assert [a["state"] for a in dossier["actions"]] == ["counted", "counted"]
    assert dossier["dpc"][0]["types_done"] == ["formation_continue", "epp"]
    text = ok(office, "dossier", DUPONT)
    assert "counted in bloc 1" in text and "DPC 2023-2025" in text and "cycle: 2023-01-01" in text


def test_dpc_command(office: Workspace) -> None:
    data = json.loads(ok(office, "dpc", DUPONT, "--json"))
    documented(data, "dpc --json")
    assert data["periods"][0]["orientation"] == "not shown"
    text = ok(office, "dpc", DUPONT)
    assert "orientation prioritaire: not shown" in text and "2023-2025" in text
    assert "no dossier for RPPS 10000000074" in refused(office, "dpc", "10000000074")


@pytest.mark.parametrize("sep", [",", ";"])
def test_export_command(office: Workspace, tmp_path: Path, sep: str) -> None:
    out = tmp_path / "export.csv"
    run(office, "export", "--out", str(out), "--sep", sep)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=sep))
    assert rows[0][:3] == ["rpps", "last_name", "first_name"] and len(rows) == 4
    exported = json.loads(ok(office, "export", "--format", "json"))
    documented(exported, "export --format json")
    assert len(exported[0]["sha256"]) == 64


def test_summary_command(office: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "résumé.pdf"
    assert "summary written to" in ok(office, "summary", DUPONT, "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert "no dossier for RPPS" in refused(office, "summary", "10000000074")


def test_status_at_risk_lists_only_those_at_risk(office: Workspace) -> None:
    # Registered in February 2023: a 6-year cycle, more than half gone by now (the command
    # measures at the real date), with blocs 3 and 4 still empty.
    roster = office.config.paths.roster
    roster.write_text(
        "rpps,last_name,first_name,registered_on\n"
        f"{DUPONT},DUPONT,Jean-Pierre,2023-02-01\n{MARTIN},MARTIN,Claire,\n",
        encoding="utf-8",
    )
    data = json.loads(ok(office, "status", "--json", "--at-risk"))
    (dupont,) = [p for p in data["physicians"] if p["rpps"] == DUPONT]
    assert dupont["at_risk"] and "still empty" in dupont["risk"]
    assert dupont["cycle"] == {
        "start": "2023-02-01",
        "end": "2029-01-31",
        "assumed": False,
        "rule": "6 years from registration (2023-02-01)",
    }
    assert all(p["at_risk"] for p in data["physicians"])
    assert "AT RISK" in ok(office, "status", "--at-risk")

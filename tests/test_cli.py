"""The command line: exit codes, messages, and that a user error never prints a traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from attest_pipeline.testing import make_pdf
from tests.conftest import attest, write_config
from tests.test_pipeline import andpc, hand_over_incomplete_files


@pytest.fixture
def workspace(tmp_path: Path, roster: Path) -> Path:
    write_config(tmp_path, roster)
    return tmp_path


def test_help_is_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = attest("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "extract" in result.stdout and "dossier" in result.stdout
    # Generous bound for a loaded CI machine; the README gives the measured figure.
    assert time.perf_counter() - started < 3


def test_missing_config_is_exit_2_with_one_line(tmp_path: Path) -> None:
    result = attest("status", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "config.toml: configuration file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_config_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[paths\n", encoding="utf-8")
    result = attest("--config", "bad.toml", "run", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad.toml:1: malformed TOML" in result.stderr


def test_config_from_environment(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = attest("status", cwd=elsewhere, env={"ATTEST_CONFIG": str(workspace / "config.toml")})
    assert result.returncode == 0, result.stderr
    assert "no dossier yet" in result.stdout


def test_usage_error_is_exit_2(workspace: Path) -> None:
    result = attest("extract", "nope.pdf", cwd=workspace)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_run_dossier_status_and_extract(workspace: Path) -> None:
    (workspace / "inbox" / "a.pdf").write_bytes(andpc())
    (workspace / "inbox" / "b.pdf").write_bytes(b"not a pdf")
    hand_over_incomplete_files(workspace)
    result = attest("run", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "2 document(s)" in result.stdout and "1 filed" in result.stdout
    assert "1 in quarantine" in result.stdout

    result = attest("dossier", "10005682603", "--json", cwd=workspace)
    data = json.loads(result.stdout)
    assert data["actions"][0]["bloc"] == 1 and data["actions"][0]["action"] == "A"
    assert data["blocs"]["1"] == {"counted": 1, "pending": 0, "required": 2}
    assert data["complete"] is False
    assert "bloc 1: 1/2" in attest("dossier", "10005682603", cwd=workspace).stdout

    status = json.loads(attest("status", "--json", cwd=workspace).stdout)
    assert status["physicians"][0]["rpps"] == "10005682603"
    assert status["quarantine"][0]["reasons"] == ["not_pdf"]

    result = attest("dossier", "10101010105", cwd=workspace)
    assert result.returncode == 2 and "no dossier for RPPS 10101010105" in result.stderr

    pdf = workspace / "copy.pdf"
    pdf.write_bytes(make_pdf(["Lettre d information aux adhérents"]))
    result = attest("extract", "--json", str(pdf), cwd=workspace)
    (record,) = json.loads(result.stdout)
    assert record["status"] == "review" and record["reasons"] == ["no_plugin"]
    assert set(record) >= {
        "source",
        "sha256",
        "pages",
        "plugin",
        "issuer",
        "participant",
        "start",
        "end",
        "title",
        "reference",
        "bloc",
        "action",
        "labellisation",
        "candidates",
        "status",
        "reasons",
        "evidence",
    }
    explained = attest("extract", "--explain", str(pdf), cwd=workspace).stdout
    assert "andpc" in explained and "declined" in explained


def test_plugins_and_referentiel(workspace: Path) -> None:
    result = attest("plugins", cwd=workspace)
    assert result.returncode == 0
    assert "andpc" in result.stdout and "builtin" in result.stdout
    result = attest("--disable-plugin", "andpc", "plugins", "--json", cwd=workspace)
    statuses = {r["name"]: r["status"] for r in json.loads(result.stdout)}
    assert statuses["andpc"] == "disabled"
    result = attest("referentiel", cwd=workspace)
    assert "4.G" in result.stdout
    data = json.loads(attest("referentiel", "--json", cwd=workspace).stdout)
    assert len(data["blocs"]) == 4


def test_doctor_reports_each_check(workspace: Path) -> None:
    result = attest("doctor", cwd=workspace)
    assert "ok   configuration" in result.stdout
    assert "OCR" in result.stdout

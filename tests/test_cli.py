"""The command line: exit codes, messages, and that a user error never prints a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attest_pipeline.testing import make_pdf, make_text_layer_pdf
from tests.conftest import ROOT, TEST_PLUGINS, attest, write_config
from tests.test_access import other_group
from tests.test_pipeline import andpc, hand_over_incomplete_files, immutable
from tests.test_processes import wait_gone
from tests.test_workers import children


@pytest.fixture
def workspace(tmp_path: Path, roster: Path) -> Path:
    write_config(tmp_path, roster)
    return tmp_path


def test_help_lists_the_commands(tmp_path: Path) -> None:
    # Its start-up time is measured by bench/bench.py, not here.
    result = attest("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "extract" in result.stdout and "dossier" in result.stdout


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
    assert data["blocs"]["1"] == {
        "title": "Améliorer les connaissances et les compétences",
        "counted": 1,
        "pending": 0,
        "required": 2,
        "missing": 1,
    }
    assert data["complete"] is False
    assert "bloc 1: 1/2" in attest("dossier", "10005682603", cwd=workspace).stdout

    status = json.loads(attest("status", "--json", cwd=workspace).stdout)
    assert status["physicians"][0]["rpps"] == "10005682603"
    assert status["quarantine"][0]["reasons"] == ["not_pdf"]

    # On the roster without a dossier yet: an empty dossier; neither: exit 2.
    assert "no action filed" in attest("dossier", "10101010105", cwd=workspace).stdout
    result = attest("dossier", "10000000074", cwd=workspace)
    assert result.returncode == 2 and "no dossier for RPPS 10000000074" in result.stderr

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


#: A DPC layout that no label reader reads: the name and the RPPS stand on a line of their
#: own, without labels, under the wording (which mentions "le participant nommé ci-après").
NAMED_BELOW = """Association Formation Santé Ouest
Organisme de DPC enregistré auprès de l'ANDPC sous le n° 1187
ATTESTATION DE PARTICIPATION A UNE ACTION DE DPC
L'organisme atteste la réalisation de l'action de DPC n° 11872500730 par le participant
nommé ci-après, action de type formation continue intitulée « Prise en charge de l'asthme ».
Claire MARTIN 10101010105
Dates : du 12 au 14 mars 2025
Fait à Rennes, le 18/03/2025
Le Président, Dr Jean-Pierre DUPONT
"""


def test_extract_files_on_the_roster_identity_and_explains_it(workspace: Path) -> None:
    pdf = workspace / "named_below.pdf"
    pdf.write_bytes(make_pdf([NAMED_BELOW]))
    result = attest("extract", "--json", str(pdf), cwd=workspace)
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["status"] == "file", record["details"]
    assert record["participant"]["rpps"] == "10101010105"
    assert record["evidence"]["participant"] == "Claire MARTIN 10101010105"
    roster = record["fields"]["roster"]
    assert roster["decided_by"] == "roster"
    assert {seen["rpps"]: seen["by"] for seen in roster["found"]} == {
        "10101010105": "rpps+name",
        "10005682603": "name",
    }
    explained = attest("extract", "--explain", str(pdf), cwd=workspace).stdout
    assert "participant read by the plugin: nothing" in explained
    assert (
        "roster: MARTIN Claire (10101010105) by rpps+name, page 1: "
        "'Claire MARTIN 10101010105'" in explained
    )
    assert "roster: DUPONT Jean-Pierre (10005682603) by name" in explained
    assert "participant decided by the roster" in explained


DIPLOMA = """UNIVERSITÉ DE RENNES
Faculté de Médecine
DIPLÔME D'UNIVERSITÉ
Médecine narrative et humanités médicales
Vu le procès-verbal du jury en date du 24 juin 2025 ;
Le diplôme d'université est délivré à Mme Claire MARTIN, née le 20/11/1974 à Lorient, au titre de
l'année universitaire 2024-2025, pour en jouir avec les droits et prérogatives qui y sont attachés.
Fait à Rennes, le 5 août 2025
Le Doyen, Pr Yves LE MOAL
"""


def test_a_diploma_in_the_patient_relationship_is_filed_in_bloc_3(workspace: Path) -> None:
    pdf = workspace / "du.pdf"
    pdf.write_bytes(make_pdf([DIPLOMA]))
    result = attest("extract", "--json", str(pdf), cwd=workspace)
    (record,) = json.loads(result.stdout)
    assert record["family"] == "university"
    assert record["fields"]["theme"] == "relation_patients"
    assert (record["bloc"], record["action"]) == (3, "C")


def test_after_kill_9_of_run_no_worker_remains_and_the_next_run_does_everything(
    tmp_path: Path, roster: Path
) -> None:
    write_config(tmp_path, roster, plugins={"dirs": [str(TEST_PLUGINS)]}, run={"jobs": 2})
    inputs = {}
    for i in range(400):
        text = f"ORGANISME TEST\nParticipant : Jean-Pierre DUPONT\nDate : 12/03/2025\nN° {i}"
        inputs[f"{i:04d}.pdf"] = make_pdf([text + "\nAttestation de formation continue"])
        (tmp_path / "inbox" / f"{i:04d}.pdf").write_bytes(inputs[f"{i:04d}.pdf"])
    command = [sys.executable, "-m", "attest_pipeline", "run"]
    killed = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    journal = tmp_path / "state" / "journal.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (journal.exists() and journal.read_text()):
        time.sleep(0.02)
    workers = children(killed.pid)
    assert killed.poll() is None and len(workers) == 2, "the run must be killed mid-way"
    killed.kill()
    killed.wait()
    assert len(os.listdir(tmp_path / "inbox")) > 0
    left = wait_gone(workers)
    for pid in left:  # not to leave them behind when the test fails
        os.kill(pid, 9)
    assert left == []
    # The workers held the caller's stdout: it is closed once they are gone.
    assert killed.stdout is not None and killed.stdout.read() == ""

    result = attest("run", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "another attest process" not in result.stderr
    assert os.listdir(tmp_path / "inbox") == [] and os.listdir(tmp_path / "state" / "work") == []
    db = sqlite3.connect(tmp_path / "state" / "attest.sqlite3")
    shas = [sha for (sha,) in db.execute("SELECT sha256 FROM documents")]
    assert sorted(shas) == sorted(hashlib.sha256(d).hexdigest() for d in inputs.values())


def test_doctor_fails_on_an_inbox_that_run_would_refuse(workspace: Path) -> None:
    (workspace / "inbox").rmdir()
    (workspace / "inbox").write_text("a file")
    assert attest("run", cwd=workspace).returncode == 2
    result = attest("doctor", cwd=workspace)
    assert result.returncode == 1
    assert f"FAIL [paths] inbox ({workspace / 'inbox'}) is not a folder" in result.stdout


def test_watch_from_the_command_line_files_what_is_dropped_and_stops_on_sigterm(
    tmp_path: Path, roster: Path
) -> None:
    write_config(
        tmp_path, roster, watch={"quiet_period": 0.2, "poll_interval": 0.2, "rescan_interval": 1.0}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "attest_pipeline", "watch", "--polling", "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        inputs = {
            "a.pdf": andpc(action="11111111111"),
            "b.pdf": andpc(action="22222222222", name="Claire MARTIN", rpps="10101010105"),
            "c.docx": b"PK not an attestation",
        }
        staging = tmp_path / "staging"
        staging.mkdir()
        for name, data in inputs.items():
            (staging / name).write_bytes(data)
            os.rename(staging / name, tmp_path / "inbox" / name)
        deadline = time.monotonic() + 90
        filed: list[Path] = []
        while time.monotonic() < deadline:
            filed = list((tmp_path / "dossiers").glob("*/*.pdf"))
            quarantined = list((tmp_path / "quarantine").glob("*.docx"))
            if len(filed) == 2 and quarantined and not any((tmp_path / "inbox").iterdir()):
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "polling every 0.2 s" in stderr
    assert "stopped: 3 document(s): 2 filed, 0 to review, 1 in quarantine" in stderr
    assert list((tmp_path / "inbox").iterdir()) == []
    assert sorted(p.parent.name for p in filed) == [
        "10005682603_DUPONT_Jean-Pierre",
        "10101010105_MARTIN_Claire",
    ]
    assert stdout.count("\n") == 3  # one journal line per attestation


@pytest.mark.parametrize(
    ("missing", "install"),
    [
        ("tesseract", "apt-get install tesseract-ocr tesseract-ocr-fra"),
        ("language", "apt-get install tesseract-ocr-xyz"),
    ],
)
def test_the_run_summary_says_how_to_read_scans_sent_to_review_without_ocr(
    tmp_path: Path, roster: Path, missing: str, install: str
) -> None:
    if missing == "language":
        write_config(tmp_path, roster, ocr={"language": "xyz"})
        env = None
    else:
        write_config(tmp_path, roster)
        (tmp_path / "bin").mkdir()
        env = {"PATH": str(tmp_path / "bin")}  # no tesseract program to be found
    scan = ROOT / "samples" / "scanned" / "andpc_01_letter_prise_charge_insuffisance.pdf"
    (tmp_path / "inbox" / "scan.pdf").write_bytes(scan.read_bytes())
    result = attest("run", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "ocr_unavailable: 1" in result.stdout
    advice = next(line for line in result.stdout.splitlines() if "wait in review" in line)
    assert "1 scanned attestation(s)" in advice
    assert install in advice
    assert "`attest doctor`" in advice


#: What a hostile PDF or file name can hold: a bell, ANSI escapes (clear the screen, set the
#: terminal's title), bidi overrides and isolates, a line separator.
CONTROLS = ("\x07", "\x1b", "\u202e", "\u2067", "\u2069", "\u2028", "\r")


def hostile_attestation() -> bytes:
    return make_text_layer_pdf(
        [
            "Agence nationale du Developpement Professionnel Continu",
            "Organisme DPC n 1234 - Forma\x07Med\u202e\x1b[2J",
            "ATTESTATION DE PARTICIPATION",
            "Je soussigne, certifie que le Dr Jean-Pierre DUPONT, RPPS : 10005682603,",
            "a participe a l'action de DPC n 12345678901, session 2,",
            "Formation continue : Asthme \x1b]0;owned\x07 \u2067x\u2069\u2028y",
            "qui s'est deroulee du 12 au 14 mars 2025.",
        ]
    )


def test_control_characters_never_reach_the_terminal_or_forge_journal_lines(
    workspace: Path,
) -> None:
    forged = "a.pdf\n2026-01-01T00:00:00 file      forged.pdf [p1] - - 1.A reasons=- -> x\r.pdf"
    (workspace / "inbox" / forged).write_bytes(hostile_attestation())
    (workspace / "inbox" / "bell\x07\u202efdp.pdf").write_bytes(b"not a pdf")
    hand_over_incomplete_files(workspace)
    outputs = [attest("run", cwd=workspace)]
    journal = (workspace / "state" / "journal.log").read_text(encoding="utf-8")
    assert len(journal.splitlines()) == 2  # one line per attestation, none forged
    assert all(line[:4] == "20" + line[2:4] and " -> " in line for line in journal.splitlines())
    assert "a.pdf\\n2026-01-01T00:00:00 file      forged.pdf" in journal
    outputs += [
        attest("dossier", "10005682603", cwd=workspace),
        attest("status", cwd=workspace),
        attest("extract", "--explain", *(str(p) for p in (workspace / "dossiers").glob("*/*.pdf")),
               cwd=workspace),
        attest("-v", "extract", str(workspace / "inbox"), cwd=workspace),
    ]
    for result in outputs:
        for control in CONTROLS:
            assert control not in result.stdout + result.stderr, (result.args, control)
    dossier = outputs[1].stdout
    assert "Forma\\x07Med\\u202e\\x1b[2J" in dossier
    assert "bell\\x07\\u202efdp.pdf" in outputs[2].stdout  # in quarantine
    # JSON stays exact: the text as read, escaped the JSON way.
    (record,) = json.loads(
        attest("extract", "--json", *map(str, (workspace / "dossiers").glob("*/*.pdf")),
               cwd=workspace).stdout
    )
    assert record["issuer"] == "Organisme DPC n 1234 - Forma\x07Med\u202e\x1b[2J"
    assert record["title"].startswith("Asthme \x1b]0;owned\x07 \u2067x\u2069")


def wrong_startxref(day: int) -> bytes:
    """Two per-page attestations whose startxref offset is wrong: pdfium repairs it
    silently, pypdf warns about it (pypdf used to cut such a PDF; pdfium does now, in
    the worker)."""
    pages = [f"ORGANISME TEST PAR PAGE\nParticipant : {n}\nDate : {day}/03/2025"
             for n in ("Jean-Pierre DUPONT", "Claire MARTIN")]
    return re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m[1]) + 7),
                  make_pdf(pages))


def test_pdf_library_warnings_go_to_the_debug_log_not_to_stderr(workspace: Path) -> None:
    write_config(workspace, workspace / "roster.csv", plugins={"dirs": [str(TEST_PLUGINS)]})
    (workspace / "inbox" / "one.pdf").write_bytes(wrong_startxref(12))
    (workspace / "inbox" / "two.pdf").write_bytes(wrong_startxref(13))
    quiet = attest("run", cwd=workspace)
    assert quiet.returncode == 0, quiet.stderr
    assert "4 filed" in quiet.stdout
    assert quiet.stderr == ""
    (workspace / "inbox" / "three.pdf").write_bytes(wrong_startxref(14))
    debug = attest("-vv", "run", cwd=workspace)
    assert debug.returncode == 0 and "2 filed" in debug.stdout
    # Nothing parses with pypdf any more (the routing itself: tests/test_reading.py).
    assert "pypdf" not in debug.stderr


def test_run_summary_names_what_was_left_in_the_inbox(workspace: Path) -> None:
    (workspace / "inbox" / "scans").mkdir()
    (workspace / "inbox" / "link.pdf").symlink_to(workspace / "roster.csv")
    result = attest("run", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert (
        "left in the inbox, not regular files (never followed): 1 folder(s), "
        "1 symbolic link(s)" in result.stdout
    )
    assert json.loads(attest("run", "--json", cwd=workspace).stdout)["ignored"] == {
        "folder": 1, "symbolic link": 1
    }


@pytest.mark.parametrize("kind", ["FIFO", "socket"])
def test_extract_refuses_what_is_not_a_regular_file_at_once(workspace: Path, kind: str) -> None:
    path = workspace / "thing.pdf"
    if kind == "FIFO":
        os.mkfifo(path)
    else:
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    good = workspace / "good.pdf"
    good.write_bytes(andpc())
    started = time.monotonic()
    result = attest("extract", str(good), str(path), cwd=workspace)
    assert time.monotonic() - started < 30  # today a FIFO blocks a worker for ever
    assert result.returncode == 2
    assert result.stderr == f"attest: {path}: not a regular file (a {kind}); give PDF files\n"
    assert result.stdout == ""


def test_extract_reads_folders_and_lists_of_paths(workspace: Path) -> None:
    folder = workspace / "archive"
    (folder / "2025" / "mars").mkdir(parents=True)
    (folder / "b.pdf").write_bytes(andpc())
    claire = andpc(rpps="10101010105", name="Claire MARTIN")
    (folder / "2025" / "mars" / "a.pdf").write_bytes(claire)
    (folder / "2025" / "notes.txt").write_bytes(b"not a pdf")
    (folder / ".hidden.pdf").write_bytes(andpc())
    (folder / "download.pdf.part").write_bytes(b"%PDF-1.4 half")
    (folder / "link.pdf").symlink_to(folder / "b.pdf")
    os.mkfifo(folder / "pipe.pdf")
    started = time.monotonic()
    result = attest("extract", "--json", str(folder), cwd=workspace)
    assert time.monotonic() - started < 60  # the FIFO inside is never opened
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    # Name order, sub-folders read: 2025/mars/a.pdf, 2025/notes.txt, b.pdf.
    assert [(r["source"], r["status"]) for r in records] == [
        (str(folder / "2025" / "mars" / "a.pdf"), "file"),
        (str(folder / "2025" / "notes.txt"), "reject"),
        (str(folder / "b.pdf"), "file"),
    ]
    assert records[0]["participant"]["rpps"] == "10101010105"
    assert (
        "left alone in the folders, not regular files (never followed): 1 FIFO(s), "
        "1 symbolic link(s)" in result.stderr
    )

    listing = workspace / "list.txt"
    listing.write_text(f"{folder / 'b.pdf'}\n\n{folder / '2025' / 'mars'}\n", encoding="utf-8")
    from_list = attest("extract", "--json", "--from-file", str(listing), cwd=workspace)
    assert from_list.returncode == 0, from_list.stderr
    assert [r["source"] for r in json.loads(from_list.stdout)] == [
        str(folder / "b.pdf"),
        str(folder / "2025" / "mars" / "a.pdf"),
    ]
    from_stdin = subprocess.run(
        [sys.executable, "-m", "attest_pipeline", "extract", "--json", "--from-file", "-"],
        input=f"{folder / 'b.pdf'}\n",
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=120,
    )
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert [r["source"] for r in json.loads(from_stdin.stdout)] == [str(folder / "b.pdf")]

    missing = workspace / "missing.txt"
    listing.write_text(f"{folder / 'b.pdf'}\n{missing}\n", encoding="utf-8")
    refused = attest("extract", "--from-file", str(listing), cwd=workspace)
    assert refused.returncode == 2
    assert refused.stderr == f"attest: {missing}: does not exist\n"
    nothing = attest("extract", cwd=workspace)
    assert nothing.returncode == 2
    assert nothing.stderr == "attest: give FILES, folders, or --from-file LIST\n"


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ({"dossiers": "roster.csv"}, "[paths] dossiers ({root}/roster.csv) is a file"),
        ({"state": "/proc/attest"}, "[paths] state (/proc/attest) is on a virtual file system"),
        ({"review": "state/work"}, "[paths] review ({root}/state/work) lies inside [paths] state"),
        ({"dossiers": "state/d"}, "[paths] dossiers ({root}/state/d) lies inside [paths] state"),
    ],
)
def test_output_folders_that_cannot_work_are_refused_by_run_and_reported_by_doctor(
    tmp_path: Path, roster: Path, paths: dict[str, object], message: str
) -> None:
    write_config(tmp_path, roster, paths=paths)
    (tmp_path / "inbox" / "a.pdf").write_bytes(andpc())
    expected = message.format(root=tmp_path)
    for command in ("run", "watch"):
        result = attest(command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
        assert (tmp_path / "inbox" / "a.pdf").exists()
    doctor = attest("doctor", cwd=tmp_path)
    assert doctor.returncode == 1
    assert any(
        line.startswith("FAIL") and expected in line for line in doctor.stdout.splitlines()
    ), doctor.stdout


def test_commands_that_need_no_folders_work_on_the_built_in_defaults(tmp_path: Path) -> None:
    said = f"configuration: built-in defaults (no {tmp_path / 'config.toml'}; no roster"
    result = attest("plugins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "andpc" in result.stdout and said in result.stderr
    assert {r["name"] for r in json.loads(attest("plugins", "--json", cwd=tmp_path).stdout)} >= {
        "andpc", "congress"
    }
    result = attest("referentiel", cwd=tmp_path)
    assert result.returncode == 0 and "4.G" in result.stdout and said in result.stderr
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(andpc())
    result = attest("extract", "--json", str(pdf), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert said in result.stderr
    (record,) = json.loads(result.stdout)
    assert record["plugin"].startswith("andpc@") and record["reasons"] == ["unknown_participant"]
    doctor = attest("doctor", cwd=tmp_path)
    assert f"WARN configuration: built-in defaults (no {tmp_path / 'config.toml'}" in doctor.stdout
    assert "FAIL configuration" not in doctor.stdout and "issuer(s) loaded" in doctor.stdout
    assert attest("new-plugin", "acme", cwd=tmp_path).returncode == 0
    # Nothing else written: no folders, no database.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "attest-plugin-acme"]
    # What files and folders need a configuration file still says so.
    for command in (["run"], ["watch"], ["status"], ["dossier", "10005682603"]):
        result = attest(*command, cwd=tmp_path)
        assert result.returncode == 2 and "configuration file not found" in result.stderr


def test_a_configuration_named_explicitly_must_exist(tmp_path: Path) -> None:
    result = attest("--config", "other.toml", "plugins", cwd=tmp_path)
    assert result.returncode == 2 and "other.toml: configuration file not found" in result.stderr
    result = attest("plugins", cwd=tmp_path, env={"ATTEST_CONFIG": str(tmp_path / "x.toml")})
    assert result.returncode == 2 and "x.toml: configuration file not found" in result.stderr


def test_commands_say_which_configuration_file_they_used(workspace: Path) -> None:
    for command in ("plugins", "referentiel"):
        result = attest(command, cwd=workspace)
        assert result.returncode == 0
        assert f"configuration: {workspace / 'config.toml'}\n" in result.stderr


def modes_under(root: Path, *folders: str) -> dict[str, tuple[int, int]]:
    """Each folder and file under ``folders`` (and the folders themselves): mode, group."""
    found = {}
    for name in folders:
        for path in [root / name, *(root / name).rglob("*")]:
            info = path.lstat()
            found[str(path.relative_to(root))] = (stat.S_IMODE(info.st_mode), info.st_gid)
    return found


def test_what_run_writes_is_private_by_default(workspace: Path) -> None:
    (workspace / "inbox" / "a.pdf").write_bytes(andpc())
    (workspace / "inbox" / "b.pdf").write_bytes(make_pdf(["Lettre d'information"]))
    (workspace / "inbox" / "c.pdf").write_bytes(b"not a pdf")
    previous = os.umask(0o022)  # a service started carelessly: it must not matter
    try:
        result = attest("run", cwd=workspace)
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    found = modes_under(workspace, "dossiers", "review", "quarantine", "state")
    assert any(name.endswith("attest.sqlite3") for name in found)
    assert any(name.startswith("state/archive/") and name.endswith(".pdf") for name in found)
    assert "state/journal.log" in found and "state/lock" in found
    wrong = {
        name: f"{mode:04o}"
        for name, (mode, _) in found.items()
        if mode != (0o700 if (workspace / name).is_dir() else 0o600)
    }
    assert wrong == {}
    assert attest("doctor", cwd=workspace).stdout.count("ok   permissions") == 1


def test_a_shared_office_gives_the_folders_to_its_group(workspace: Path) -> None:
    group = other_group()
    write_config(workspace, workspace / "roster.csv", paths={"group": group.gr_name})
    (workspace / "inbox" / "a.pdf").write_bytes(andpc())
    (workspace / "inbox" / "c.pdf").write_bytes(b"not a pdf")
    assert attest("run", cwd=workspace).returncode == 0
    found = modes_under(workspace, "dossiers", "review", "quarantine", "state")
    wrong = {
        name: (f"{mode:04o}", gid)
        for name, (mode, gid) in found.items()
        if mode != (0o2750 if (workspace / name).is_dir() else 0o640) or gid != group.gr_gid
    }
    assert wrong == {}


def test_doctor_reports_output_folders_other_users_can_read(workspace: Path) -> None:
    (workspace / "dossiers").mkdir(mode=0o755)
    (workspace / "dossiers").chmod(0o755)
    result = attest("doctor", cwd=workspace)
    assert result.returncode == 1
    assert (
        f"FAIL permissions: [paths] dossiers ({workspace / 'dossiers'}) is 0755: other users "
        "can read it" in result.stdout
    )


def test_an_unknown_group_is_refused_naming_the_key(workspace: Path) -> None:
    write_config(workspace, workspace / "roster.csv", paths={"group": "no-such-group-here"})
    result = attest("run", cwd=workspace)
    assert result.returncode == 2
    assert "[paths] group names no group of this machine ('no-such-group-here')" in result.stderr


def test_a_folder_that_is_not_writable_is_reported_and_state_is_refused(workspace: Path) -> None:
    for name in ("quarantine", "state"):
        (workspace / name).mkdir(mode=0o700)
    immutable(workspace / "quarantine", True)  # even root cannot write there
    try:
        doctor = attest("doctor", cwd=workspace)
        run = attest("run", cwd=workspace)  # each document that cannot be set aside waits
        immutable(workspace / "state", True)
        refused = attest("run", cwd=workspace)
    finally:
        immutable(workspace / "quarantine", False)
        immutable(workspace / "state", False)
    assert doctor.returncode == 1
    assert f"FAIL [paths] quarantine ({workspace / 'quarantine'}) is not writable" in doctor.stdout
    assert run.returncode == 0, run.stderr
    assert refused.returncode == 2
    assert f"[paths] state ({workspace / 'state'}) is not writable" in refused.stderr

"""``attest mail`` against a real IMAP server (Dovecot on loopback), through the command line."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from io import BytesIO
from pathlib import Path

import pytest
from imapclient import IMAPClient

from attest_pipeline.config import load_config
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.web.app import create_app
from tests.conftest import write_config
from tests.imap_server import PASSWORD, USER, Dovecot

KEYWORD = "$AttestCollected"
ENV = "ATTEST_TEST_MAIL_PASSWORD"
SENT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


# ------------------------------------------------------------------------ documents


def attestation(n: int, who: str = "Jean-Pierre DUPONT", rpps: str = "10005682603") -> bytes:
    """A DPC attestation for a physician of the test roster, unique per ``n``."""
    return make_pdf([[
        "Agence nationale du Développement Professionnel Continu",
        "ATTESTATION DE PARTICIPATION",
        "Organisme DPC n° 1234",
        f"Action DPC n° {12345600000 + n}",
        "Titre : Prise en charge du diabète de type 2 en soins primaires",
        f"Nous attestons que Dr {who}",
        f"RPPS : {rpps}",
        "a participé à l'action de Formation continue",
        "du 12 au 14 mars 2025",
    ]])


def message(
    subject: str,
    *,
    sender: str = "Dr Jean-Pierre DUPONT <jp.dupont@example.fr>",
    body: str = "Bonjour, voici mon attestation.",
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "secretariat@cmg.example.fr"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(SENT)
    mail["Message-ID"] = make_msgid(domain="example.fr")
    mail.set_content(body)
    for filename, data, kind in attachments:
        maintype, subtype = kind.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


def with_pdf(subject: str, filename: str, n: int, **kwargs: object) -> EmailMessage:
    """A message with one attestation attached."""
    return message(
        subject, attachments=[(filename, attestation(n), "application/pdf")], **kwargs  # type: ignore[arg-type]
    )


def large_attestation(n: int, size: int = 3_000_000) -> bytes:
    """An attestation made large by a file embedded in it: still a whole, valid PDF."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(attestation(n))))
    writer.add_attachment("annexe.bin", os.urandom(size))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


#: Messages of the backlog that the kill and restart tests interrupt (3 MB each but the first).
BACKLOG = 10


def backlog(count: int, first: int) -> list[EmailMessage]:
    """A small message, then large ones: fetching them all takes a while, even on loopback."""
    return [with_pdf("first", "first.pdf", first)] + [
        message(f"large{n}", attachments=[
            (f"large{n}.pdf", large_attestation(first + n), "application/pdf")])
        for n in range(1, count)
    ]


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


# ---------------------------------------------------------------------- the server


@pytest.fixture
def server() -> Iterator[Dovecot]:
    dovecot = Dovecot()
    try:
        dovecot.start()
        yield dovecot
    finally:
        dovecot.close()


def imap(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=30)
    client.login(USER, PASSWORD)
    return client


def deliver(server: Dovecot, *messages: EmailMessage | bytes, folder: str = "INBOX") -> None:
    client = imap(server)
    try:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for item in messages:
            client.append(folder, item if isinstance(item, bytes) else item.as_bytes())
    finally:
        client.logout()


def flags(server: Dovecot, folder: str = "INBOX") -> dict[str, tuple[bytes, ...]]:
    """Each message's subject with its flags, on the server."""
    client = imap(server)
    try:
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        result = {}
        for data in found.values():
            header = data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().strip()
            subject = str(make_header(decode_header(header.removeprefix("Subject: "))))
            result[subject] = tuple(data[b"FLAGS"])
        return result
    finally:
        client.logout()


# ------------------------------------------------------------------------ workspace


def account_toml(server: Dovecot, **overrides: object) -> str:
    values: dict[str, object] = {
        "name": "secretariat",
        "host": "127.0.0.1",
        "port": server.port,
        "security": "plain",
        "user": USER,
        "password_env": ENV,
        "folders": ["INBOX"],
        "timeout": 10,
    }
    values.update(overrides)
    lines = ["[[mail.accounts]]"]
    for key, value in values.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def workspace(tmp_path: Path, roster: Path, server: Dovecot) -> Path:
    config = write_config(
        tmp_path,
        roster,
        mail={"interval": 0.5, "retry_max": 1.0, "max_attachments": 5},
    )
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(account_toml(server))
    return tmp_path


def attest(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, ENV: PASSWORD, **(env or {})},
    )


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, ENV: PASSWORD},
    )


def database(root: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{root / 'state' / 'attest.sqlite3'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


def documents(root: Path) -> list[sqlite3.Row]:
    db = database(root)
    try:
        return list(db.execute(
            "SELECT d.name, d.sha256, a.status, a.reasons, a.path FROM documents d "
            "JOIN attestations a ON a.document_id = d.id ORDER BY d.id"
        ))
    finally:
        db.close()


def sidecars(root: Path) -> list[dict[str, object]]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for folder in ("dossiers", "review", "quarantine")
        for path in sorted((root / folder).rglob("*.json"))
    ]


def wait_for(condition: object, timeout: float = 60.0, every: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout} s")


# -------------------------------------------------------------------------- the tests


def test_collects_pdfs_files_them_and_marks_the_messages(
    server: Dovecot, workspace: Path
) -> None:
    plain = with_pdf("Attestation DPC", "attestation.pdf", 1)
    original = message(
        "Votre attestation",
        sender="ANDPC <noreply@andpc.example.fr>",
        attachments=[("attestation_martin.pdf", attestation(2, "Claire MARTIN", "10101010105"),
                      "application/octet-stream")],
    )
    forwarded = message("Fwd: Votre attestation", sender="Claire MARTIN <c.martin@example.fr>",
                        body="Je vous transfère mon attestation.")
    forwarded.add_attachment(original)
    archive = message("Mes attestations", attachments=[
        ("attestations.zip", zipped(("a3.pdf", attestation(3)), ("lisez-moi.txt", b"rien")),
         "application/zip"),
    ])
    photo = message("Une photo",
                    attachments=[("photo.jpg", b"\xff\xd8\xff\xe0 not a pdf", "image/jpeg")])
    link = message("Attestation en ligne",
                   body="Votre attestation est disponible : https://formation.example.fr/att/123")
    deliver(server, plain, forwarded, archive, photo, link)

    done = attest(workspace, "mail", "--once")
    assert done.returncode == 0, done.stderr
    assert "5 new message(s): 3 with PDFs (3 saved into the inbox" in done.stdout
    assert "1 link only (review), 1 without PDF" in done.stdout
    assert "not taken: photo.jpg" in done.stdout
    assert "not taken: attestations.zip/lisez-moi.txt" in done.stdout

    rows = documents(workspace)
    filed = [r for r in rows if r["status"] == "file"]
    assert len(filed) == 3
    assert all(r["name"].startswith("mail_secretariat_") for r in rows)
    assert not list((workspace / "inbox").iterdir())
    links = [r for r in rows if r["status"] == "review"]
    assert [json.loads(r["reasons"]) for r in links] == [["link_only"]]
    assert links[0]["path"].endswith(".eml")
    assert b"https://formation.example.fr/att/123" in Path(links[0]["path"]).read_bytes()

    # Sidecars and dossiers say which message each attestation came from.
    cards = {c["source"]: c for c in sidecars(workspace)}
    by_subject = {c["mail"]["subject"]: c["mail"] for c in cards.values()}
    assert set(by_subject) == {"Attestation DPC", "Fwd: Votre attestation", "Mes attestations",
                               "Attestation en ligne"}
    assert by_subject["Attestation DPC"]["from"] == "Dr Jean-Pierre DUPONT <jp.dupont@example.fr>"
    assert by_subject["Attestation DPC"]["date"] == SENT.isoformat()
    assert by_subject["Attestation DPC"]["message_id"] == plain["Message-ID"]
    assert by_subject["Fwd: Votre attestation"]["attachment"] == "attestation_martin.pdf"
    assert by_subject["Mes attestations"]["part"] == "zip:attestations.zip"

    dossier = attest(workspace, "dossier", "10005682603", "--json")
    actions = json.loads(dossier.stdout)["actions"]
    assert sorted(a["mail"]["subject"] for a in actions) == ["Attestation DPC", "Mes attestations"]
    assert {a["mail"]["message_id"] for a in actions} == {
        plain["Message-ID"], archive["Message-ID"]
    }

    # The journal: a line per attachment naming the message, and the database's events.
    journal = (workspace / "state" / "journal.log").read_text(encoding="utf-8")
    mail_lines = [line for line in journal.splitlines()
                  if " mail: from=" in line and " mail-left " not in line]
    assert len(mail_lines) == 4  # 3 filed, 1 link-only to review
    assert any(line.split()[1] == "file"
               and 'from="Dr Jean-Pierre DUPONT <jp.dupont@example.fr>"' in line
               and f"date={SENT.isoformat()}" in line
               and f"message-id={plain['Message-ID']}" in line
               and 'subject="Attestation DPC"' in line for line in mail_lines)
    assert "mail-left" in journal and "reasons=no_pdf" in journal
    db = database(workspace)
    received = [json.loads(row[0]) for row in db.execute(
        "SELECT detail FROM journal WHERE event = 'received'")]
    db.close()
    assert sum(1 for r in received if "mail" in r) == 4

    # On the server: the collected messages carry the keyword; the one without PDF does not.
    on_server = flags(server)
    for subject in ("Attestation DPC", "Fwd: Votre attestation", "Mes attestations",
                    "Attestation en ligne"):
        assert KEYWORD.encode() in on_server[subject], subject
        assert b"\\Seen" not in on_server[subject]
    assert KEYWORD.encode() not in on_server["Une photo"]

    # A second poll collects nothing again, and does not report the photo again.
    again = attest(workspace, "mail", "--once")
    assert again.returncode == 0, again.stderr
    assert "0 new message(s)" in again.stdout
    assert len(documents(workspace)) == len(rows)

    status = json.loads(attest(workspace, "status", "--json").stdout)
    [account] = status["mail"]
    assert account["account"] == "secretariat"
    assert account["messages"] == {"collected": 3, "link_only": 1, "no_pdf": 1}
    assert account["failing_since"] is None
    assert any(item["reasons"] == ["link_only"] and item["mail"]["subject"] ==
               "Attestation en ligne" for item in status["review"])
    text = attest(workspace, "status").stdout
    assert "mail secretariat: ok, last polled" in text

    # review show: the message a person answers.
    [item] = [i for i in status["review"] if i["reasons"] == ["link_only"]]
    shown = attest(workspace, "review", "show", str(item["id"]), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["mail"]["subject"] == "Attestation en ligne"
    assert json.loads(shown.stdout)["mail"]["message_id"] == link["Message-ID"]
    as_text = attest(workspace, "review", "show", str(item["id"])).stdout
    assert 'mail: from="Dr Jean-Pierre DUPONT <jp.dupont@example.fr>"' in as_text


def test_odd_names_broken_mime_and_limits_never_stop_the_poll(
    server: Dovecot, workspace: Path
) -> None:
    rfc2231 = with_pdf("RFC 2231", "attestation été.pdf", 11)
    rfc2047 = (
        b"From: =?utf-8?q?Dr_Jos=C3=A9_L=C3=A9vy?= <jose@example.fr>\r\n"
        b"Subject: =?iso-8859-1?q?RFC_2047_caf=E9?=\r\nMessage-ID: <rfc2047@example.fr>\r\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nci-joint\r\n--b1\r\n"
        b'Content-Type: application/pdf; name="=?utf-8?B?w6l0w6kucGRm?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?B?w6l0w6kucGRm?="\r\n\r\n'
        + __import__("base64").encodebytes(attestation(12)) + b"--b1--\r\n"
    )
    latin1 = (
        b"From: secretariat-dpc@example.fr\r\nSubject: 8-bit name\r\n"
        b"Message-ID: <latin1@example.fr>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b2"\r\n\r\n'
        b"--b2\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="r\xe9sum\xe9 \xe9t\xe9.pdf"\r\n\r\n'
        + __import__("base64").encodebytes(attestation(13)) + b"--b2--\r\n"
    )
    broken = (
        b"From: broken@example.fr\r\nSubject: broken MIME\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\n%%%% this is not base64 at all !!!\r\n"
    )
    garbage = b"\x00\x01\x02 not a message at all\r\n\r\n\xff\xfe"
    too_many = message("Trop de pièces", attachments=[
        (f"a{n}.pdf", attestation(20 + n), "application/pdf") for n in range(6)
    ])
    inline = message("Inline")
    inline.add_attachment(attestation(14), maintype="application", subtype="pdf",
                          filename="inline.pdf", disposition="inline")
    after = with_pdf("After the broken ones", "last.pdf", 15)
    deliver(server, rfc2231, rfc2047, latin1, broken, garbage, too_many, inline, after)

    done = attest(workspace, "mail", "--once")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "8 new message(s)" in done.stdout
    assert "left (too_many_attachments)" in done.stdout

    cards = [c for c in sidecars(workspace) if c.get("mail")]
    names = {c["mail"]["attachment"] for c in cards}
    assert {"attestation été.pdf", "été.pdf", "résumé été.pdf", "inline.pdf", "last.pdf"} <= names
    rfc2047_card = next(c for c in cards if c["mail"]["attachment"] == "été.pdf")
    assert rfc2047_card["mail"]["from"] == "Dr José Lévy <jose@example.fr>"
    assert rfc2047_card["mail"]["subject"] == "RFC 2047 café"
    inline_card = next(c for c in cards if c["mail"]["attachment"] == "inline.pdf")
    assert inline_card["mail"]["part"] == "inline"
    # Every saved name is plain ASCII, whatever the sender's name was.
    for row in documents(workspace):
        assert row["name"].isascii(), row["name"]

    on_server = flags(server)
    assert KEYWORD.encode() in on_server["After the broken ones"]
    assert KEYWORD.encode() not in on_server["Trop de pièces"]
    db = database(workspace)
    outcomes = dict(db.execute("SELECT subject, outcome FROM mail_messages").fetchall())
    db.close()
    assert outcomes["Trop de pièces"] == "too_many_attachments"
    assert outcomes["broken MIME"] in ("no_pdf", "collected")  # read as far as it goes


def test_tls_from_the_start_and_after_starttls_with_the_servers_own_certificate(
    tmp_path: Path, roster: Path, server: Dovecot
) -> None:
    for security, port in (("imaps", server.tls_port), ("starttls", server.port)):
        root = tmp_path / security
        root.mkdir()
        config = write_config(root, roster, mail={"interval": 1})
        with open(config, "a", encoding="utf-8") as handle:
            handle.write(account_toml(server, name=security, security=security, port=port,
                                      host="localhost", ca_file=str(server.account.ca_file)))
        deliver(server, message(f"over {security}", attachments=[
            (f"{security}.pdf", attestation(30 + len(security)), "application/pdf")]))
        done = attest(root, "mail", "--once")
        assert done.returncode == 0, done.stderr
        assert f"mail {security}: 1 new message(s): 1 with PDFs" in done.stdout, done.stdout
        assert [r["status"] for r in documents(root)] == ["file"]
        doctor = attest(root, "doctor")
        assert f"ok   mail {security} ({security} localhost:{port}): logged in" in doctor.stdout
    # Without the server's certificate, verification fails, and says so.
    root = tmp_path / "untrusted"
    root.mkdir()
    config = write_config(root, roster)
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(account_toml(server, security="imaps", port=server.tls_port, host="localhost"))
    refused = attest(root, "mail", "--once")
    assert refused.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stdout + refused.stderr


def test_credentials_come_from_an_owner_only_file_and_never_appear(
    tmp_path: Path, roster: Path, server: Dovecot
) -> None:
    secret = tmp_path / "mail-password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o644)
    config = write_config(tmp_path, roster)
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(account_toml(server, password_env="", password_file=str(secret)).replace(
            'password_env = ""\n', ""))
    refused = attest(tmp_path, "mail", "--once")
    assert refused.returncode == 2
    assert "readable by others (mode 0644)" in refused.stderr
    assert "chmod 600" in refused.stderr
    doctor = attest(tmp_path, "doctor")
    assert "FAIL mail secretariat" in doctor.stdout and "readable by others" in doctor.stdout

    secret.chmod(0o600)
    deliver(server, message("ok", attachments=[("a.pdf", attestation(40), "application/pdf")]))
    done = attest(tmp_path, "mail", "--once")
    assert done.returncode == 0, done.stderr

    # A wrong password: refused by the server, said without the password, recorded.
    secret.write_text("not-the-password\n")
    wrong = attest(tmp_path, "-v", "mail", "--once")
    assert wrong.returncode == 1
    assert "LoginError" in wrong.stderr + wrong.stdout
    everything = wrong.stdout + wrong.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != secret:
            everything += path.read_bytes().decode("utf-8", "replace")
    assert "not-the-password" not in everything
    assert PASSWORD not in everything
    status = attest(tmp_path, "status").stdout
    assert "mail secretariat: FAILING since" in status
    doctor = attest(tmp_path, "doctor")
    assert doctor.returncode == 1
    assert "FAIL mail secretariat" in doctor.stdout


def test_a_kill_between_saving_and_marking_collects_nothing_twice(
    server: Dovecot, workspace: Path
) -> None:
    # A backlog of large messages: while they are fetched one by one, the first ones are
    # saved into the inbox and none is marked yet (marking comes once the folder is done).
    deliver(server, *backlog(BACKLOG, 50))
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace("max_attachments = 5", "max_attachments = 5\n"
                                                 "max_message_size = 100000000"))

    process = start(workspace, "mail", "--once")
    wait_for(lambda: any(p.name.startswith("mail_") for p in (workspace / "inbox").iterdir()))
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    saved = [p.name for p in (workspace / "inbox").iterdir()]
    assert 1 <= len(saved) < BACKLOG and any(name.endswith("_first.pdf") for name in saved)
    assert not any(KEYWORD.encode() in f for f in flags(server).values())  # before marking

    done = attest(workspace, "mail", "--once")
    assert done.returncode == 0, done.stderr
    rows = documents(workspace)
    expected = sorted(["first"] + [f"large{n}" for n in range(1, BACKLOG)])
    assert sorted(Path(r["name"]).stem.rsplit("_", 1)[-1] for r in rows) == expected
    assert [r["status"] for r in rows] == ["file"] * BACKLOG
    assert all(KEYWORD.encode() in f for f in flags(server).values())
    journal = (workspace / "state" / "journal.log").read_text()
    assert journal.count("_first.pdf [p1]") == 1
    assert 'subject="first"' in journal
    assert "duplicate" not in journal

    # The same message copied into a second watched folder: new UIDs, same bytes: the
    # sha256 catches it.
    client = imap(server)
    client.create_folder("Archive")
    client.select_folder("INBOX")
    client.copy(client.search("ALL"), "Archive")
    client.select_folder("Archive")
    client.remove_flags(client.search("ALL"), [KEYWORD])
    client.logout()
    config.write_text(
        config.read_text().replace('folders = ["INBOX"]', 'folders = ["INBOX", "Archive"]')
    )
    again = attest(workspace, "mail", "--once")
    assert again.returncode == 0, again.stderr
    assert (f"{BACKLOG} new message(s): {BACKLOG} with PDFs (0 saved into the inbox, "
            f"{BACKLOG} already received)") in again.stdout
    assert len(documents(workspace)) == BACKLOG


def test_a_server_restarted_mid_poll_is_retried_with_backoff_said_once(
    server: Dovecot, workspace: Path
) -> None:
    deliver(server, *backlog(BACKLOG, 60))
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace("max_attachments = 5", "max_attachments = 5\n"
                                                 "max_message_size = 100000000"))
    process = start(workspace, "mail")
    try:
        inbox = workspace / "inbox"
        wait_for(lambda: any(p.name.startswith("mail_") for p in inbox.iterdir())
                 or len(documents_or_none(workspace)) > 0)
        server.stop()  # while the backlog is being fetched
        time.sleep(4)  # several retries fail meanwhile
        # The poll was cut short: part of the backlog only is collected.
        collected = {p.name for p in inbox.iterdir()} | {
            r["name"] for r in documents_or_none(workspace)}
        assert 1 <= len(collected) < BACKLOG
        server.start()
        deliver(server, with_pdf("after", "after.pdf", 75))
        wait_for(lambda: len(documents_or_none(workspace)) == BACKLOG + 1, timeout=120,
                 every=0.2)
        wait_for(lambda: all(KEYWORD.encode() in f for f in flags(server).values()), timeout=60,
                 every=0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert err.count("cannot be polled") == 1, err
    assert "back after" in err
    rows = documents(workspace)
    assert sorted(r["name"].rsplit("_", 1)[-1] for r in rows) == sorted(
        ["after.pdf", "first.pdf"] + [f"large{n}.pdf" for n in range(1, BACKLOG)]
    )
    assert [r["status"] for r in rows] == ["file"] * (BACKLOG + 1)
    status = json.loads(attest(workspace, "status", "--json").stdout)
    assert status["mail"][0]["failing_since"] is None


def documents_or_none(root: Path) -> list[sqlite3.Row]:
    if not (root / "state" / "attest.sqlite3").exists():
        return []
    try:
        return documents(root)
    except sqlite3.OperationalError:
        return []


def test_attest_watch_collects_the_mail_too(server: Dovecot, workspace: Path) -> None:
    config = workspace / "config.toml"
    text = config.read_text()
    assert "[watch]\nquiet_period = 0.05\n" in text
    config.write_text(text.replace("[watch]\nquiet_period = 0.05\n",
                                   "[watch]\nquiet_period = 0.2\npoll_interval = 0.2\n"))
    process = start(workspace, "watch", "--polling", "--jobs", "1")
    try:
        deliver(server, with_pdf("watched", "w.pdf", 70))
        wait_for(lambda: len(documents_or_none(workspace)) == 1, timeout=90, every=0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert documents(workspace)[0]["status"] == "file"
    assert KEYWORD.encode() in flags(server)["watched"]
    assert " file " in out and 'mail: from="Dr Jean-Pierre DUPONT' in out


def test_a_message_of_links_alone_leaves_no_list_of_written_files(
    server: Dovecot, workspace: Path
) -> None:
    # Filed to review by the collector itself: no run follows (the inbox stays empty), so
    # nothing else would remove the list of the files it wrote.
    deliver(server, message("Lien seul", body="Disponible : https://formation.example.fr/a/9"))
    done = attest(workspace, "mail", "--once")
    assert done.returncode == 0, done.stderr
    assert "1 link only (review)" in done.stdout
    assert [r["status"] for r in documents(workspace)] == ["review"]
    assert list((workspace / "state" / "work").glob(".*.filing")) == []


def test_a_message_of_links_alone_is_rejected_once_handled_never_filed(
    server: Dovecot, workspace: Path
) -> None:
    deliver(server, message("Lien seul", body="Disponible : https://formation.example.fr/a/9"))
    assert attest(workspace, "mail", "--once").returncode == 0
    [row] = documents(workspace)
    item = str(database(workspace).execute("SELECT id FROM attestations").fetchone()[0])
    # Its fields given as for any item: still no PDF to put in the dossier.
    done = attest(
        workspace, "review", "resolve", item, "--rpps", "10005682603", "--action", "1.A",
        "--start", "2025-03-12", "--end", "2025-03-14", "--by", "claire",
    )
    assert done.returncode == 2
    assert f"item {item} is no PDF (an e-mail of links alone)" in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(p.is_file() for p in (workspace / "dossiers").rglob("*"))
    assert [r["status"] for r in documents(workspace)] == ["review"]
    # The web page offers no filing: it shows the link and what to do instead.
    web = create_app(load_config(workspace / "config.toml"), run=["true"], os_user="claire")
    client = web.test_client()
    page = client.get(f"/a-verifier/{item}").get_data(as_text=True)
    assert "Un e-mail sans PDF, seulement des liens" in page
    assert "<code>https://formation.example.fr/a/9</code>" in page
    assert "Classer dans un dossier" not in page and "Ou rejeter sans classer" in page
    # Once the attestation behind the link is fetched and dropped, the message is closed.
    message_bytes = Path(row["path"]).read_bytes()
    done = attest(workspace, "review", "reject", item, "--why", "PDF déposé", "--by", "claire")
    assert done.returncode == 0, done.stderr
    [rejected] = (workspace / "review" / "rejected").glob("*.eml")
    assert rejected.read_bytes() == message_bytes
    assert [r["status"] for r in documents(workspace)] == ["rejected"]


def test_attest_mail_without_accounts_says_so(tmp_path: Path, roster: Path) -> None:
    write_config(tmp_path, roster)
    done = attest(tmp_path, "mail", "--once")
    assert done.returncode == 2
    assert "no [[mail.accounts]] configured" in done.stderr
    assert "Traceback" not in done.stderr


def test_collected_messages_can_be_moved_and_those_without_pdf_too(
    tmp_path: Path, roster: Path, server: Dovecot
) -> None:
    config = write_config(tmp_path, roster)
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(account_toml(server, move_to="Collected", no_pdf_folder="Not attestations"))
    client = imap(server)
    client.create_folder("Collected")
    client.create_folder("Not attestations")
    client.logout()
    deliver(server, with_pdf("to move", "m.pdf", 80), message("no pdf here"))
    doctor = attest(tmp_path, "doctor")
    assert "ok   mail secretariat (plain 127.0.0.1:" in doctor.stdout
    done = attest(tmp_path, "mail", "--once", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [account] = report["accounts"]
    assert (account["messages"], account["collected"], account["no_pdf"], account["marked"]) == (
        2, 1, 1, 1
    )
    assert account["saved"][0].endswith("_m.pdf") and account["error"] is None
    assert report["run"]["filed"] == 1
    assert flags(server) == {}
    assert KEYWORD.encode() in flags(server, "Collected")["to move"]
    assert list(flags(server, "Not attestations")) == ["no pdf here"]
    assert [r["status"] for r in documents(tmp_path)] == ["file"]


def test_a_message_or_attachment_over_the_limits_is_left_alone(
    tmp_path: Path, roster: Path, server: Dovecot
) -> None:
    config = write_config(
        tmp_path, roster, mail={"max_message_size": 200_000, "max_attachment_size": 20_000}
    )
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(account_toml(server))
    big_attachment = message("big attachment", attachments=[
        ("big.pdf", attestation(90) + b"%" + b"0" * 30_000 + b"\n%%EOF\n", "application/pdf")])
    big_message = message("big message", attachments=[
        (f"{n}.pdf", attestation(91) + b"%" + os.urandom(15_000).hex().encode() + b"\n%%EOF\n",
         "application/pdf") for n in range(10)])
    deliver(server, big_attachment, big_message, with_pdf("small", "small.pdf", 92))
    done = attest(tmp_path, "mail", "--once")
    assert done.returncode == 0, done.stderr
    assert "3 new message(s): 1 with PDFs" in done.stdout
    assert "2 left (too_large)" in done.stdout
    assert "big.pdf" in done.stdout and "more than 200000" in done.stdout
    on_server = flags(server)
    assert KEYWORD.encode() in on_server["small"]
    assert KEYWORD.encode() not in on_server["big attachment"]
    assert KEYWORD.encode() not in on_server["big message"]
    assert [r["name"].rsplit("_", 1)[-1] for r in documents(tmp_path)] == ["small.pdf"]
    db = database(tmp_path)
    left = dict(db.execute("SELECT subject, sender FROM mail_messages WHERE state = 'left'"))
    db.close()
    # The large message was not fetched, only its header: its envelope is known all the same.
    assert left == {"big attachment": "Dr Jean-Pierre DUPONT <jp.dupont@example.fr>",
                    "big message": "Dr Jean-Pierre DUPONT <jp.dupont@example.fr>"}


def test_a_folder_rebuilt_with_a_new_uidvalidity_collects_nothing_twice(
    tmp_path: Path, roster: Path, server: Dovecot
) -> None:
    config = write_config(tmp_path, roster)
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(account_toml(server, folders=["Box"]))
    pdf = with_pdf("with a pdf", "p.pdf", 100).as_bytes()
    link = message("with a link", body="https://formation.example.fr/att/9").as_bytes()
    deliver(server, pdf, link, folder="Box")
    first = attest(tmp_path, "mail", "--once")
    assert first.returncode == 0, first.stderr
    assert "2 new message(s): 1 with PDFs (1 saved" in first.stdout
    client = imap(server)
    before = client.select_folder("Box")[b"UIDVALIDITY"]
    client.close_folder()
    client.delete_folder("Box")
    client.logout()
    deliver(server, pdf, link, folder="Box")  # the same messages, as a restored backup
    client = imap(server)
    assert client.select_folder("Box")[b"UIDVALIDITY"] != before
    client.logout()
    again = attest(tmp_path, "mail", "--once")
    assert again.returncode == 0, again.stderr
    assert "2 new message(s): 1 with PDFs (0 saved into the inbox, 1 already received)" in (
        again.stdout
    )
    assert "already in review" in again.stdout
    assert [r["status"] for r in documents(tmp_path)] == ["review", "file"]
    assert all(KEYWORD.encode() in f for f in flags(server, "Box").values())

"""Benchmark of ``attest mail``: messages collected per second from a real IMAP server.

    python bench/mail_bench.py [--messages 200]

Starts the tests' Dovecot (``tests/imap_server.py``: loopback, a throw-away certificate),
delivers ``--messages`` messages with one attestation PDF each, and times one poll of the
collector (fetch, parse, durable write into the inbox, database, marking) over IMAPS; then
the same number again with the pipeline filing them as ``attest mail --once`` does. Needs
Dovecot (``apt-get install dovecot-imapd``) and the ``test`` extra (reportlab).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402
from tests.imap_server import PASSWORD, USER, Dovecot  # noqa: E402

from attest_pipeline.config import load_config  # noqa: E402
from attest_pipeline.mail.collect import Collector  # noqa: E402
from attest_pipeline.pipeline import Pipeline  # noqa: E402
from attest_pipeline.registry import load_registry  # noqa: E402
from attest_pipeline.testing.pdf import make_pdf  # noqa: E402

ROSTER = "rpps,last_name,first_name\n10005682603,DUPONT,Jean-Pierre\n"


def attestation(n: int) -> bytes:
    return make_pdf([[
        "Agence nationale du Développement Professionnel Continu",
        "ATTESTATION DE PARTICIPATION",
        "Organisme DPC n° 1234",
        f"Action DPC n° {12345600000 + n}",
        "Titre : Prise en charge du diabète de type 2 en soins primaires",
        "Nous attestons que Dr Jean-Pierre DUPONT",
        "RPPS : 10005682603",
        "a participé à l'action de Formation continue",
        "du 12 au 14 mars 2025",
    ]])


def deliver(server: Dovecot, folder: str, count: int, first: int) -> None:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False)
    client.login(USER, PASSWORD)
    client.create_folder(folder)
    for n in range(first, first + count):
        mail = EmailMessage()
        mail["From"] = "Dr Jean-Pierre DUPONT <jp.dupont@example.fr>"
        mail["Subject"] = f"Attestation {n}"
        mail.set_content("Bonjour, voici mon attestation.")
        mail.add_attachment(attestation(n), maintype="application", subtype="pdf",
                            filename=f"attestation-{n}.pdf")
        client.append(folder, mail.as_bytes())
    client.logout()


def workspace(root: Path, server: Dovecot, folder: str) -> Path:
    (root / "inbox").mkdir(parents=True)
    (root / "roster.csv").write_text(ROSTER)
    account = {
        "name": "bench", "host": "localhost", "port": server.tls_port, "security": "imaps",
        "user": USER, "password_env": "ATTEST_BENCH_PASSWORD", "folders": [folder],
        "ca_file": str(server.account.ca_file),
    }
    lines = [
        "[paths]", 'inbox = "inbox"', 'dossiers = "dossiers"', 'review = "review"',
        'quarantine = "quarantine"', 'state = "state"', 'roster = "roster.csv"',
        "[plugins]", "entry_points = false", "[mail]", "max_attachments = 5",
        "[[mail.accounts]]", *(f"{key} = {json.dumps(value)}" for key, value in account.items()),
    ]
    (root / "config.toml").write_text("\n".join(lines) + "\n")
    return root / "config.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    os.environ["ATTEST_BENCH_PASSWORD"] = PASSWORD
    server = Dovecot()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(workspace(Path(tmp), server, "Bench"))
            deliver(server, "Bench", args.messages, 0)
            collector = Collector(config, say=print)
            started = time.perf_counter()
            [report] = collector.poll()
            seconds = time.perf_counter() - started
            print(f"collect only: {report.messages} messages, {report.attachments} PDFs in "
                  f"{seconds:.2f} s: {report.messages / seconds:.0f} messages/s")
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(workspace(Path(tmp), server, "Bench2"))
            deliver(server, "Bench2", args.messages, args.messages)
            started = time.perf_counter()
            [report] = Collector(config, say=print).poll()
            summary = Pipeline(config, load_registry(config.plugins)).run(jobs=1)
            seconds = time.perf_counter() - started
            print(f"collect and file (1 worker): {summary.documents} documents, "
                  f"{summary.to_json()['filed']} filed in {seconds:.2f} s: "
                  f"{summary.documents / seconds:.0f} messages/s")
    finally:
        server.close()


if __name__ == "__main__":
    main()

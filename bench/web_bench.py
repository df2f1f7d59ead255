"""Benchmark of ``attest serve``: each page's response time on a large state.

    python bench/web_bench.py [--physicians 2000] [--attestations 20000] [--runs 10]

Builds a state with the real filing code (``Filer.file_document``: every PDF, sidecar,
archive copy and database row written as ``attest run`` writes them, without the reading
and recognition, which are measured by ``bench/bench.py``): ``--physicians`` physicians on
the roster and ``--attestations`` filed attestations (10 % of them "à demander au CNP"),
plus 300 in review and 50 in quarantine. Then starts ``attest serve`` on a free loopback
port, as a user would (it measures every physician's progress before it listens, and says
how long that took), and times each page over HTTP: the first request and the median and
maximum of ``--runs`` more; then the Médecins page right after a decision (the journal
moved: the changed dossier's progress is measured again).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

from attest_pipeline.config import load_config
from attest_pipeline.filing import Filer
from attest_pipeline.models import Candidate, Problem, Record, Status
from attest_pipeline.reasons import Reason
from attest_pipeline.referentiel import load_referentiel
from attest_pipeline.store import Store
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text.identifiers import rpps_valid

LAST = ["MARTIN", "BERNARD", "LEFÈVRE", "DUBOIS", "PETIT", "DURAND", "LEROY", "MOREAU",
        "SIMON", "LAURENT", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT",
        "FOURNIER", "MOREL", "GIRARD", "ANDRÉ", "MERCIER", "DUPONT", "LAMBERT", "BONNET",
        "FRANÇOIS", "MARTINEZ", "N'DIAYE", "DE LA FONTAINE", "CHÂTELAIN", "MÜLLER"]
FIRST = ["Jean-Pierre", "Marie", "Nicolas", "Élise", "Hélène", "François", "Chloé", "Anaïs",
         "Jérôme", "Zoé", "Raphaël", "Inès", "Benoît", "Gaëlle", "Sébastien", "Océane"]
ISSUERS = ["FormaMed", "Université de Lille", "CNGE", "Médicoach Formations", "SFMG"]
CONFIG = """[paths]
inbox = "inbox"
dossiers = "dossiers"
review = "review"
quarantine = "quarantine"
state = "state"
roster = "roster.csv"
[plugins]
template_dirs = []
entry_points = false
[serve]
# urllib's cookie jar sends no Secure cookie over http (a browser does, to 127.0.0.1).
secure_cookies = false
"""


def rpps_numbers(count: int) -> list[str]:
    found, n = [], 1000000000
    while len(found) < count:
        n += 7
        for key in range(10):
            candidate = f"{n}{key}"
            if rpps_valid(candidate):
                found.append(candidate)
                break
    return found


def build(root: Path, physicians: int, attestations: int) -> None:
    (root / "inbox").mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(14)
    people = [
        (rpps, LAST[i % len(LAST)] + ("" if i < len(LAST) else f"-{i // len(LAST)}"),
         FIRST[(i * 7) % len(FIRST)])
        for i, rpps in enumerate(rpps_numbers(physicians))
    ]
    lines = ["rpps,last_name,first_name"] + [f"{r},{last},{first}" for r, last, first in people]
    (root / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(root / "config.toml")
    actions = list(load_referentiel(config.paths.referentiel).actions)
    base = make_pdf(["ATTESTATION DE PARTICIPATION", "Formation continue"])
    started = time.perf_counter()
    with Store(config.paths.database) as store:
        filer = Filer(config.paths, store)
        store.db.execute("BEGIN IMMEDIATE")
        total = attestations + 350
        for n in range(total):
            rpps, last, first = people[n % len(people)]
            action = rng.choice(actions)
            day = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1400))
            label = "a_demander" if n % 10 == 9 else "de_fait"
            status, problems = Status.FILE, ()
            if n >= attestations + 50:
                status, problems = Status.REVIEW, (Problem(Reason.UNKNOWN_PARTICIPANT, "-"),)
            elif n >= attestations:
                status, problems = Status.QUARANTINE, (Problem(Reason.CORRUPT, "-"),)
            data = base + f"\n%{n}\n".encode()
            record = Record(
                source=f"attestation-{n}.pdf",
                sha256=hashlib.sha256(data).hexdigest(),
                pages=(1,),
                status=status,
                problems=problems,
                plugin="bench@1",
                family="andpc",
                issuer=ISSUERS[n % len(ISSUERS)],
                rpps=rpps,
                last_name=last,
                first_name=first,
                matched=True,
                start=day,
                end=day + timedelta(days=rng.randrange(0, 3)),
                title=f"Action de formation n° {n}",
                reference=f"REF{n:08d}",
                candidates=(Candidate(action.bloc, action.letter, label),),
                chosen=Candidate(action.bloc, action.letter, label),
            )
            filer.file_document(f"claim-{n}", record.source, data, 1, [record])
            if n % 500 == 499:
                filer.sync()
                store.db.execute("COMMIT")
                store.db.execute("BEGIN IMMEDIATE")
        filer.sync()
        store.db.execute("COMMIT")
    print(f"state built in {time.perf_counter() - started:.0f} s: {physicians} physicians, "
          f"{attestations} filed, 300 in review, 50 in quarantine")


def timed(opener: urllib.request.OpenerDirector, url: str) -> float:
    started = time.perf_counter()
    with opener.open(url, timeout=120) as answer:
        answer.read()
        assert answer.status == 200, (url, answer.status)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--physicians", type=int, default=2000)
    parser.add_argument("--attestations", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="attest-web-bench-"))
    try:
        build(root, args.physicians, args.attestations)
        server = subprocess.Popen(
            [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"),
             "serve", "--port", "0"],
            stderr=subprocess.PIPE,
            text=True,
        )
        started = time.perf_counter()
        try:
            measure(root, server, args.runs, started)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(root: Path, server: subprocess.Popen[str], runs: int, started: float) -> None:
    assert server.stderr is not None
    found = re.search(r"http://127\.0\.0\.1:\d+", server.stderr.readline())
    assert found, "attest serve did not start"
    print(f"attest serve listening {time.perf_counter() - started:.1f} s after it was started")
    base = found.group(0)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with Store(root / "state" / "attest.sqlite3", readonly=True) as store:
        review = store.db.execute(
            "SELECT id FROM attestations WHERE status = 'review' LIMIT 1"
        ).fetchone()[0]
        entry = store.db.execute("SELECT id, rpps FROM dossier_entries LIMIT 1").fetchone()
    rpps = entry[1]
    pages = [
        ("Médecins", "/medecins"),
        ("Accueil", "/"),
        ("Déposer", "/deposer"),
        ("À vérifier (list)", "/a-verifier"),
        ("À vérifier (one item)", f"/a-verifier/{review}"),
        ("page image of an item", f"/apercu/attestation/{review}/1.png"),
        ("Labellisations", "/labellisations"),
        ("Labellisations CSV", "/labellisations.csv"),
        ("Médecins, search 'lefevre'", "/medecins?q=lefevre"),
        ("Médecins, by progress, page 5", "/medecins?tri=progression&page=5"),
        ("Dossier", f"/medecins/{rpps}"),
        ("Dossier's summary PDF", f"/medecins/{rpps}/synthese.pdf"),
        ("a proof PDF", f"/fichier/entry/{entry[0]}"),
        ("Journal", "/journal"),
        ("Journal, one physician", f"/journal?medecin={rpps}"),
        ("Journal, page 100", "/journal?page=100"),
    ]
    print(f"\n| page | first (ms) | median of {runs} (ms) | max (ms) |\n|---|---|---|---|")
    for name, path in pages:
        first = timed(opener, base + path)
        times = [timed(opener, base + path) for _ in range(runs)]
        print(f"| {name} | {first:.0f} | {statistics.median(times):.0f} | {max(times):.0f} |")
    # A decision moves the journal: the next Médecins page measures the progress again.
    with opener.open(base + "/deposer") as answer:
        token = re.search(r'name="csrf" value="([^"]+)"', answer.read().decode())
    assert token
    body = urllib.parse.urlencode({"csrf": token.group(1), "raison": "bench"}).encode()
    opener.open(base + f"/a-verifier/{review}/rejeter", data=body).read()
    timed(opener, base + "/a-verifier")  # the page after the decision, as a browser follows
    after = timed(opener, base + "/medecins")
    print(f"| Médecins, right after a decision | {after:.0f} | - | - |")


if __name__ == "__main__":
    main()

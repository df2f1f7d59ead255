"""Benchmark of the secretariat's reads: every physician's progress, one dossier, its summary.

    python bench/progress_bench.py [--physicians 2000] [--entries 10] [--repeat 3]

A temporary state with ``--physicians`` physicians on the roster, each with ``--entries``
filed actions drawn (with a fixed seed) from a few shapes, some eligible in several blocs
(a Balint group: 2.J, 3.G, 4.G; a registry: 2.G, 3.E), some à demander. Rows are written
through the store's own methods. Timed, best of ``--repeat``: ``all_progress`` (what
``attest status`` and a list of physicians compute: the allocation of every dossier; its
first call, then once the allocations of the dossiers' shapes are memoised),
``physician_progress`` of one physician, and ``summary_pdf`` of one physician.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from attest_pipeline.config import load_config
from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.service import open_workspace
from attest_pipeline.service.progress import all_progress, physician_progress
from attest_pipeline.service.summary import summary_pdf
from attest_pipeline.store import DocumentRow, Store

SHAPES: tuple[tuple[tuple[int, str], ...], ...] = (
    ((1, "A"),),
    ((1, "B"),),
    ((2, "A"),),
    ((2, "J"), (3, "G"), (4, "G")),
    ((2, "G"), (3, "E")),
    ((3, "A"),),
    ((4, "E"), (1, "A")),
)


def luhn_rpps(n: int) -> str:
    """The n-th valid RPPS (Luhn key appended)."""
    body = f"1{n:09d}"
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def build(root: Path, physicians: int, entries: int) -> None:
    """Write the roster, the configuration and the database."""
    rows = ["rpps,last_name,first_name"]
    rows += [f"{luhn_rpps(i)},NOM{i},Prénom{i}" for i in range(1, physicians + 1)]
    (root / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for folder in ("inbox", "dossiers", "review", "quarantine"):
        (root / folder).mkdir()
    (root / "config.toml").write_text(
        '[paths]\ninbox = "inbox"\ndossiers = "dossiers"\nreview = "review"\n'
        'quarantine = "quarantine"\nstate = "state"\nroster = "roster.csv"\n',
        encoding="utf-8",
    )
    chance = random.Random(1)
    store = Store(root / "state" / "attest.sqlite3")
    with store.transaction():
        n = 0
        for i in range(1, physicians + 1):
            rpps = luhn_rpps(i)
            store.add_physician(Physician(rpps, f"NOM{i}", f"Prénom{i}"), f"dossier{i}")
            for _ in range(entries):
                n += 1
                shape = chance.choice(SHAPES)
                label = "a_demander" if shape == ((1, "B"),) else "de_fait"
                record = Record(
                    source=f"{n}.pdf",
                    sha256=f"{n:064d}",
                    pages=(1,),
                    status=Status.FILE,
                    rpps=rpps,
                    family="andpc",
                    nature="formation_continue",
                    start=date(2025, 1, 1 + n % 28),
                    end=date(2025, 1, 1 + n % 28),
                    reference=str(n),
                    candidates=tuple(Candidate(b, a, label) for b, a in shape),
                    chosen=Candidate(shape[0][0], shape[0][1], label),
                )
                document = store.add_document(
                    DocumentRow(str(n), record.source, record.sha256, 1, 1, "file", "x")
                )
                attestation = store.add_attestation(document, record, f"/nowhere/{n}.pdf")
                store.add_dossier_entry(attestation, record, f"/nowhere/{n}.pdf")
    store.close()


def best(repeat: int, call: Callable[[], object]) -> float:
    """The best time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    """Build the state, time the reads, print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--physicians", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, args.physicians, args.entries)
        ws = open_workspace(load_config(root / "config.toml"))
        one = luhn_rpps(args.physicians // 2)
        total = args.physicians * args.entries
        print(f"{args.physicians} physicians, {total} dossier entries")
        cold = best(1, lambda: all_progress(ws))  # the allocations not memoised yet
        print(
            f"all_progress        {cold:.3f} s first call, "
            f"{best(args.repeat, lambda: all_progress(ws)):.3f} s after"
        )
        print(f"physician_progress  {best(args.repeat, lambda: physician_progress(ws, one)):.4f} s")
        print(f"summary_pdf         {best(args.repeat, lambda: summary_pdf(ws, one)):.3f} s")


if __name__ == "__main__":
    main()

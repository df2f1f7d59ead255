"""Crash soak: kill ``attest run`` and ``attest watch`` with SIGKILL at random moments, then audit.

    python scripts/soak.py [--files 2000] [--kills 50] [--seed 1] [--jobs 2] [--out DIR]

Generates one-page attestations (the sample generator's bulk mode), then, until ``--kills``
processes have been killed: drops the next wave of files into the inbox, starts ``attest
run`` or ``attest watch`` (alternately; ``watch`` also gets files while it runs), and
SIGKILLs it (the main process only: its workers must die by themselves) after a random
delay. After each kill, no process it started may be alive 5 s later. Then a last ``attest
run`` finishes the work, and the audit checks:

- every input is in the database exactly once (by SHA-256), its original in the archive
  byte for byte, and where it went (dossier, review, quarantine) holds its bytes, or it is
  recorded as a duplicate;
- the inbox and the working area are empty; no temporary file (``.*.part``) is left, and
  no file in the dossiers, review or quarantine that the database does not know;
- ``PRAGMA integrity_check`` is ``ok``;
- no process of the soak is left.

Prints the figures (duration, kills, files, outcomes) and exits 0 when every check passed,
1 otherwise (each problem is listed). Not part of the test suite (about ten minutes);
``tests/test_soak.py`` runs a small one.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: How long the processes a killed command started may take to die.
ORPHAN_GRACE = 5.0
#: Where progress lines go.
Say = Callable[[str], None]
#: Delays before a kill are drawn between these (seconds; the upper one adapts so that
#: most kills land while files are being processed, not after the command finished).
DELAY_MIN, DELAY_START = 0.05, 1.0
#: The share of kills at any moment from the start (start-up included); the others wait
#: for the command's workers to be running first (at most ``WORKERS_WAIT`` seconds).
STARTUP_SHARE = 0.2
WORKERS_WAIT = 20.0


@dataclass
class Report:
    """The figures of one soak and the problems found."""

    files: int
    kills: dict[str, int] = field(default_factory=lambda: {"run": 0, "watch": 0})
    finished_before_kill: int = 0
    kills_with_workers: int = 0
    seconds: float = 0.0
    documents: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    slowest_orphan_exit: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return not self.problems


# ----------------------------------------------------------------------------- corpus


def generate(out: Path, n: int, seed: int) -> list[Path]:
    """``n`` one-page attestations from the sample generator (kept in ``out`` for reuse)."""
    existing = sorted(out.glob("bulk_*.pdf")) if out.is_dir() else []
    if len(existing) == n:
        return existing
    spec = importlib.util.spec_from_file_location("generate", ROOT / "samples" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "samples"))
    spec.loader.exec_module(module)
    shutil.rmtree(out, ignore_errors=True)
    return sorted(module.generate_bulk(out, n, seed))


def write_config(root: Path, jobs: int) -> Path:
    """A configuration with its own folders, the sample roster and a short quiet period."""
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    path = root / "config.toml"
    path.write_text(
        "[paths]\n"
        'inbox = "inbox"\ndossiers = "dossiers"\nreview = "review"\n'
        'quarantine = "quarantine"\nstate = "state"\n'
        f'roster = "{ROOT / "samples" / "roster.csv"}"\n'
        "[plugins]\n"
        f'template_dirs = ["{ROOT / "plugins" / "templates"}"]\n'
        f"[run]\njobs = {jobs}\n"
        "[watch]\nquiet_period = 0.2\nrescan_interval = 1\n",
        encoding="utf-8",
    )
    return path


# -------------------------------------------------------------------------- processes


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    """The live processes below ``pid`` (children, grandchildren...)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if alive(child):
                found.append(child)
                todo.append(child)
    return found


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            )
        except OSError:
            continue
        if text in command and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def attest_command(config: Path, mode: str, jobs: int) -> list[str]:
    """The command line of ``attest run`` or ``attest watch`` for ``config``."""
    return [
        *(sys.executable, "-m", "attest_pipeline", "--config", str(config), mode),
        *("--jobs", str(jobs)),
    ]


# ------------------------------------------------------------------------------ soak


def soak(
    corpus: list[Path], root: Path, *, kills: int, seed: int, jobs: int, say: Say = print
) -> Report:
    """Drop ``corpus`` into a fresh installation under ``root`` while killing it; audit."""
    rng = random.Random(seed)
    config = write_config(root, jobs)
    inbox = root / "inbox"
    report = Report(files=len(corpus))
    started = time.monotonic()
    waiting = list(corpus)
    wave = max(1, -(-len(corpus) // max(kills, 1)))
    scale = DELAY_START
    attempt = 0
    while sum(report.kills.values()) < kills:
        mode = "run" if attempt % 2 == 0 else "watch"
        attempt += 1
        batch, waiting = waiting[:wave], waiting[wave:]
        # watch gets half of its wave while it runs: files arriving, not only waiting.
        now, later = (
            (batch, []) if mode == "run" else (batch[: len(batch) // 2], batch[len(batch) // 2 :])
        )
        _drop(now, inbox)
        process = subprocess.Popen(
            attest_command(config, mode, jobs),
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if later:
            _wait_for_workers(process, rng.uniform(DELAY_MIN, scale))
            _drop(later, inbox)
        if rng.random() < STARTUP_SHARE:  # any moment, start-up included
            time.sleep(rng.uniform(DELAY_MIN, scale))
        else:  # while documents are being processed
            _wait_for_workers(process, WORKERS_WAIT)
            time.sleep(rng.uniform(0.0, scale))
        family = descendants(process.pid)
        if process.poll() is not None:  # finished before the kill: nothing to kill
            report.finished_before_kill += 1
            scale = max(DELAY_MIN * 4, scale * 0.8)
            continue
        process.send_signal(signal.SIGKILL)
        process.wait()
        report.kills[mode] += 1
        report.kills_with_workers += bool(family)
        scale *= 1.05
        report.slowest_orphan_exit = max(report.slowest_orphan_exit, _reap(family, report, mode))
        if sum(report.kills.values()) % 10 == 0:
            say(f"{sum(report.kills.values())} kills, {time.monotonic() - started:.0f} s")
    _drop(waiting, inbox)
    final = subprocess.run(
        attest_command(config, "run", jobs), cwd=root, capture_output=True, text=True, timeout=1800
    )
    if final.returncode != 0:
        report.problems.append(
            f"the last attest run exited {final.returncode}: {final.stderr.strip()}"
        )
    report.seconds = time.monotonic() - started
    audit(root, corpus, report)
    if left := processes_mentioning(str(config)):
        report.problems.append(f"processes left running: {left}")
    return report


def _wait_for_workers(process: subprocess.Popen[bytes], limit: float) -> None:
    """Until ``process`` has started workers, has exited, or ``limit`` seconds passed."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if descendants(process.pid):
            return
        time.sleep(0.01)


def _drop(files: list[Path], inbox: Path) -> None:
    """Copy ``files`` into the inbox as a scanner would: written aside, then renamed in."""
    for path in files:
        temporary = inbox / f".{path.name}.part"
        shutil.copyfile(path, temporary)
        os.replace(temporary, inbox / path.name)


def _reap(family: list[int], report: Report, mode: str) -> float:
    """Wait for the killed command's processes to die by themselves; the time they took."""
    started = time.monotonic()
    while time.monotonic() - started < ORPHAN_GRACE:
        if not any(alive(pid) for pid in family):
            return time.monotonic() - started
        time.sleep(0.02)
    left = [pid for pid in family if alive(pid)]
    report.problems.append(
        f"attest {mode} killed: processes {left} still alive {ORPHAN_GRACE:g} s later"
    )
    for pid in left:  # so that the soak can go on
        os.kill(pid, signal.SIGKILL)
    return ORPHAN_GRACE


# ----------------------------------------------------------------------------- audit


def audit(root: Path, corpus: list[Path], report: Report) -> None:
    """Check that every input is found exactly once, byte for byte, and nothing else."""
    problems = report.problems
    for folder in (root / "inbox", root / "state" / "work"):
        if left := sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []:
            problems.append(f"{folder.relative_to(root)} is not empty: {left[:5]}")
    database = root / "state" / "attest.sqlite3"
    if not database.exists():
        problems.append("no database")
        return
    db = sqlite3.connect(database)
    db.row_factory = sqlite3.Row
    check = db.execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        problems.append(f"PRAGMA integrity_check: {check}")
    expected = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in corpus}
    documents = db.execute("SELECT id, name, sha256, archive, outcome FROM documents").fetchall()
    report.documents = len(documents)
    seen: dict[str, int] = {}
    for row in documents:
        seen[row["sha256"]] = seen.get(row["sha256"], 0) + 1
        archived = Path(row["archive"])
        if not archived.is_file() or _sha(archived) != row["sha256"]:
            problems.append(f"{row['name']}: original not in the archive byte for byte")
    for sha, name in expected.items():
        if seen.get(sha, 0) != 1:
            problems.append(f"{name}: found {seen.get(sha, 0)} times in the database")
    for sha in seen.keys() - expected.keys():
        problems.append(f"a document that is no input: {sha}")
    known: set[Path] = set()
    rows = db.execute(
        "SELECT a.status, a.path, a.pages, d.sha256, d.name, "
        "(SELECT count(*) FROM attestations b WHERE b.document_id = d.id) AS siblings "
        "FROM attestations a JOIN documents d ON d.id = a.document_id"
    ).fetchall()
    for row in rows:
        report.outcomes[row["status"]] = report.outcomes.get(row["status"], 0) + 1
        if row["status"] == "duplicate":
            continue
        path = Path(row["path"]) if row["path"] else None
        if path is None or not path.is_file():
            problems.append(f"{row['name']}: {row['status']} but {path} is missing")
            continue
        known.update({path, path.with_name(path.name + ".json")})
        if row["siblings"] == 1 and _sha(path) != row["sha256"]:
            problems.append(f"{row['name']}: {path} does not hold its bytes")
    for folder in ("dossiers", "review", "quarantine"):
        for path in (root / folder).rglob("*") if (root / folder).is_dir() else []:
            if not path.is_file():
                continue
            if path.name.startswith(".") and path.name.endswith(".part"):
                problems.append(f"temporary file left: {path.relative_to(root)}")
            elif path not in known:
                problems.append(f"a file the database does not know: {path.relative_to(root)}")
    for path in (root / "state").rglob(".*.part"):
        problems.append(f"temporary file left: {path.relative_to(root)}")
    db.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="attestations (default 2000)")
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the kill moments")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: temp)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="attest-soak-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        corpus = generate(out / f"corpus-{args.files}", args.files, args.seed)
        root = out / "install"
        shutil.rmtree(root, ignore_errors=True)
        report = soak(
            corpus,
            root,
            kills=args.kills,
            seed=args.seed,
            jobs=args.jobs,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    if args.json:
        print(json.dumps({**asdict(report), "ok": report.ok}, indent=2))
    else:
        print(
            f"{report.files} files, {sum(report.kills.values())} kills "
            f"({report.kills['run']} run, {report.kills['watch']} watch; "
            f"{report.kills_with_workers} with workers running; "
            f"{report.finished_before_kill} finished before their kill), "
            f"{report.seconds:.0f} s; {report.documents} documents: "
            + ", ".join(f"{n} {status}" for status, n in sorted(report.outcomes.items()))
            + f"; workers gone within {report.slowest_orphan_exit:.2f} s of each kill"
        )
        print(
            "OK: every check passed" if report.ok else f"FAILED: {len(report.problems)} problem(s)"
        )
        for problem in report.problems:
            print(f"  {problem}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

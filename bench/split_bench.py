"""Cost of splitting one multi-attestation PDF, as a function of its pages.

Usage: python bench/split_bench.py N [N ...] [--timeout SECONDS] [--out DIR] [--keep]

For each N: generates one congress PDF of N pages, one attendance attestation per page
(the sample generator's ``generate_congress``), then measures, each in a fresh process:

- ``attest extract --json`` on it (the dry run: same reading, split and decisions);
- ``attest run --jobs 1`` with it alone in the inbox (split, then every part filed);

with the wall time, the peak memory (the largest of the command's processes), and for
``run`` the files written and the rows in the database. A command still running after
``--timeout`` seconds is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import generator, write_config  # noqa: E402

_MEASURE = r"""
import resource, subprocess, sys, time
started = time.perf_counter()
try:
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL,
                   timeout=float(sys.argv[1]))
    seconds = time.perf_counter() - started
except subprocess.TimeoutExpired:
    seconds = -1.0
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(command: list[str], cwd: Path, timeout: float) -> tuple[float | None, float]:
    """Wall seconds (``None`` past ``timeout``) and peak RSS in MiB."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(timeout), *command],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    seconds = float(out[0])
    return (seconds if seconds >= 0 else None), float(out[1]) / 1024


def count_outputs(work: Path) -> dict[str, int]:
    """PDFs written in the dossiers and review, and attestation rows in the database."""
    written = sum(1 for folder in ("dossiers", "review") for _ in (work / folder).rglob("*.pdf"))
    database = work / "state" / "attest.sqlite3"
    rows = 0
    if database.exists():
        with sqlite3.connect(database) as db:
            rows = db.execute("SELECT count(*) FROM attestations").fetchone()[0]
    return {"files": written, "rows": rows}


def bench(n: int, out: Path, timeout: float) -> dict[str, object]:
    """All measurements for one PDF of ``n`` pages."""
    pdf = generator().generate_congress(out, n)  # type: ignore[attr-defined]
    attest = [sys.executable, "-m", "attest_pipeline"]
    result: dict[str, object] = {"pages": n, "bytes": pdf.stat().st_size}

    work = out / f"extract-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config = write_config(work)
    seconds, peak = measure(
        [*attest, "--config", str(config), "extract", "--json", str(pdf)], work, timeout
    )
    result["extract_seconds"] = round(seconds, 2) if seconds is not None else f"> {timeout:.0f}"
    result["extract_peak_mib"] = round(peak, 1)

    work = out / f"run-{n}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "inbox").mkdir(parents=True)
    config = write_config(work)
    shutil.copyfile(pdf, work / "inbox" / pdf.name)
    seconds, peak = measure(
        [*attest, "--config", str(config), "run", "--jobs", "1"], work, timeout
    )
    result["run_seconds"] = round(seconds, 2) if seconds is not None else f"> {timeout:.0f}"
    result["run_peak_mib"] = round(peak, 1)
    result.update({f"run_{k}": v for k, v in count_outputs(work).items()})
    shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="pages of the PDF")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per command, seconds")
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="attest-split-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    try:
        for n in args.sizes:
            started = time.perf_counter()
            result = bench(n, out, args.timeout)
            result["bench_seconds"] = round(time.perf_counter() - started, 1)
            print(json.dumps(result, indent=2), flush=True)
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

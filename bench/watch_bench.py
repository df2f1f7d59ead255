"""Benchmark of ``attest watch``: drop-to-filed latency, burst throughput, idle CPU.

    python bench/watch_bench.py [--quiet 1.0] [--jobs 2] [--drops 20] [--burst 500]

A temporary workspace (the test roster: DUPONT Jean-Pierre) and the real watcher, in a
thread of this process, with the built-in plugins:

1. latency: ``--drops`` attestations dropped one at a time into an idle inbox (a rename,
   as a copy finished elsewhere on the same disk), each timed from the rename to the
   moment its outcome is committed and reported; median, p95 and max;
2. burst: ``--burst`` files renamed in at once (8 attestations, 1 letter, 1 photo in
   10), timed from the first rename to the last outcome: documents per second, next to
   ``attest run`` on the same files (the pipeline's own pace on this machine);
3. idle CPU: the process's CPU time over ``--idle`` seconds with nothing to do, with
   change events and in polling mode.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attest_pipeline.config import load_config
from attest_pipeline.filing import Filed
from attest_pipeline.pipeline import Pipeline
from attest_pipeline.registry import load_registry
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.watch import InboxWatcher, watch

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


def burst_file(n: int) -> tuple[str, bytes]:
    if n % 10 == 9:
        return f"photo-{n:04d}.jpg", b"\xff\xd8\xff\xe0" + str(n).encode() * 100
    if n % 10 == 8:
        return f"lettre-{n:04d}.pdf", make_pdf([f"Compte rendu de réunion {n}"])
    return f"attestation-{n:04d}.pdf", attestation(n)


def write_config(root: Path, quiet: float, jobs: int, polling: bool) -> Path:
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (root / "inbox").mkdir(exist_ok=True)
    path = root / "config.toml"
    path.write_text(
        "[paths]\n"
        'inbox = "inbox"\ndossiers = "dossiers"\nreview = "review"\n'
        'quarantine = "quarantine"\nstate = "state"\nroster = "roster.csv"\n'
        "[plugins]\ntemplate_dirs = []\nentry_points = false\n"
        f"[run]\njobs = {jobs}\n"
        f"[watch]\nquiet_period = {quiet}\npolling = {'true' if polling else 'false'}\n",
        encoding="utf-8",
    )
    return path


class Bench:
    """A watcher in a thread, with the time each document's outcome was reported."""

    def __init__(self, config_path: Path) -> None:
        config = load_config(config_path)
        self.pipeline = Pipeline(config, load_registry(config.plugins))
        self.inbox = config.paths.inbox
        self.staging = config_path.parent / "staging"
        self.staging.mkdir(exist_ok=True)
        self.done: dict[str, float] = {}
        self.condition = threading.Condition()
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        watch(self.pipeline, stop=self.stop, on_document=self._filed, say=lambda _: None,
              on_start=self._started)

    def _started(self, watcher: InboxWatcher) -> None:
        self.ready.set()

    def _filed(self, name: str, filed: list[Filed]) -> None:
        with self.condition:
            self.done[name] = time.perf_counter()
            self.condition.notify_all()

    def stage(self, name: str, data: bytes) -> None:
        (self.staging / name).write_bytes(data)

    def drop(self, name: str) -> float:
        at = time.perf_counter()
        os.rename(self.staging / name, self.inbox / name)
        return at

    def wait_for(self, count: int, timeout: float = 300.0) -> None:
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.done) >= count, timeout):
                raise SystemExit(f"timed out: {len(self.done)} of {count} documents")


@contextmanager
def running(quiet: float, jobs: int, *, polling: bool = False) -> Iterator[Bench]:
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(write_config(Path(folder), quiet, jobs, polling))
        bench.thread.start()
        if not bench.ready.wait(60):
            raise SystemExit("the watcher did not start")
        try:
            yield bench
        finally:
            bench.stop.set()
            bench.thread.join(timeout=60)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency(quiet: float, jobs: int, drops: int) -> None:
    with running(quiet, jobs) as bench:
        bench.stage("warm-up.pdf", attestation(0))  # starts the worker processes
        bench.drop("warm-up.pdf")
        bench.wait_for(1)
        times = []
        for n in range(1, drops + 1):
            name = f"drop-{n:03d}.pdf"
            bench.stage(name, attestation(n))
            time.sleep(0.3)  # an idle inbox before each drop
            dropped = bench.drop(name)
            bench.wait_for(n + 1)
            times.append(bench.done[name] - dropped)
    over = [t - quiet for t in times]
    print(f"latency, quiet period {quiet:g} s, {drops} drops: "
          f"median {statistics.median(times):.3f} s, p95 {percentile(times, 0.95):.3f} s, "
          f"max {max(times):.3f} s "
          f"(beyond the quiet period: median {statistics.median(over):.3f} s, "
          f"p95 {percentile(over, 0.95):.3f} s)")


def burst(quiet: float, jobs: int, count: int) -> None:
    files = [burst_file(n) for n in range(count)]
    with running(quiet, jobs) as bench:
        for name, data in files:
            bench.stage(name, data)
        started = time.perf_counter()
        for name, _ in files:
            bench.drop(name)
        bench.wait_for(count)
        seconds = max(bench.done.values()) - started
    print(f"burst of {count} files, {jobs} worker(s), quiet period {quiet:g} s: "
          f"{seconds:.2f} s from the first drop to the last outcome, "
          f"{count / seconds:.0f} documents/s ({count / max(seconds - quiet, 1e-9):.0f}/s "
          "beyond the quiet period)")
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(write_config(Path(folder), quiet, jobs, False))
        for name, data in files:
            (config.paths.inbox / name).write_bytes(data)
        pipeline = Pipeline(config, load_registry(config.plugins))
        started = time.perf_counter()
        summary = pipeline.run()
        seconds = time.perf_counter() - started
    print(f"  the same {summary.documents} files through `attest run`: {seconds:.2f} s, "
          f"{summary.documents / seconds:.0f} documents/s")


def idle(quiet: float, jobs: int, seconds: float) -> None:
    for polling in (False, True):
        with running(quiet, jobs, polling=polling):
            time.sleep(1.0)
            cpu, wall = time.process_time(), time.perf_counter()
            time.sleep(seconds)
            share = (time.process_time() - cpu) / (time.perf_counter() - wall)
        mode = "polling every 2 s" if polling else "change events"
        print(f"idle CPU, {mode}: {share * 100:.2f} % of one core over {seconds:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", type=float, default=1.0, help="quiet period (s)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle to measure")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    latency(args.quiet, args.jobs, args.drops)
    burst(args.quiet, args.jobs, args.burst)
    idle(args.quiet, args.jobs, args.idle)


if __name__ == "__main__":
    main()

"""Print the accuracy report of the pipeline on the sample corpus (or another corpus).

Usage: python scripts/accuracy.py [CORPUS] [--roster ROSTER] [--jobs N]
       python scripts/accuracy.py --variations N --seed S [--jobs N] [--keep DIR]

Runs every sample through the same decisions as ``attest extract --json``, each judged
alone against an empty state (as its expected result is written), and prints per family
how many fields are right, then every mismatch. Exit code 1 when anything is wrong.

With ``--variations N``: generates N documents along the variation axes of the sample
generator (``samples/generate.py --variations``) with seed S, runs them the same way and
prints the report per family, then per axis and value. Exit code 1 when a goal is
missed: field accuracy at least 0.99, no wrong filing, no axis value below 0.97, and
every axis value run: a renderer or signer absent from the machine (its documents then
written by reportlab) is printed as NOT RUN, with the reason, and misses the goal.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

from attest_pipeline.testing.accuracy import (
    by_axis,
    compare,
    format_axes,
    load_expected,
    measure,
    run_samples,
)

ROOT = Path(__file__).resolve().parent.parent
#: The goals of the variation mode (README, "Samples that vary").
GOAL_ACCURACY, GOAL_AXIS = 0.99, 0.97


def generate_variations(out: Path, n: int, seed: int) -> None:
    """Write the variation documents with the sample generator (samples/generate.py)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "samples" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "samples"))
    spec.loader.exec_module(module)
    module.generate_variations(out, n, seed)


def variations(n: int, seed: int, roster: Path, jobs: int, keep: Path | None) -> int:
    """Generate, run and report the variation corpus; 0 when every goal is met."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = (keep or Path(tmp)).resolve()
        generate_variations(corpus, n, seed)
        samples = load_expected(corpus)
        records = run_samples(
            [pdf for pdf, _ in samples], roster, (ROOT / "plugins" / "templates",), jobs
        )
        report = compare(samples, records, corpus)
        axes = by_axis(samples, records, corpus)
        not_run = json.loads((corpus / "variations.json").read_text(encoding="utf-8"))[
            "not_run"
        ]
    print(report.format())
    print()
    print(format_axes(axes))
    for value, what in sorted(not_run.items()):
        print(
            f"NOT RUN {value}: {what['reason']}; its {what['documents']} documents were "
            "written by reportlab instead"
        )
    lowest = min(
        (
            (r.field_accuracy, f"{axis}={value}")
            for axis, v in axes.items()
            for value, r in v.items()
        ),
        default=(1.0, "-"),
    )
    print(
        f"\n{n} documents (seed {seed}): field accuracy {report.field_accuracy:.4f}, "
        f"{len(report.wrong_filings)} misfiled, lowest axis value {lowest[1]} at {lowest[0]:.4f}"
        + (f", NOT RUN: {', '.join(sorted(not_run))}" if not_run else "")
    )
    met = (
        report.field_accuracy >= GOAL_ACCURACY
        and not report.wrong_filings
        and lowest[0] >= GOAL_AXIS
        and not not_run
    )
    return 0 if met else 1


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "samples")
    parser.add_argument("--roster", type=Path, default=ROOT / "samples" / "roster.csv")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--variations", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="write the variations here")
    args = parser.parse_args()
    if args.variations:
        return variations(args.variations, args.seed, args.roster.resolve(), args.jobs, args.keep)
    report = measure(
        args.corpus.resolve(),
        args.roster.resolve(),
        template_dirs=(ROOT / "plugins" / "templates",),
        jobs=args.jobs,
    )
    print(report.format())
    return 0 if report.perfect else 1


if __name__ == "__main__":
    sys.exit(main())

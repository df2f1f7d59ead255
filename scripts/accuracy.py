"""Print the accuracy report of the pipeline on the sample corpus (or another corpus).

Usage: python scripts/accuracy.py [CORPUS] [--roster ROSTER] [--jobs N]

Runs every sample through the same decisions as ``attest extract --json``, each judged
alone against an empty state (as its expected result is written), and prints per family
how many fields are right, then every mismatch. Exit code 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attest_pipeline.testing.accuracy import measure

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "samples")
    parser.add_argument("--roster", type=Path, default=ROOT / "samples" / "roster.csv")
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
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

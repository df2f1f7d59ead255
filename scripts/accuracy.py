"""Print the accuracy report of the pipeline on the sample corpus (or another corpus).

Usage: python scripts/accuracy.py [CORPUS] [--roster ROSTER]

Runs every sample through the same decisions as ``attest extract --json``, each judged
alone against an empty state (as its expected result is written), and prints per family
how many fields are right, then every mismatch. Exit code 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from attest_pipeline.config import PluginSettings, load_config
from attest_pipeline.pipeline import Pipeline
from attest_pipeline.registry import load_registry
from attest_pipeline.testing.accuracy import AccuracyReport, compare, load_expected

ROOT = Path(__file__).resolve().parent.parent


def measure(corpus: Path, roster: Path, *, jobs: int = 1) -> AccuracyReport:
    """Run the corpus through a fresh pipeline and compare with the expected results."""
    samples = load_expected(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.toml"
        config_path.write_text(
            "[paths]\n"
            f'inbox = "inbox"\ndossiers = "dossiers"\nreview = "review"\n'
            f'quarantine = "quarantine"\nstate = "state"\nroster = "{roster}"\n',
            encoding="utf-8",
        )
        config = load_config(config_path)
        registry = load_registry(
            PluginSettings(template_dirs=(ROOT / "plugins" / "templates",), entry_points=False)
        )
        pipeline = Pipeline(config, registry)
        records = [
            r.to_json()
            for r in pipeline.extract([pdf for pdf, _ in samples], jobs=jobs, cumulative=False)
        ]
    return compare(samples, records, corpus)


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "samples")
    parser.add_argument("--roster", type=Path, default=ROOT / "samples" / "roster.csv")
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    report = measure(args.corpus.resolve(), args.roster.resolve(), jobs=args.jobs)
    print(report.format())
    return 0 if report.perfect else 1


if __name__ == "__main__":
    sys.exit(main())

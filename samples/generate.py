"""Regenerate the sample corpus of attestation PDFs with their expected results.

    python samples/generate.py [--out DIR] [--seed N]
    python samples/generate.py --bulk N --out DIR     # N valid one-page attestations
    python samples/generate.py --variations N --seed S --out DIR   # N drawn along axes

Reproducible: the same seed gives the same bytes. Importable (the benchmark does):
:func:`generate_corpus` and :func:`generate_bulk`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from gen.bulk import generate_bulk, generate_congress  # noqa: E402
from gen.corpus import DEFAULT_SEED, generate_corpus  # noqa: E402
from gen.variations import generate_variations  # noqa: E402

__all__ = [
    "DEFAULT_SEED",
    "generate_bulk",
    "generate_congress",
    "generate_corpus",
    "generate_variations",
]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--bulk", type=int, default=0, metavar="N",
                        help="write N bulk attestations instead of the corpus")
    parser.add_argument("--variations", type=int, default=0, metavar="N",
                        help="write N documents drawn along the variation axes")
    args = parser.parse_args(argv)
    if args.variations:
        paths = generate_variations(args.out, args.variations, args.seed)
        print(f"{len(paths)} variation documents written to {args.out}")
        return 0
    if args.bulk:
        paths = generate_bulk(args.out, args.bulk, args.seed)
        print(f"{len(paths)} bulk attestations written to {args.out}")
        return 0
    paths = generate_corpus(args.out, args.seed)
    print(f"{len(paths)} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

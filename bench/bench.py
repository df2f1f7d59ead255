"""Throughput and memory of attest-pipeline on N generated attestations.

Usage: python bench/bench.py N [N ...] [--out DIR] [--keep]

For each N: generates N one-page attestations of the sample roster's physicians (the sample
generator's bulk mode), then measures, on the same files:

- bare text extraction with pypdfium2 (the fastest extractor at hand): the reference;
- ``attest extract --json`` on one core (``--jobs 1``) and on all cores (``--jobs 0``);
- ``attest run`` (durable filing: fsync, SQLite WAL) on one core and on all cores;
- the peak memory (max RSS of the command and its worker processes);
- ``attest --help`` start-up time, and ``attest extract FILE`` on one file, start to exit
  (median of 10 runs, beside ``python -c pass``);
- every throughput as a ratio of the bare extraction measured in the same run (this
  machine is shared and noisy: only ratios compare between runs);
- the accuracy on the sample corpus (``scripts/accuracy.py``), printed beside the speed.

With ``--roster-entries M``: the roster search (the roster as evidence) with a roster of M
physicians (the sample roster plus generated names): the time to build its index, the time
to search one document's text, against the 42-entry sample roster, and ``attest extract
--json --jobs 1`` with that roster.

Each measurement runs the real command in a fresh process, on compiled modules (the
``__pycache__`` a normal install has, even where ``PYTHONDONTWRITEBYTECODE`` is set).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_MEASURE = r"""
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - started
# Children only: this process's own peak includes the moment it was a fork of the
# benchmark, before exec, and would report the benchmark's size.
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, the largest of the command's processes)."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]) / 1024


def bare_extraction(files: list[Path]) -> float:
    """Seconds pypdfium2 takes to extract the text of every page of ``files``."""
    import pypdfium2 as pdfium

    started = time.perf_counter()
    for path in files:
        pdf = pdfium.PdfDocument(path.read_bytes())
        for page in pdf:
            page.get_textpage().get_text_bounded()
        pdf.close()
    return time.perf_counter() - started


def median_seconds(command: list[str], cwd: Path, runs: int = 10) -> float:
    """Median wall seconds of ``command``, start to exit, over ``runs`` runs."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def accuracy() -> str:
    """The accuracy on the sample corpus, as tests/test_accuracy.py measures it, one line."""
    from attest_pipeline.testing.accuracy import AccuracyReport, measure

    samples, roster = ROOT / "samples", ROOT / "samples" / "roster.csv"
    templates = (ROOT / "plugins" / "templates",)

    def summary(report: AccuracyReport) -> str:
        off = len({m.sample for m in report.mismatches})
        return (
            f"{report.attestations} attestations, {off} sample(s) off, "
            f"{len(report.wrong_filings)} wrong filing(s)"
        )

    text = measure(samples, roster, template_dirs=templates, jobs=0, exclude=["scanned"])
    scans = measure(samples / "scanned", roster, template_dirs=templates, jobs=0)
    return f"accuracy: text samples {summary(text)}; scans (OCR) {summary(scans)}"


def generator() -> object:
    """The sample generator module (samples/generate.py)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "samples" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "samples"))
    spec.loader.exec_module(module)
    return module


def write_config(root: Path, roster: Path | None = None) -> Path:
    """A configuration with its own folders, a roster (the sample's) and the templates."""
    path = root / "config.toml"
    path.write_text(
        "[paths]\n"
        'inbox = "inbox"\ndossiers = "dossiers"\nreview = "review"\n'
        'quarantine = "quarantine"\nstate = "state"\n'
        f'roster = "{roster or ROOT / "samples" / "roster.csv"}"\n'
        "[plugins]\n"
        f'template_dirs = ["{ROOT / "plugins" / "templates"}"]\n',
        encoding="utf-8",
    )
    return path


_FAMILY = (
    (
        "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL "
        "LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE "
        "ROUSSEAU VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER "
        "FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU "
        "GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER DUFOUR MEUNIER BRUN "
        "BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GERARD ROCHE "
        "RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD "
        "DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE BENOIT REY LECLERC PAYET ROLLAND LECLERCQ "
        "GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT BERGER CARPENTIER SANCHEZ DUPUIS MOULIN "
        "LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN JACQUET ADAM PARIS POIRIER "
        "MARTY AUBRY GUYOT CARRE CHARLES RENAULT CHARPENTIER MENARD MAILLARD BARON BERTIN BAILLY "
        "HERVE SCHNEIDER FERNANDEZ LE GALL COLLET LEGER BOUVIER JULIEN PREVOST MILLET PERROT "
        "DANIEL LE ROUX COUSIN GERMAIN BRETON BESSON LANGLOIS REMY LE GOFF PELLETIER LEVEQUE "
        "PERRIER LEBLANC BARRE LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER JACOB MONNIER MICHAUD "
        "RODRIGUEZ GUICHARD GILLET ETIENNE GRONDIN POULAIN TESSIER CHEVALLIER COLLIN CHAUVIN "
        "DA SILVA "
        "BOUCHET GAY LEMAITRE BENARD MARECHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET BARTHELEMY "
        "CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE N'DIAYE NGUYEN"
    )
    .replace("LE ", "LE_")
    .replace("DA ", "DA_")
)
_FIRST = (
    "Marie Jean Pierre Michel Philippe Nathalie Isabelle Sylvie Catherine Françoise Alain "
    "Nicolas Christophe Patrick Stéphane Sophie Christine Valérie Laurent Frédéric Julien "
    "Thomas Camille Léa Manon Chloé Emma Inès Sarah Lucas Hugo Louis Gabriel Arthur Jules "
    "Anne-Sophie Jean-Pierre Marie-Claire Jean-Baptiste Pierre-Yves Aminata Karim Yasmine "
    "Élise Hélène Étienne Zoé Raphaël Maëlle Benoît Océane Jérôme Sébastien Cécile Thibault "
    "Guillaume Agathe Mathieu Anna Elena Gaëlle Claire Paul Antoine Caroline Aurélie Émilie "
    "Mélanie Laetitia Sandrine Véronique Olivier David Éric Bruno Didier Thierry Vincent"
)
_SYLLABLES = "ba be bi bo ca ce ci co da de di do la le li lo ma me mi mo na ne ni no ra re ri ro"


def big_roster(entries: int, path: Path) -> Path:
    """A roster CSV of ``entries`` physicians: the sample roster, then generated names.

    Family names are common French ones (with compound, married and particle names), or made
    of syllables, so that the index holds as many distinct names as a national roster.
    """
    import random

    generator()  # puts samples/ on the path
    people = importlib.import_module("gen.people")
    rng = random.Random(20261201)
    families = [f.replace("_", " ") for f in _FAMILY.split()]
    firsts, syllables = _FIRST.split(), _SYLLABLES.split()
    sample = (ROOT / "samples" / "roster.csv").read_text(encoding="utf-8").splitlines()
    lines = ["rpps,last_name,first_name"] + [",".join(row.split(",")[:3]) for row in sample[1:]]
    seen = {line.split(",")[0] for line in lines}
    while len(lines) <= entries:
        rpps = people.make_rpps(rng)
        if rpps in seen:
            continue
        seen.add(rpps)
        kind = rng.random()
        if kind < 0.5:
            family = rng.choice(families)
        elif kind < 0.8:
            family = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).upper()
        elif kind < 0.9:
            family = f"{rng.choice(families)}-{rng.choice(families)}"
        else:
            family = f"{rng.choice(families)} épouse {rng.choice(families)}"
        lines.append(f'{rpps},"{family}",{rng.choice(firsts)}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def roster_search_bench(entries: int, files: list[Path], out: Path) -> dict[str, object]:
    """Index build time and search time per document with a roster of ``entries``."""
    from attest_pipeline.reading import read_pdf
    from attest_pipeline.roster import load_roster

    texts = [read_pdf(path.read_bytes()).text for path in files]
    result: dict[str, object] = {"roster_entries": entries, "documents": len(texts)}
    for label, path in (
        ("sample roster", ROOT / "samples" / "roster.csv"),
        (f"{entries} entries", big_roster(entries, out / f"roster-{entries}.csv")),
    ):
        roster = load_roster(path)
        started = time.perf_counter()
        roster.search("")
        result[f"index_build_s ({label})"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        found = sum(len(roster.search(text).sightings) for text in texts)
        seconds = time.perf_counter() - started
        result[f"search_ms_per_document ({label})"] = round(1000 * seconds / len(texts), 3)
        result[f"sightings ({label})"] = found
    work = out / f"extract-roster-{entries}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config = write_config(work, roster=out / f"roster-{entries}.csv")
    attest = [sys.executable, "-m", "attest_pipeline", "--config", str(config)]
    seconds, peak = measure([*attest, "extract", "--json", "--jobs", "1", *map(str, files)], work)
    result[f"extract_docs_per_s (1 core, {entries} entries)"] = round(len(files) / seconds, 1)
    result[f"extract_peak_mib (1 core, {entries} entries)"] = round(peak, 1)
    return result


def bench(n: int, out: Path) -> dict[str, object]:
    """All measurements for N documents."""
    corpus = out / f"corpus-{n}"
    if not corpus.exists():
        generator().generate_bulk(corpus, n)  # type: ignore[attr-defined]
    files = sorted(corpus.rglob("*.pdf"))
    attest = [sys.executable, "-m", "attest_pipeline"]
    result: dict[str, object] = {"n": len(files)}
    bare = bare_extraction(files)
    result["bare_extraction_docs_per_s"] = round(len(files) / bare, 1)
    for jobs in (1, 0):
        label = "1 core" if jobs == 1 else "all cores"
        work = out / f"extract-{n}-{jobs}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        config = write_config(work)
        seconds, peak = measure(
            [
                *attest,
                "--config",
                str(config),
                "extract",
                "--json",
                "--jobs",
                str(jobs),
                *map(str, files),
            ],
            work,
        )
        result[f"extract_docs_per_s ({label})"] = round(len(files) / seconds, 1)
        result[f"extract_peak_mib ({label})"] = round(peak, 1)

        work = out / f"run-{n}-{jobs}"
        shutil.rmtree(work, ignore_errors=True)
        (work / "inbox").mkdir(parents=True)
        config = write_config(work)
        for i, path in enumerate(files):
            shutil.copyfile(path, work / "inbox" / f"{i:06d}.pdf")
        seconds, peak = measure(
            [*attest, "--config", str(config), "run", "--jobs", str(jobs)], work
        )
        result[f"run_docs_per_s ({label})"] = round(len(files) / seconds, 1)
        result[f"run_peak_mib ({label})"] = round(peak, 1)
        shutil.rmtree(work, ignore_errors=True)
    result["help_seconds"] = round(median_seconds([*attest, "--help"], ROOT), 3)
    config = write_config(out)
    one = [*attest, "--config", str(config), "extract", str(files[0])]
    result["extract_one_file_seconds"] = round(median_seconds(one, out), 3)
    result["python_c_pass_seconds"] = round(median_seconds([sys.executable, "-c", "pass"], out), 3)
    floor = len(files) / bare
    for key in [k for k in result if "docs_per_s (" in k]:
        rate = result[key]
        assert isinstance(rate, float)
        result[key.replace("docs_per_s", "x_bare")] = round(rate / floor, 2)
    return result


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of attestations")
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument(
        "--roster-entries", type=int, default=0, help="also measure the roster search at M entries"
    )
    parser.add_argument("--only-roster", action="store_true", help="measure only the roster search")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="attest-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    # Compiled once, as an installation is: each command then starts as a user's does.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src"), str(ROOT / "plugins")],
        check=True,
    )
    try:
        for n in args.sizes:
            if not args.only_roster:
                print(json.dumps(bench(n, out), indent=2), flush=True)
            if args.roster_entries:
                corpus = out / f"corpus-{n}"
                if not corpus.exists():
                    generator().generate_bulk(corpus, n)  # type: ignore[attr-defined]
                files = sorted(corpus.rglob("*.pdf"))
                measured = roster_search_bench(args.roster_entries, files, out)
                print(json.dumps(measured, indent=2), flush=True)
        if not args.only_roster:
            print(accuracy(), flush=True)
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

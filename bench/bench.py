"""Throughput and memory of attest-pipeline on N generated attestations.

Usage: python bench/bench.py N [N ...] [--rounds R] [--against SRC] [--out DIR] [--keep]

For each N: generates N one-page attestations of the sample roster's physicians (the sample
generator's bulk mode), then measures, on the same files, R rounds (default 3) of:

- bare text extraction with pypdfium2 (open, text of each page, close; in a fresh process,
  the loop alone): the floor;
- the peer, invoice2data with its pdfium reader and three issuer templates
  (``bench/invoice2data``, fields only: ``bench/peer.py``), when it is installed (the
  ``bench`` extra);
- ``attest extract --json`` on one core (``--jobs 1``) and on all cores (``--jobs 0``);
- ``attest run`` (durable filing: fsync, SQLite WAL) on one core and on all cores;
- the peak memory (max RSS of the command and its worker processes);

Then ``attest --help`` start-up time, and ``attest extract FILE`` on one file, start to exit
(median of 10 runs, beside ``python -c pass``). Every throughput is also given as a ratio of
the floor measured in the same round (this machine is shared and noisy: only ratios
compare), each round's and their median; beside them, how many fields the peer got right
and the accuracy on the sample corpus (``scripts/accuracy.py``).

With ``--against SRC`` (another checkout's ``src`` folder: the code before a change), every
``attest`` measurement is made for that code too, in the same rounds, labelled ``before``.

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
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The peer's issuer templates (see bench/peer.py).
PEER_TEMPLATES = ROOT / "bench" / "invoice2data"

_MEASURE = r"""
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - started
# Children only: this process's own peak includes the moment it was a fork of the
# benchmark, before exec, and would report the benchmark's size.
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def code_env(src: Path | None) -> dict[str, str] | None:
    """The environment that runs the attest-pipeline of the source folder ``src``.

    ``None``: this tree's (the installed one). With ``--against``, the code of another
    checkout (its ``src``, and its ``plugins`` beside) is measured beside it, round after
    round.
    """
    if src is None:
        return None
    # The built-in plugins of that checkout too: they are built on its engine.
    paths = [src.resolve(), (src / ".." / "plugins").resolve()]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths if p.is_dir())}


def measure(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, the largest of the command's processes)."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    return float(out[0]), float(out[1]) / 1024


_BARE = r"""
import sys, time
import pypdfium2 as pdfium
files = open(sys.argv[1], encoding="utf-8").read().splitlines()
started = time.perf_counter()
for path in files:
    pdf = pdfium.PdfDocument(path)
    for index in range(len(pdf)):
        page = pdf[index]
        text = page.get_textpage()
        text.get_text_bounded()
        text.close()
        page.close()
    pdf.close()
print(time.perf_counter() - started)
"""


def bare_extraction(listing: Path) -> float:
    """Seconds pypdfium2 takes to open, extract the text of every page and close each file.

    In a fresh process (the benchmark's own, full of the generator's objects, measured it
    up to 2.5 times slower), timing the loop alone: no start-up, the floor at its lowest.
    """
    out = subprocess.run(
        [sys.executable, "-c", _BARE, str(listing)], check=True, capture_output=True, text=True
    ).stdout
    return float(out)


def peer_accuracy(results: Path) -> dict[str, int]:
    """How many fields invoice2data got right, against the generator's expected results.

    On the attestations of the three families its templates cover: the family (its
    template), the participant's family name, the first date, and the RPPS where the
    attestation prints it.
    """
    counts = dict.fromkeys(
        ("attestations", "family", "last_name", "start", "rpps_printed", "rpps"), 0
    )
    for line in results.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        path = Path(item["file"])
        family = path.stem.split("_", 2)[2]
        if f"{family}.yml" not in {p.name for p in PEER_TEMPLATES.glob("*.yml")}:
            continue
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        attestation = expected["attestations"][0]
        person, fields = attestation["participant"], item["fields"]
        counts["attestations"] += 1
        counts["family"] += fields.get("template_name") == f"{family}.yml"
        counts["last_name"] += fields.get("last_name") == person["last_name"]
        start = str(fields.get("start", ""))
        counts["start"] += "-".join(reversed(start.split("/"))) == attestation["start"]
        if person["rpps"] and _prints(path, person["rpps"]):
            counts["rpps_printed"] += 1
            counts["rpps"] += fields.get("rpps") == person["rpps"]
    return counts


def _prints(path: Path, text: str) -> bool:
    """Whether the PDF's text layer holds ``text``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return any(text in page.get_textpage().get_text_bounded() for page in pdf)
    finally:
        pdf.close()


def median_seconds(
    command: list[str], cwd: Path, runs: int = 10, envs: Sequence[dict[str, str] | None] = (None,)
) -> list[float]:
    """Median wall seconds of ``command``, start to exit, over ``runs`` runs, in each ``envs``.

    The environments take turns, run after run, so that the load moves them alike.
    """
    times: list[list[float]] = [[] for _ in envs]
    for _ in range(runs):
        for env, kept in zip(envs, times, strict=True):
            started = time.perf_counter()
            subprocess.run(
                command,
                cwd=cwd,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            kept.append(time.perf_counter() - started)
    return [statistics.median(kept) for kept in times]


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


def bench(
    n: int, out: Path, rounds: int = 3, against: Path | None = None
) -> dict[str, object]:
    """All measurements for N documents, ``rounds`` times in turn (medians reported).

    On a shared machine the load changes from one minute to the next: each round measures
    the floor and every command one after the other, each ratio is taken within its round,
    and the median of the rounds is reported. With ``against`` (another checkout's
    ``src``), each round measures that code's commands too, labelled ``before``.
    """
    codes: list[tuple[str, Path | None]] = [("", None)]
    if against is not None:
        codes.append(("before, ", against))
    corpus = out / f"corpus-{n}"
    if not corpus.exists():
        generator().generate_bulk(corpus, n)  # type: ignore[attr-defined]
    files = sorted(corpus.rglob("*.pdf"))
    listing = out / f"files-{n}.txt"
    listing.write_text("".join(f"{path}\n" for path in files), encoding="utf-8")
    attest = [sys.executable, "-m", "attest_pipeline"]
    peer = importlib.util.find_spec("invoice2data") is not None
    rates: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    peaks: dict[str, list[float]] = {}
    loads = []
    for _ in range(rounds):
        loads.append(os.getloadavg()[0])
        measured: dict[str, tuple[float, float | None]] = {
            "bare_extraction": (bare_extraction(listing), None)
        }
        if peer:
            results = out / f"peer-{n}.jsonl"
            measured["invoice2data (1 core)"] = measure(
                [sys.executable, str(ROOT / "bench" / "peer.py"), str(listing), str(results)],
                out,
            )
        for code, src in codes:
            env = code_env(src)
            for jobs in (1, 0):
                label = f"{code}1 core" if jobs == 1 else f"{code}all cores"
                work = out / f"extract-{n}-{jobs}"
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
                config = write_config(work)
                measured[f"extract ({label})"] = measure(
                    [
                        *attest, "--config", str(config), "extract", "--json",
                        "--jobs", str(jobs), "--from-file", str(listing),
                    ],
                    work,
                    env,
                )
                work = out / f"run-{n}-{jobs}"
                shutil.rmtree(work, ignore_errors=True)
                (work / "inbox").mkdir(parents=True)
                config = write_config(work)
                for i, path in enumerate(files):
                    shutil.copyfile(path, work / "inbox" / f"{i:06d}.pdf")
                measured[f"run ({label})"] = measure(
                    [*attest, "--config", str(config), "run", "--jobs", str(jobs)], work, env
                )
                shutil.rmtree(work, ignore_errors=True)
        floor = len(files) / measured["bare_extraction"][0]
        for key, (seconds, peak) in measured.items():
            rate = len(files) / seconds
            rates.setdefault(key, []).append(rate)
            ratios.setdefault(key, []).append(rate / floor)
            if peak is not None:
                peaks.setdefault(key, []).append(peak)
    loads.append(os.getloadavg()[0])
    result: dict[str, object] = {"n": len(files), "rounds": rounds}
    result["load_average"] = f"{min(loads):.1f} to {max(loads):.1f}"
    for key in rates:
        result[f"{key} docs_per_s"] = round(statistics.median(rates[key]), 1)
        result[f"{key} x_bare"] = round(statistics.median(ratios[key]), 2)
        result[f"{key} x_bare, each round"] = [round(r, 2) for r in ratios[key]]
        if key in peaks:
            result[f"{key} peak_mib"] = round(max(peaks[key]), 1)
    if peer:
        result["invoice2data fields right"] = peer_accuracy(out / f"peer-{n}.jsonl")
    config = write_config(out)
    one = [*attest, "--config", str(config), "extract", str(files[0])]
    envs = [code_env(src) for _, src in codes]
    helps = median_seconds([*attest, "--help"], ROOT, envs=envs)
    ones = median_seconds(one, out, envs=envs)
    for (code, _), help_seconds, one_seconds in zip(codes, helps, ones, strict=True):
        result[f"{code}help_seconds"] = round(help_seconds, 3)
        result[f"{code}extract_one_file_seconds"] = round(one_seconds, 3)
    (bare_start,) = median_seconds([sys.executable, "-c", "pass"], out)
    result["python_c_pass_seconds"] = round(bare_start, 3)
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
    parser.add_argument("--rounds", type=int, default=3, help="rounds of measurements (median)")
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        metavar="SRC",
        help="also measure the code of this source folder (another checkout's src), in turn",
    )
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="attest-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    # Compiled once, as an installation is: each command then starts as a user's does.
    compiled = [ROOT / "src", ROOT / "plugins", *([args.against] if args.against else [])]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *map(str, compiled)], check=True)
    try:
        for n in args.sizes:
            if not args.only_roster:
                print(json.dumps(bench(n, out, args.rounds, args.against), indent=2), flush=True)
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

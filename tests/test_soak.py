"""The crash soak (scripts/soak.py), small: 3 SIGKILLs over 60 files; and its audit fails
when something is lost, doubled or left behind."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def load_soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", ROOT / "scripts" / "soak.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


soak = load_soak()


@pytest.fixture(scope="module")
def soaked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], object]:
    out = tmp_path_factory.mktemp("soak")
    corpus = soak.generate(out / "corpus", 60, 1)
    root = out / "install"
    report = soak.soak(corpus, root, kills=3, seed=3, jobs=2, say=lambda line: None)
    return root, corpus, report


def test_three_kills_over_sixty_files_lose_nothing(soaked: tuple[Path, list[Path], object]) -> None:
    _, corpus, report = soaked
    assert len(corpus) == 60
    assert report.problems == []
    assert sum(report.kills.values()) == 3
    assert report.kills["run"] >= 1 and report.kills["watch"] >= 1
    assert report.documents == 60
    assert sum(report.outcomes.values()) >= 60


def test_the_audit_sees_a_lost_a_changed_and_a_stray_file(
    soaked: tuple[Path, list[Path], object], tmp_path: Path
) -> None:
    root, corpus, _ = soaked
    filed = next((root / "dossiers").rglob("*.pdf"))
    original = filed.read_bytes()
    never_dropped = tmp_path / "never.pdf"
    never_dropped.write_bytes(b"%PDF-1.4 never dropped")
    stray = root / "review" / "stray.pdf"
    temporary = root / "quarantine" / ".x.pdf.part"
    try:
        filed.write_bytes(original[:-10])
        stray.parent.mkdir(exist_ok=True)
        stray.write_bytes(b"x")
        temporary.parent.mkdir(exist_ok=True)
        temporary.write_bytes(b"x")
        report = soak.Report(files=61)
        soak.audit(root, [*corpus, never_dropped], report)
    finally:
        filed.write_bytes(original)
        stray.unlink()
        temporary.unlink()
    problems = "\n".join(report.problems)
    assert "never.pdf: found 0 times in the database" in problems
    assert "does not hold its bytes" in problems
    assert "a file the database does not know: review/stray.pdf" in problems
    assert "temporary file left: quarantine/.x.pdf.part" in problems


def test_the_soak_command_prints_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert soak.main(["--files", "6", "--kills", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 files, 1 kills") and "OK: every check passed" in out

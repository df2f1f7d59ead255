from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from attest_pipeline import scaffold
from attest_pipeline.config import PluginSettings
from attest_pipeline.errors import UsageError
from attest_pipeline.issuers import check_data_file
from attest_pipeline.registry import load_registry
from attest_pipeline.scaffold import package_name, write_plugin


def run_tests(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the generated package's own tests, from its folder, without installing it."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_writes_a_complete_package(tmp_path: Path) -> None:
    root = write_plugin("cpts-iroise", tmp_path)
    assert root == tmp_path / "attest-plugin-cpts-iroise"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        "samples/sample-1.json",
        "samples/sample-1.pdf",
        "samples/sample-1.txt",
        "src/attest_plugin_cpts_iroise/__init__.py",
        "src/attest_plugin_cpts_iroise/issuer.toml",
        "src/attest_plugin_cpts_iroise/py.typed",
        "tests/test_plugin.py",
    ]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "attest-plugin-cpts-iroise"
    assert project["project"]["dependencies"] == ["attest-pipeline>=0.1"]
    assert project["project"]["entry-points"]["attest_pipeline.plugins"] == {
        "cpts-iroise": "attest_plugin_cpts_iroise"
    }
    module = (root / "src/attest_plugin_cpts_iroise/__init__.py").read_text(encoding="utf-8")
    assert "class CptsIroiseIssuer(DataIssuer):" in module
    assert "@hookimpl" in module
    assert '    data_file = resources.files(__name__) / "issuer.toml"' in module
    assert "    def complete(self, reading: Reading) -> None:" in module
    # The data file is one the engine accepts, whole (its regexes compiled).
    assert check_data_file(root / "src/attest_plugin_cpts_iroise/issuer.toml") is None
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "attest plugins" in readme and "attest extract --explain" in readme


def test_the_generated_package_passes_its_own_tests_and_lint(tmp_path: Path) -> None:
    root = write_plugin("medsud", tmp_path)
    result = run_tests(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=root, capture_output=True, text=True, timeout=60, check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_without_reportlab_the_sample_stays_text_and_the_tests_build_its_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scaffold, "_sample_pdf", lambda text: None)
    root = write_plugin("textonly", tmp_path)
    assert not (root / "samples/sample-1.pdf").exists()
    assert (root / "samples/sample-1.txt").is_file()
    assert "the tests build its PDF" in (root / "README.md").read_text(encoding="utf-8")
    result = run_tests(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    assert not (root / "samples/sample-1.pdf").exists()  # built in a temporary folder


def test_the_generated_plugin_loads_through_the_registry(tmp_path: Path) -> None:
    root = write_plugin("loadme", tmp_path)
    module = root / "src" / package_name("loadme") / "__init__.py"
    registry = load_registry(
        PluginSettings(entry_points=False), extra=[str(module)], builtins=False
    )
    assert [issuer.name for issuer in registry.issuers] == ["loadme"]
    (report,) = registry.reports
    assert (report.status, report.version) == ("loaded", "0.1.0")


@pytest.mark.parametrize(
    "name", ["", "Acme", "1acme", "acme--x", "acme-", "_acme", "ac me", "../acme", "a" * 41]
)
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="invalid plugin name"):
        write_plugin(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    existing = tmp_path / "attest-plugin-acme"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists"):
        write_plugin("acme", tmp_path)
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]


def test_package_name() -> None:
    assert package_name("cpts-iroise") == "attest_plugin_cpts_iroise"
    assert package_name("med_sud2") == "attest_plugin_med_sud2"


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("acme-formation", "Acme Formation"),
        ("medsud", "Medsud"),
        ("cpts_iroise-29", "Cpts Iroise 29"),
        ("formation-continue-ouest", "Formation Continue Ouest"),
        ("institut_formation", "Institut Formation"),
    ],
)
def test_the_organisation_is_named_by_the_words_of_the_plugin_name(
    tmp_path: Path, name: str, organisation: str
) -> None:
    root = write_plugin(name, tmp_path)
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["description"].endswith(f"attestations of {organisation}")
    sample = (root / "samples/sample-1.txt").read_text(encoding="utf-8")
    assert sample.splitlines()[0] == organisation
    module = (root / f"src/{package_name(name)}/__init__.py").read_text(encoding="utf-8")
    assert f'covers = "{organisation}: attestations' in module
    data = tomllib.loads((root / f"src/{package_name(name)}/issuer.toml").read_text("utf-8"))
    assert data["match"]["all"][0] == organisation
    assert data["fields"]["issuer"]["constant"] == organisation
    for text in (sample, module, (root / "README.md").read_text(encoding="utf-8")):
        assert "Formation Formation" not in text


def test_following_the_generated_readme_lists_the_plugin_as_loaded(tmp_path: Path) -> None:
    root = write_plugin("acme-formation", tmp_path)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "    pip install .\n    attest plugins" in readme
    site = tmp_path / "site"
    # `pip install .`, into a folder of its own and offline: the build tools are the test
    # extra's (no build isolation), the dependencies are this checkout's.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--target", str(site), "."],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ATTEST_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "attest_pipeline", "plugins", "--json"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr  # no config.toml in a plugin's package
    assert "configuration: built-in defaults" in result.stderr
    (report,) = [r for r in json.loads(result.stdout) if r["name"] == "acme-formation"]
    assert report["status"] == "loaded" and report["origin"] == "entry point"
    assert report["covers"] == "Acme Formation: attestations de fin de formation"

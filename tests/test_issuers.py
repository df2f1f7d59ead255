"""The issuer engine as a public package: documented, exported, no I/O at import."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import attest_pipeline.issuers as issuers
from attest_pipeline.issuers import DataIssuer, check_data_file, fields, schema
from attest_pipeline.testing import builtin_issuers

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
BUILTIN_DATA = sorted(resources.files("attest_plugins").joinpath("data").iterdir(), key=str)


@pytest.mark.parametrize("name", issuers.__all__)
def test_every_public_name_is_documented_in_the_guide(name: str) -> None:
    assert f"`{name}" in GUIDE, f"{name} is exported by attest_pipeline.issuers but not in docs"


def test_the_package_exports_every_public_name_of_its_modules() -> None:
    for module in pkgutil.iter_modules(issuers.__path__):
        if not module.name.startswith("_"):
            names = importlib.import_module(f"attest_pipeline.issuers.{module.name}").__all__
            assert set(names) <= set(issuers.__all__), module.name


@pytest.mark.parametrize("name", issuers.__all__)
def test_every_public_name_has_a_docstring(name: str) -> None:
    value = getattr(issuers, name)
    if inspect.isclass(value):
        assert inspect.getdoc(value), name
        for member, function in inspect.getmembers(value, inspect.isfunction):
            if not member.startswith("_") and function.__module__.startswith("attest_pipeline"):
                assert inspect.getdoc(function), f"{name}.{member}"
    elif callable(value):
        assert value.__doc__, name  # functions, cached ones included
    else:
        assert name in ("HELPERS", "COMMON_FILE", "DEFAULT_SCORE"), f"{name}: not documented"


def test_the_guide_documents_every_key_table_and_helper() -> None:
    keys = (
        set(schema._KEYS)
        | set().union(*schema._KEYS.values())
        | schema._MARKER_KEYS
        | schema._DEFER_KEYS
        | schema._RULE_KEYS
        | fields._FIELD_KEYS
        | schema._TOP_KEYS
        | set(issuers.HELPERS)
    )
    undocumented = sorted(
        k for k in keys if not any(form in GUIDE for form in (f"`{k}`", f"{k} =", f"`[{k}]`"))
    )
    assert undocumented == []


@pytest.mark.parametrize("path", BUILTIN_DATA, ids=lambda p: p.name)
def test_the_builtin_data_files_are_valid(path: Path) -> None:
    assert check_data_file(path) is None


def test_every_builtin_issuer_reads_a_checked_data_file() -> None:
    issuers_ = [issuer for issuer in builtin_issuers() if isinstance(issuer, DataIssuer)]
    files = {str(issuer.data_file) for issuer in issuers_}
    assert files == {str(path) for path in BUILTIN_DATA}


def test_importing_the_plugins_and_the_engine_reads_no_file() -> None:
    # A fresh interpreter: nothing of this test session's caches.
    code = """
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
import attest_pipeline.issuers, attest_plugins
from attest_plugins import BUILTIN_PLUGINS
import importlib
for name in BUILTIN_PLUGINS:
    importlib.import_module(name)
print("\\n".join(p for p in opened if p.endswith(".toml")))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_the_engines_shared_rules_are_read_and_checked() -> None:
    rules = issuers.common_rules.__wrapped__()  # read afresh, not from the cache
    assert set(rules.exclusions) == {"invoice", "convention", "programme", "registration"}
    assert {"andpc", "andpc_action", "university"} <= set(rules.signatures)
    assert rules.exclusions["invoice"].minimum == 2 and rules.exclusions["invoice"].unless is None
    assert "rpps" in rules.label_words


@pytest.mark.parametrize(
    "text",
    [
        "attestation de presence",
        "le docteur a bien participe a la formation",
        "je certifie que",
        "programme de la formation, tarifs",
        "this is to certify that dr x has attended",
        "",
    ],
)
def test_a_text_speaks_as_an_attestation_by_any_of_the_wordings(text: str) -> None:
    rules = issuers.common_rules()
    joined = re.compile("|".join(f"(?:{p.pattern})" for p in rules.wording), re.MULTILINE)
    assert rules.worded(text) is (joined.search(text) is not None)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("university", "le diplome inter-universitaire d'universite de la faculte"),
        ("university", "faculte de medecine, attestation de reussite au diu"),
        ("andpc", "action de dpc n° 1 enregistree aupres de l'andpc, odpc 1234"),
        ("andpc", "rien de tel ici"),
        ("congress", "les journees nationales du congres"),
    ],
)
def test_a_signature_is_found_where_one_regex_of_its_patterns_would(name: str, text: str) -> None:
    # The leftmost match, and at one place the pattern listed first (here the shorter).
    rules = issuers.common_rules()
    patterns = rules.signatures[name]
    joined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.MULTILINE)
    found, expected = rules.signature(name, text), joined.search(text)
    assert (found and found.span()) == (expected and expected.span())

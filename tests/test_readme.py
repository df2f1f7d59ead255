"""The README documents every command, reason code and configuration key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from attest_pipeline.cli import cli
from attest_pipeline.config import (
    MailAccount,
    MailConfig,
    OcrConfig,
    Paths,
    PluginSettings,
    ServeConfig,
    WatchConfig,
)
from attest_pipeline.reasons import DESCRIPTIONS, Reason

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
#: ``attest NAME`` wherever the README shows a command (prose, tables, code blocks).
NAMED = sorted(set(re.findall(r"(?<![\w/.-])attest ([a-z][a-z-]*)", README)))


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_code_is_documented(reason: Reason) -> None:
    assert f"`{reason.value}`" in README
    assert DESCRIPTIONS[reason]


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"`attest {command}" in README


def test_the_readme_names_commands() -> None:
    assert {"run", "watch", "extract"} <= set(NAMED)


@pytest.mark.parametrize("command", NAMED)
def test_every_command_the_readme_names_exists(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {command} " in result.output


@pytest.mark.parametrize(
    ("section", "keys"),
    [
        ("plugins", PluginSettings.__dataclass_fields__),
        ("ocr", OcrConfig.__dataclass_fields__),
        ("watch", WatchConfig.__dataclass_fields__),
        ("mail", MailConfig.__dataclass_fields__),
        ("[mail.accounts]", MailAccount.__dataclass_fields__),
        ("serve", ServeConfig.__dataclass_fields__),
    ],
)
def test_every_config_key_is_documented(section: str, keys: dict[str, object]) -> None:
    row = next(line for line in README.splitlines() if line.startswith(f"| `[{section}]"))
    for key in keys:
        assert f"`{key}`" in row or f"`[{section}] {key}`" in row, (section, key)


@pytest.mark.parametrize("key", ["max_pages", "memory", "document_timeout"])
def test_every_limit_is_documented(key: str) -> None:
    # The limits are fields of Config itself, not of a section's dataclass.
    from attest_pipeline.config import Config

    assert key in Config.__dataclass_fields__
    assert f"| `[limits] {key}` |" in README


@pytest.mark.parametrize("key", Paths.__dataclass_fields__)
def test_every_paths_key_is_documented(key: str) -> None:
    rows = [line for line in README.splitlines() if line.startswith("| `[paths]")]
    assert any(f"`[paths] {key}`" in row or f"`{key}`" in row.split("|")[1] for row in rows)


def _guarantees() -> str:
    return README.split("## Guarantees", 1)[1].split("\n## ", 1)[0]


#: ``file.py::test_name`` wherever the Guarantees section names a test.
CITED = sorted(set(re.findall(r"(test_\w+\.py)::(test_\w+)", _guarantees())))


def test_the_guarantees_cite_tests() -> None:
    assert len(CITED) >= 10


@pytest.mark.parametrize(("module", "name"), CITED)
def test_every_test_the_guarantees_cite_exists(module: str, name: str) -> None:
    source = (Path(__file__).resolve().parent / module).read_text(encoding="utf-8")
    assert re.search(rf"^def {name}\(", source, re.M), f"{module} has no {name}"

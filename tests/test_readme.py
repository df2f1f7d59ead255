"""The README documents every command, reason code and configuration key."""

from __future__ import annotations

from pathlib import Path

import pytest

from attest_pipeline.cli import cli
from attest_pipeline.config import (
    MailAccount,
    MailConfig,
    OcrConfig,
    PluginSettings,
    WatchConfig,
)
from attest_pipeline.reasons import DESCRIPTIONS, Reason

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_code_is_documented(reason: Reason) -> None:
    assert f"`{reason.value}`" in README
    assert DESCRIPTIONS[reason]


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"`attest {command}" in README


@pytest.mark.parametrize(
    ("section", "keys"),
    [
        ("plugins", PluginSettings.__dataclass_fields__),
        ("ocr", OcrConfig.__dataclass_fields__),
        ("watch", WatchConfig.__dataclass_fields__),
        ("mail", MailConfig.__dataclass_fields__),
        ("[mail.accounts]", MailAccount.__dataclass_fields__),
    ],
)
def test_every_config_key_is_documented(section: str, keys: dict[str, object]) -> None:
    row = next(line for line in README.splitlines() if line.startswith(f"| `[{section}]"))
    for key in keys:
        assert f"`{key}`" in row or f"`[{section}] {key}`" in row, (section, key)

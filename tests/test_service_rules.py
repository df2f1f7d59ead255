"""The certification and DPC rules are data: loaded, checked, and refused when malformed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.errors import ConfigError
from attest_pipeline.service.rules import (
    DEFAULT_CERTIFICATION,
    DEFAULT_DPC,
    load_certification,
    load_dpc,
)


def test_the_shipped_certification_rules() -> None:
    rules = load_certification()
    assert rules.required_per_bloc == 2 and rules.cycle_years == 6
    assert (rules.assumed_cycle.start, rules.assumed_cycle.end) == (
        date(2023, 1, 1),
        date(2031, 12, 31),
    )
    assert rules.at_risk_elapsed_fraction == 0.5 and rules.at_risk_remaining_days == 365


def test_the_shipped_dpc_rules() -> None:
    rules = load_dpc()
    assert [p.name for p in rules.periods] == ["2023-2025", "2026-2028"]
    assert set(rules.types) == {"formation_continue", "epp", "gestion_risques"}
    assert rules.natures["programme_integre"] == ("formation_continue", "epp")
    assert rules.min_types == 2


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('assumed_cycle = "2023"', 'assumed_cycle = "2099"', "names no \\[\\[cycles\\]\\] entry"),
        ("remaining_days", "remaining_day", r":\d+: \[at_risk\] remaining_day is unknown"),
        ("required_per_bloc = 2", 'required_per_bloc = "2"', "must be a whole number"),
        ("elapsed_fraction = 0.5", "elapsed_fraction = 1.5", "between 0 and 1"),
        ("end = 2031-12-31", "end = 2020-12-31", "ends before it starts"),
        ("cycle_years = 6", "cycle_years = [", "malformed TOML"),
    ],
)
def test_malformed_certification_rules_name_the_file(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_certification(edited(tmp_path, DEFAULT_CERTIFICATION, old, new))


def test_a_nature_counting_for_an_unknown_type_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, DEFAULT_DPC, 'epp = ["epp"]', 'epp = ["audit"]')
    with pytest.raises(ConfigError, match=r"dpc\.toml:\d+: \[natures\] epp must list type codes"):
        load_dpc(path)


def test_a_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rule file not found"):
        load_dpc(tmp_path / "nope.toml")

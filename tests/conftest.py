"""Shared fixtures: a configured workspace with its own inbox, folders and roster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from attest_pipeline.service import Workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEST_PLUGINS = Path(__file__).resolve().parent / "plugins"


def attest(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the ``attest`` command line in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "attest_pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def write_config(root: Path, roster: Path, **sections: dict[str, object]) -> Path:
    """Write a config.toml under ``root`` with its own folders; extra sections override."""
    values: dict[str, dict[str, object]] = {
        "paths": {
            "inbox": "inbox",
            "dossiers": "dossiers",
            "review": "review",
            "quarantine": "quarantine",
            "state": "state",
            "roster": str(roster),
        },
        "plugins": {"template_dirs": [], "entry_points": False, "timeout": 5.0},
        # A run takes a file once it is unchanged over the quiet period: short in tests.
        "watch": {"quiet_period": 0.05},
    }
    for name, section in sections.items():
        values.setdefault(name, {}).update(section)
    lines = []
    for name, section in values.items():
        lines.append(f"[{name}]")
        for key, value in section.items():
            lines.append(f"{key} = {_toml(value)}")
    path = root / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "inbox").mkdir(exist_ok=True)
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


ROSTER = """rpps,last_name,first_name
10005682603,DUPONT,Jean-Pierre
10101010105,MARTIN,Claire
"""


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


@pytest.fixture
def office(tmp_path: Path, roster: Path) -> Workspace:
    """A state filled by a real run (see :func:`tests.office.build_office`)."""
    from tests.office import build_office

    return build_office(tmp_path, roster)

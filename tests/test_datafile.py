"""Data files: the line of every key, typed getters, and the messages of real bad files."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from attest_pipeline import datafile
from attest_pipeline.config import SECTIONS, load_config
from attest_pipeline.datafile import DataFile
from attest_pipeline.errors import ConfigError
from attest_pipeline.mapping import DEFAULT_RULES, check_rules, load_rules
from attest_pipeline.referentiel import DEFAULT_REFERENTIEL, load_referentiel
from attest_pipeline.service.rules import (
    DEFAULT_CERTIFICATION,
    DEFAULT_DPC,
    load_certification,
    load_dpc,
)
from tests.conftest import attest, write_config

# --------------------------------------------------------------------------- lines

TRICKY = '''\
# a comment with [brackets] and key = "value"
title = "a # that is no comment"
"quoted key" = 1
dotted.inner = 'literal \\ backslash'
text = """
first line [not a table]
second = line
"""

[server]   # a table
ports = [
    8001,
    [1, 2],  # nested
    8002,
]
point = { x = 1, y = { z = "}" } }
when = 1979-05-27 07:32:00Z

[[fruit]]
name = "apple"

[fruit.physical]
colour = "red"

[[fruit.variety]]
name = "red delicious"

[[fruit]]
name = "banana"
literal = \'\'\'
two
lines\'\'\'
after = true
'''


@pytest.fixture
def tricky(tmp_path: Path) -> DataFile:
    path = tmp_path / "tricky.toml"
    path.write_text(TRICKY, encoding="utf-8")
    return DataFile.read(path)


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("title",), 2),
        (("quoted key",), 3),
        (("dotted",), 4),
        (("dotted", "inner"), 4),
        (("text",), 5),
        (("server",), 10),
        (("server", "ports"), 11),
        (("server", "ports", 0), 12),
        (("server", "ports", 1, 1), 13),
        (("server", "ports", 2), 14),
        (("server", "point", "y", "z"), 16),
        (("server", "when"), 17),
        (("fruit",), 19),
        (("fruit", 0, "name"), 20),
        (("fruit", 0, "physical", "colour"), 23),
        (("fruit", 0, "variety", 0, "name"), 26),
        (("fruit", 1), 28),
        (("fruit", 1, "literal"), 30),
        (("fruit", 1, "after"), 33),
    ],
)
def test_every_key_has_its_line(tricky: DataFile, path: tuple[str | int, ...], line: int) -> None:
    assert tricky.line(*path) == line


def test_a_missing_key_points_at_its_table(tricky: DataFile) -> None:
    assert tricky.line("fruit", 1, "colour") == 28
    assert tricky.line("absent") is None


def test_where_is_written_as_in_the_file(tricky: DataFile) -> None:
    assert tricky.where("fruit", 1, "name") == "[[fruit]] #2 name"
    assert tricky.where("fruit", 0, "physical", "colour") == "[fruit.physical] colour"
    assert tricky.where("server", "point", "y", "z") == "[server] point.y.z"
    assert tricky.where("server", "ports", 1) == "[server] ports #2"
    assert tricky.where("quoted key") == '"quoted key"'
    assert tricky.where() == ""


def test_every_toml_file_of_the_project_has_a_line_for_every_key() -> None:
    root = Path(__file__).resolve().parent.parent
    tracked = subprocess.run(
        ["git", "ls-files", "*.toml"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    paths = [root / name for name in tracked]
    assert {DEFAULT_REFERENTIEL, DEFAULT_RULES, DEFAULT_CERTIFICATION, DEFAULT_DPC} <= set(paths)
    for path in paths:
        file = DataFile.read(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        for key_path in _paths(file.root.data):
            line = file.line(*key_path)
            assert line is not None, key_path
            key = key_path[-1]
            if isinstance(key, str):
                assert key in lines[line - 1], (path, key_path, line)


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


# --------------------------------------------------------------------------- getters

SETTINGS = """\
[server]
host = "example.org"
port = "80"
ratio = -1
debug = "yes"
mode = "fast"
names = ["a", 2]
"""


@pytest.fixture
def server(tmp_path: Path) -> DataFile:
    path = tmp_path / "settings.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    return DataFile.read(path)


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda t: t.number("port"), "settings.toml:3: [server] port must be a number, not '80'"),
        (
            lambda t: t.number("ratio", minimum=0),
            "settings.toml:4: [server] ratio must be a number of at least 0, not -1",
        ),
        (lambda t: t.flag("debug"), "settings.toml:5: [server] debug must be true or false"),
        (
            lambda t: t.choice("mode", ("slow", "safe")),
            "settings.toml:6: [server] mode must be one of slow, safe, not 'fast'",
        ),
        (lambda t: t.texts("names"), "settings.toml:7: [server] names #2 must be a list of texts"),
        (lambda t: t.text("user"), "settings.toml:1: [server] user is required"),
        (lambda t: t.integer("host"), "settings.toml:2: [server] host must be a whole number"),
        (
            lambda t: t.check_keys(("host",)),
            "settings.toml:3: [server] port is unknown (known: host)",
        ),
    ],
)
def test_a_bad_value_names_file_line_key_and_what_was_expected(
    server: DataFile, read: object, message: str
) -> None:
    table = server.table("server")
    with pytest.raises(ConfigError) as caught:
        read(table)  # type: ignore[operator]
    assert str(caught.value).endswith(message) or message in str(caught.value), caught.value
    assert str(caught.value).startswith(str(server.path))


def test_defaults_stand_for_absent_keys(server: DataFile) -> None:
    table = server.table("server")
    assert table.text("host") == "example.org"
    assert table.text("user", "nobody") == "nobody"
    assert table.number("timeout", 1.5) == 1.5
    assert table.texts("aliases", ()) == ()
    assert server.table("absent").data == {}
    assert server.root.tables("absent") == []


def test_a_table_of_the_wrong_kind_is_refused(server: DataFile) -> None:
    with pytest.raises(ConfigError, match=r":2: \[server\] host must be a table"):
        server.table("server").table("host")
    with pytest.raises(ConfigError, match=r":7: \[server\] names #1 must be a list of tables"):
        server.table("server").tables("names")


def test_an_absent_table_is_named_as_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"empty\.toml: \[paths\] inbox is required"):
        DataFile.read(path).table("paths").text("inbox")


def test_an_absent_table_is_named_as_its_header_after_the_lines_were_walked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "some.toml"
    path.write_text("[run]\njobs = 1\n", encoding="utf-8")
    file = DataFile.read(path)
    assert file.line("run", "jobs") == 2  # the lines are walked before the table is asked for
    with pytest.raises(ConfigError, match=r"some\.toml: \[paths\] inbox is required"):
        file.table("paths").text("inbox")


def test_syntax_errors_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[a]\nb = "open\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        DataFile.read(path)
    assert caught.value.line == 2 and "malformed TOML" in caught.value.problem
    with pytest.raises(ConfigError, match=r"absent\.toml: rules file not found"):
        DataFile.read(tmp_path / "absent.toml", "rules file")


# ------------------------------------------------------------------ real bad files


def _written(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_a_misspelt_key_of_the_referentiel_has_its_line(tmp_path: Path) -> None:
    path = _written(tmp_path, DEFAULT_REFERENTIEL, "hors_liste =", "hors_list =")
    with pytest.raises(ConfigError) as caught:
        load_referentiel(path)
    assert caught.value.line == _line_of(path, "hors_list =")
    assert "hors_list is unknown (known: bloc, conditions, hors_liste," in caught.value.problem


def test_a_bad_labellisation_of_the_referentiel_says_what_is_expected(tmp_path: Path) -> None:
    old, new = 'labellisation = "de_fait"', 'labellisation = "oui"'
    path = _written(tmp_path, DEFAULT_REFERENTIEL, old, new)
    with pytest.raises(ConfigError) as caught:
        load_referentiel(path)
    assert caught.value.line == _line_of(path, 'labellisation = "oui"')
    assert "labellisation must be one of de_fait, a_demander, not 'oui'" in caught.value.problem


def test_a_misspelt_key_of_the_mapping_has_its_line(tmp_path: Path) -> None:
    path = _written(tmp_path, DEFAULT_RULES, "candidates =", "candidate =")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert caught.value.line == _line_of(path, "candidate =")
    assert "[[rules]] #1 candidate is unknown (known: also, candidates," in caught.value.problem


def test_a_misspelt_section_of_the_config_has_its_line(tmp_path: Path, roster: Path) -> None:
    path = write_config(tmp_path, roster, limit={"max_pages": 10})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == _line_of(path, "[limit]")
    assert caught.value.problem == (
        f"[limit] is unknown (known: {', '.join(sorted(SECTIONS))})"
    )


def test_a_misspelt_key_of_the_config_through_the_cli(tmp_path: Path, roster: Path) -> None:
    path = write_config(tmp_path, roster, paths={"inbx": "inbox"})
    message = f"config.toml:{_line_of(path, 'inbx')}: [paths] inbx is unknown (known: dossiers,"
    run = attest("--config", str(path), "run", cwd=tmp_path)
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    # attest doctor goes on with its other checks, and says what failed.
    doctor = attest("--config", str(path), "doctor", cwd=tmp_path)
    assert doctor.returncode == 1 and message in doctor.stdout, doctor.stdout


def test_a_bad_value_of_the_config_through_the_cli(tmp_path: Path, roster: Path) -> None:
    path = write_config(tmp_path, roster, run={"jobs": "all"})
    result = attest("--config", str(path), "run", cwd=tmp_path)
    assert result.returncode == 2
    assert f"config.toml:{_line_of(path, 'jobs')}: [run] jobs must be a number, not 'all'" in (
        result.stderr
    )


# -------------------------------------------------------------------- built-in data


def test_the_built_in_data_files_are_valid() -> None:
    check_rules(load_rules(), load_referentiel())
    assert load_certification().cycles and load_dpc().periods


def test_importing_the_loaders_reads_no_data_file() -> None:
    script = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open' and opened.append(str(args[0])))\n"
        "import attest_pipeline.config, attest_pipeline.mapping, attest_pipeline.referentiel\n"
        "import attest_pipeline.service.rules\n"
        "print([p for p in opened if p.endswith('.toml')])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------ parsed, kept


def kept_files(cache: Path) -> list[Path]:
    return sorted((cache / "toml").glob("*.json"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ATTEST_CACHE", str(folder))
    return folder


def test_what_tomllib_parsed_is_kept_and_read_back_for_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    path = tmp_path / "data.toml"
    path.write_text('[run]\njobs = 2\nname = "é"\nratio = 0.5\n', encoding="utf-8")
    first = DataFile.read(path).root.data
    assert len(kept_files(cache)) == 1

    def no_parsing(text: str) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(datafile.tomllib, "loads", no_parsing)
    again = DataFile.read(path)
    assert again.root.data == first == {"run": {"jobs": 2, "name": "é", "ratio": 0.5}}
    assert again.table("run").integer("jobs") == 2


def test_another_text_or_a_damaged_cache_file_is_parsed_afresh(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "data.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    DataFile.read(path)
    path.write_text("a = 2\n", encoding="utf-8")
    assert DataFile.read(path).root.data == {"a": 2}
    (kept,) = kept_files(cache)
    kept.write_text('{"sha256": [', encoding="utf-8")
    assert DataFile.read(path).root.data == {"a": 2}
    path.write_text("a = [", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data\.toml"):
        DataFile.read(path)


def test_dates_are_not_kept_and_no_cache_folder_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    path = tmp_path / "data.toml"
    path.write_text("start = 2024-01-01\n", encoding="utf-8")
    assert DataFile.read(path).root.date("start") == datetime.date(2024, 1, 1)
    assert kept_files(cache) == []
    monkeypatch.setenv("ATTEST_CACHE", "")
    path.write_text("a = 1\n", encoding="utf-8")
    assert DataFile.read(path).root.data == {"a": 1}
    assert kept_files(cache) == []

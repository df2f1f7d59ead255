from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from pathlib import Path

import pytest

from attest_pipeline.config import PluginSettings
from attest_pipeline.registry import (
    ENTRY_POINT_GROUP,
    EntryPoint,
    _entry_points,
    _scan_entry_points,
    load_registry,
)
from tests.conftest import TEST_PLUGINS


def reports_by_name(registry):  # type: ignore[no-untyped-def]
    return {r.name: r for r in registry.reports}


def test_builtins_load_first_in_declared_order() -> None:
    from attest_plugins import BUILTIN_PLUGINS

    registry = load_registry(PluginSettings(entry_points=False))
    assert registry.issuers, "no built-in issuer loaded"
    assert all(r.origin == "builtin" for r in registry.reports[: len(BUILTIN_PLUGINS)])
    assert all(r.status == "loaded" for r in registry.reports)


def test_plugin_directory_loads_good_and_reports_the_broken() -> None:
    registry = load_registry(
        PluginSettings(dirs=(TEST_PLUGINS,), entry_points=False), builtins=False
    )
    names = [i.name for i in registry.issuers]
    assert "good" in names and "raising" in names and "hanging" in names
    reports = reports_by_name(registry)
    assert reports["future"].status == "refused"
    assert "plugin API 99" in reports["future"].problem
    broken = [r for r in registry.reports if r.source.endswith("broken_import.py")]
    assert broken and broken[0].status == "failed"
    assert "ModuleNotFoundError" in broken[0].problem
    assert reports["good"].version == "1.2.3"
    assert reports["good"].origin == "directory"


def test_same_plugin_reached_twice_is_loaded_once() -> None:
    path = str(TEST_PLUGINS / "good.py")
    registry = load_registry(
        PluginSettings(dirs=(TEST_PLUGINS,), entry_points=False), extra=[path], builtins=False
    )
    assert [i.name for i in registry.issuers].count("good") == 1


def test_plugin_option_by_path_and_disable_by_name() -> None:
    path = str(TEST_PLUGINS / "good.py")
    registry = load_registry(PluginSettings(entry_points=False), extra=[path])
    assert "good" in [i.name for i in registry.issuers]
    first = registry.issuers[0].name
    registry = load_registry(PluginSettings(entry_points=False), extra=[path], disabled=[first])
    assert first not in [i.name for i in registry.issuers]
    assert reports_by_name(registry)[first].status == "disabled"


def test_missing_plugin_directory_is_reported(tmp_path: Path) -> None:
    registry = load_registry(
        PluginSettings(dirs=(tmp_path / "nope",), entry_points=False), builtins=False
    )
    assert registry.issuers == ()
    assert registry.reports[0].status == "failed"
    assert "no such directory" in registry.reports[0].problem


def test_unknown_module_option_is_reported_not_raised() -> None:
    registry = load_registry(
        PluginSettings(entry_points=False), extra=["no_such_plugin_mod"], builtins=False
    )
    assert registry.reports[0].status == "failed"


# ------------------------------------------------------------------ entry points


def dist(root: Path, folder: str, entry_points: str | None) -> None:
    """A distribution's metadata folder in ``root``, with this ``entry_points.txt``."""
    (root / folder).mkdir(parents=True)
    if entry_points is not None:
        (root / folder / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_entry_points_are_those_importlib_metadata_finds() -> None:
    expected = [
        (ep.name, ep.value) for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    ]
    assert _scan_entry_points(sys.path, sys.meta_path) is not None  # read, not asked
    assert [(ep.name, ep.value) for ep in _entry_points()] == expected


def test_entry_points_of_the_group_in_path_order_the_first_of_a_name_winning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    dist(
        first,
        "My_Plugin-1.0.dist-info",
        f"# a comment\n[console_scripts]\nx = y:z\n\n[{ENTRY_POINT_GROUP}]\n"
        " one = pkg.one\ntwo=pkg.two:attr [extra]\n",
    )
    dist(first, "nothing-2.0.dist-info", None)
    dist(second, "my.plugin-0.9.dist-info", f"[{ENTRY_POINT_GROUP}]\nold = pkg.old\n")
    dist(second, "other-1.0.egg-info", f"[{ENTRY_POINT_GROUP}]\nthree = pkg.three\n")
    found = _scan_entry_points([str(first), str(tmp_path / "absent"), str(second)], [])
    assert found == [
        EntryPoint("one", "pkg.one"),
        EntryPoint("two", "pkg.two:attr [extra]"),
        EntryPoint("three", "pkg.three"),
    ]
    monkeypatch.setattr(sys, "path", [str(first), str(second)])
    by_importlib = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    assert [EntryPoint(ep.name, ep.value) for ep in by_importlib] == found


def test_a_zip_on_the_path_is_left_to_importlib_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("x.py", "")
    assert _scan_entry_points([str(archive)], []) is None
    assert _scan_entry_points([str(tmp_path)], [object()]) == []

    class Finder:
        def find_distributions(self) -> list[object]:
            return []

    assert _scan_entry_points([str(tmp_path)], [Finder()]) is None
    assert _scan_entry_points([tmp_path], []) is None  # type: ignore[list-item]


def test_a_plugin_installed_with_an_entry_point_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "entry_plugin_for_test.py").write_text(
        (TEST_PLUGINS / "good.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    dist(
        tmp_path,
        "entry_plugin_for_test-1.0.dist-info",
        f"[{ENTRY_POINT_GROUP}]\ngood = entry_plugin_for_test\n",
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.delitem(sys.modules, "entry_plugin_for_test", raising=False)
    registry = load_registry(PluginSettings(), builtins=False)
    report = reports_by_name(registry)["good"]
    assert (report.origin, report.source) == ("entry point", "good = entry_plugin_for_test")
    assert EntryPoint("x", "os.path:join [extra]").load() is __import__("os").path.join

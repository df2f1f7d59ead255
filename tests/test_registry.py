from __future__ import annotations

from pathlib import Path

from attest_pipeline.config import PluginSettings
from attest_pipeline.registry import load_registry
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

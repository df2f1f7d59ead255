"""The rules the dossiers are measured against, loaded from data files.

``data/certification.toml`` holds the certification périodique rule (actions per bloc), the
cycles and the at-risk thresholds; ``data/dpc.toml`` the DPC triennial periods, types and
what each nature of action counts for. Both are data the secretariat updates without
touching the code; a malformed file is a :class:`~attest_pipeline.errors.ConfigError` naming it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from attest_pipeline.errors import ConfigError, toml_error

DATA = Path(str(resources.files("attest_pipeline.data")))

#: The rule files shipped with the package.
DEFAULT_CERTIFICATION = DATA / "certification.toml"
DEFAULT_DPC = DATA / "dpc.toml"


@dataclass(frozen=True, slots=True)
class FixedCycle:
    """A first cycle set by the texts for those practising on a date."""

    name: str
    practising_on: date
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class CertificationRules:
    """Certification périodique: actions required per bloc, cycles, at-risk thresholds."""

    version: str
    required_per_bloc: int
    cycle_years: int
    cycles: tuple[FixedCycle, ...]
    assumed_cycle: FixedCycle
    at_risk_elapsed_fraction: float
    at_risk_remaining_days: int


@dataclass(frozen=True, slots=True)
class DpcPeriodRule:
    """One DPC triennial period."""

    name: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class DpcRules:
    """The DPC triennial obligation: periods, the types, and what each nature counts for."""

    version: str
    min_types: int
    families: tuple[str, ...]
    orientation_field: str
    periods: tuple[DpcPeriodRule, ...]
    types: Mapping[str, str]
    natures: Mapping[str, tuple[str, ...]]


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(path, "rule file not found") from error
    except tomllib.TOMLDecodeError as error:
        raise toml_error(path, error) from error


_KIND_NAMES = {
    int: "a whole number",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a table",
    date: "a date (2023-01-01)",
}


def _get(path: Path, data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        kinds = (kind,) if isinstance(kind, type) else kind
        names = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
        raise ConfigError(path, f"{key!r} must be {names}")
    return value


def load_certification(path: Path | None = None) -> CertificationRules:
    """Read the certification rules (the packaged file when ``path`` is ``None``)."""
    path = path or DEFAULT_CERTIFICATION
    data = _read(path)
    cycles = []
    for raw in _get(path, data, "cycles", list):
        if not isinstance(raw, dict):
            raise ConfigError(path, "each [[cycles]] must be a table")
        cycle = FixedCycle(
            name=str(_get(path, raw, "name", str)),
            practising_on=_get(path, raw, "practising_on", date),
            start=_get(path, raw, "start", date),
            end=_get(path, raw, "end", date),
        )
        if cycle.end <= cycle.start:
            raise ConfigError(path, f"cycle {cycle.name!r} ends before it starts")
        cycles.append(cycle)
    assumed = _get(path, data, "assumed_cycle", str)
    named = {c.name: c for c in cycles}
    if assumed not in named:
        raise ConfigError(path, f"assumed_cycle {assumed!r} names no [[cycles]] entry")
    at_risk = _get(path, data, "at_risk", dict)
    fraction = float(_get(path, at_risk, "elapsed_fraction", (int, float)))
    if not 0 < fraction < 1:
        raise ConfigError(path, "at_risk.elapsed_fraction must be between 0 and 1")
    return CertificationRules(
        version=str(_get(path, data, "version", str)),
        required_per_bloc=_get(path, data, "required_per_bloc", int),
        cycle_years=_get(path, data, "cycle_years", int),
        cycles=tuple(cycles),
        assumed_cycle=named[assumed],
        at_risk_elapsed_fraction=fraction,
        at_risk_remaining_days=_get(path, at_risk, "remaining_days", int),
    )


def load_dpc(path: Path | None = None) -> DpcRules:
    """Read the DPC rules (the packaged file when ``path`` is ``None``)."""
    path = path or DEFAULT_DPC
    data = _read(path)
    periods = []
    for raw in _get(path, data, "periods", list):
        if not isinstance(raw, dict):
            raise ConfigError(path, "each [[periods]] must be a table")
        periods.append(
            DpcPeriodRule(
                str(_get(path, raw, "name", str)),
                _get(path, raw, "start", date),
                _get(path, raw, "end", date),
            )
        )
    types = {}
    for raw in _get(path, data, "types", list):
        if not isinstance(raw, dict):
            raise ConfigError(path, "each [[types]] must be a table")
        types[str(_get(path, raw, "code", str))] = str(_get(path, raw, "label", str))
    natures = {}
    for nature, counted in _get(path, data, "natures", dict).items():
        if not isinstance(counted, list) or any(t not in types for t in counted):
            raise ConfigError(path, f"natures.{nature} must list type codes of [[types]]")
        natures[nature] = tuple(counted)
    return DpcRules(
        version=str(_get(path, data, "version", str)),
        min_types=_get(path, data, "min_types", int),
        families=tuple(_get(path, data, "families", list)),
        orientation_field=str(_get(path, data, "orientation_field", str)),
        periods=tuple(sorted(periods, key=lambda p: p.start)),
        types=MappingProxyType(types),
        natures=MappingProxyType(natures),
    )

"""The rules the dossiers are measured against, loaded from data files.

``data/certification.toml`` holds the certification périodique rule (actions per bloc), the
cycles and the at-risk thresholds; ``data/dpc.toml`` the DPC triennial periods, types and
what each nature of action counts for. Both are data the secretariat updates without
touching the code; both are read through :class:`~attest_pipeline.datafile.DataFile`, so
that a malformed file is a :class:`~attest_pipeline.errors.ConfigError` naming the file, the
line and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from attest_pipeline.datafile import DataFile

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


def load_certification(path: Path | None = None) -> CertificationRules:
    """Read the certification rules (the packaged file when ``path`` is ``None``)."""
    file = DataFile.read(path or DEFAULT_CERTIFICATION, "rule file")
    root = file.root
    root.check_keys(
        ("version", "required_per_bloc", "cycle_years", "assumed_cycle", "cycles", "at_risk")
    )
    cycles = []
    cycle_keys = ("name", "practising_on", "start", "end")
    for table in root.tables("cycles", known=cycle_keys, required=True):
        cycle = FixedCycle(
            name=table.text("name"),
            practising_on=table.date("practising_on"),
            start=table.date("start"),
            end=table.date("end"),
        )
        if cycle.end <= cycle.start:
            raise table.error(f"ends before it starts (cycle {cycle.name!r})", "end")
        cycles.append(cycle)
    assumed = root.text("assumed_cycle")
    named = {c.name: c for c in cycles}
    if assumed not in named:
        raise root.error(f"{assumed!r} names no [[cycles]] entry", "assumed_cycle")
    at_risk = root.table("at_risk", known=("elapsed_fraction", "remaining_days"), required=True)
    fraction = at_risk.number("elapsed_fraction")
    if not 0 < fraction < 1:
        raise at_risk.error(f"must be between 0 and 1, not {fraction:g}", "elapsed_fraction")
    return CertificationRules(
        version=root.text("version"),
        required_per_bloc=root.integer("required_per_bloc", minimum=1),
        cycle_years=root.integer("cycle_years", minimum=1),
        cycles=tuple(cycles),
        assumed_cycle=named[assumed],
        at_risk_elapsed_fraction=fraction,
        at_risk_remaining_days=at_risk.integer("remaining_days", minimum=0),
    )


def load_dpc(path: Path | None = None) -> DpcRules:
    """Read the DPC rules (the packaged file when ``path`` is ``None``)."""
    file = DataFile.read(path or DEFAULT_DPC, "rule file")
    root = file.root
    root.check_keys(
        ("version", "min_types", "families", "orientation_field", "periods", "types", "natures")
    )
    periods = [
        DpcPeriodRule(table.text("name"), table.date("start"), table.date("end"))
        for table in root.tables("periods", known=("name", "start", "end"), required=True)
    ]
    types = {
        table.text("code"): table.text("label")
        for table in root.tables("types", known=("code", "label"), required=True)
    }
    natures_table = root.table("natures", required=True)
    natures = {}
    for nature in natures_table:
        counted = natures_table.texts(nature)
        unknown = [t for t in counted if t not in types]
        if unknown:
            raise natures_table.error(
                f"must list type codes of [[types]] ({', '.join(types)}), not {unknown[0]!r}",
                nature,
            )
        natures[nature] = counted
    return DpcRules(
        version=root.text("version"),
        min_types=root.integer("min_types", minimum=1),
        families=root.texts("families"),
        orientation_field=root.text("orientation_field"),
        periods=tuple(sorted(periods, key=lambda p: p.start)),
        types=MappingProxyType(types),
        natures=MappingProxyType(natures),
    )

"""The DPC triennial obligation: the second use of the same attestations.

Over each period of ``data/dpc.toml`` a physician's DPC is valid with actions of at least
``min_types`` of the three types (formation continue, évaluation des pratiques, gestion des
risques; a programme intégré counts for the two types it combines) and at least one action
in the orientations prioritaires. An attestation rarely states its orientation: when the
record holds one it is shown, otherwise the view says "not shown" rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from attest_pipeline.service.progress import Entry, Progress, physician_progress
from attest_pipeline.service.rules import DpcPeriodRule, DpcRules
from attest_pipeline.service.workspace import Workspace


@dataclass(frozen=True, slots=True)
class DpcAction:
    """One DPC action of a period, with the types it counts for."""

    id: int
    action: str
    title: str | None
    start: str | None
    end: str | None
    nature: str | None
    types: tuple[str, ...]
    orientation: str | None

    def to_json(self) -> dict[str, Any]:
        """The action as JSON."""
        return {
            "id": self.id,
            "action": self.action,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "nature": self.nature,
            "types": list(self.types),
            "orientation": self.orientation,
        }


@dataclass(frozen=True, slots=True)
class DpcPeriod:
    """One triennial period: the types done against those required, the orientation."""

    name: str
    start: date
    end: date
    actions: tuple[DpcAction, ...]
    types_done: tuple[str, ...]
    min_types: int
    orientation: str | None
    current: bool

    @property
    def types_ok(self) -> bool:
        """Whether enough types are covered."""
        return len(self.types_done) >= self.min_types

    @property
    def valid(self) -> bool:
        """Whether the period's obligation is shown to be met (types and orientation)."""
        return self.types_ok and self.orientation is not None

    def to_json(self) -> dict[str, Any]:
        """The period as JSON (keys in the README's secretariat section)."""
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "current": self.current,
            "actions": [a.to_json() for a in self.actions],
            "types_done": list(self.types_done),
            "min_types": self.min_types,
            "types_ok": self.types_ok,
            "orientation": self.orientation or "not shown",
            "valid": self.valid,
        }


@dataclass(frozen=True, slots=True)
class DpcStatus:
    """A physician's DPC, period by period."""

    rpps: str
    last_name: str
    first_name: str
    periods: tuple[DpcPeriod, ...]
    type_labels: dict[str, str]

    def current(self) -> DpcPeriod | None:
        """The period that contains the measuring date, if any."""
        return next((p for p in self.periods if p.current), None)

    def to_json(self) -> dict[str, Any]:
        """The status as JSON."""
        return {
            "rpps": self.rpps,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "types": dict(self.type_labels),
            "periods": [p.to_json() for p in self.periods],
        }


def _period(
    rule: DpcPeriodRule, entries: tuple[Entry, ...], rules: DpcRules, today: date
) -> DpcPeriod:
    actions = []
    for entry in entries:
        day = entry.end or entry.start
        if entry.family not in rules.families or day is None:
            continue
        if not rule.start <= date.fromisoformat(day) <= rule.end:
            continue
        actions.append(
            DpcAction(
                id=entry.id,
                action=entry.action,
                title=entry.title,
                start=entry.start,
                end=entry.end,
                nature=entry.nature,
                types=rules.natures.get(entry.nature or "", ()),
                orientation=entry.orientation,
            )
        )
    done = tuple(t for t in rules.types if any(t in a.types for a in actions))
    orientation = next((a.orientation for a in actions if a.orientation), None)
    return DpcPeriod(
        name=rule.name,
        start=rule.start,
        end=rule.end,
        actions=tuple(actions),
        types_done=done,
        min_types=rules.min_types,
        orientation=orientation,
        current=rule.start <= today <= rule.end,
    )


def dpc_of(ws: Workspace, progress: Progress) -> DpcStatus:
    """The DPC view of a physician whose progress is already measured."""
    periods = tuple(
        _period(rule, progress.entries, ws.dpc, progress.measured_at) for rule in ws.dpc.periods
    )
    return DpcStatus(
        progress.rpps, progress.last_name, progress.first_name, periods, dict(ws.dpc.types)
    )


def dpc_status(ws: Workspace, rpps: str) -> DpcStatus:
    """One physician's DPC, period by period (raises ``NotFound`` as the dossier does)."""
    return dpc_of(ws, physician_progress(ws, rpps))

"""Certification progress: each physician's cycle, the allocation of actions to blocs.

The rule (``data/certification.toml``): at least ``required_per_bloc`` actions in each of
the four blocs over the cycle, each action counted once and in one bloc only, labelled ones
only (de fait, or granted by the CNP), dated inside the cycle.

Some actions are eligible in several blocs (a Balint group: 2.J, 3.G or 4.G). They are
allocated so as to complete as many blocs as possible, then to count as many actions as
possible towards the blocs' requirements: an optimal assignment, not first come first
served. :func:`allocate` finds it with augmenting paths on the bipartite graph actions ->
blocs (each bloc taking ``required`` actions), first over the largest set of blocs that can
all be completed together (with four blocs, sixteen sets at most), then over the others.
The allocation is computed from the dossier each time it is read, so it always follows
the dossier's changes; each choice is explained.
"""

from __future__ import annotations

import collections
import functools
import itertools
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from attest_pipeline.errors import NotFound
from attest_pipeline.models import Physician
from attest_pipeline.service.rules import CertificationRules
from attest_pipeline.service.workspace import Workspace
from attest_pipeline.store import Store
from attest_pipeline.text.fold import plain_words

#: The four blocs of the référentiel.
BLOCS = (1, 2, 3, 4)


# ---------------------------------------------------------------------------------- cycles


@dataclass(frozen=True, slots=True)
class Cycle:
    """A physician's certification cycle; ``assumed`` when the roster gave no date."""

    start: date
    end: date
    assumed: bool
    rule: str

    def elapsed(self, today: date) -> float:
        """The fraction of the cycle gone at ``today`` (0 before it, 1 after it)."""
        total = (self.end - self.start).days + 1
        gone = (today - self.start).days + 1
        return min(max(gone / total, 0.0), 1.0)

    def remaining_days(self, today: date) -> int:
        """Days left in the cycle at ``today`` (0 once it is over)."""
        return max((self.end - today).days, 0)

    def contains(self, day: date) -> bool:
        """Whether ``day`` is inside the cycle."""
        return self.start <= day <= self.end

    def to_json(self) -> dict[str, Any]:
        """The cycle as JSON."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "assumed": self.assumed,
            "rule": self.rule,
        }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def cycle_of(physician: Physician | None, rules: CertificationRules) -> Cycle:
    """The cycle of a physician: a fixed first cycle, or ``cycle_years`` from registration.

    Without a registration date (not on the roster, or no ``registered`` column) the
    rules' assumed cycle is used and marked as assumed.
    """
    registered = physician.registered if physician is not None else None
    if registered is None:
        fixed = rules.assumed_cycle
        return Cycle(
            fixed.start,
            fixed.end,
            True,
            f"assumed: practising on {fixed.practising_on.isoformat()} (no registration date)",
        )
    for fixed in rules.cycles:
        if registered <= fixed.practising_on:
            return Cycle(
                fixed.start,
                fixed.end,
                False,
                f"practising on {fixed.practising_on.isoformat()} "
                f"(registered {registered.isoformat()})",
            )
    end = _add_years(registered, rules.cycle_years) - timedelta(days=1)
    return Cycle(
        registered,
        end,
        False,
        f"{rules.cycle_years} years from registration ({registered.isoformat()})",
    )


# ------------------------------------------------------------------------------ allocation


@dataclass(frozen=True, slots=True)
class Option:
    """One action of the référentiel an entry may count as: ``(bloc, "2.J")``."""

    bloc: int
    key: str


@dataclass(frozen=True, slots=True)
class Placement:
    """Where :func:`allocate` put one entry, and why; ``surplus`` beyond what it needs."""

    option: Option
    why: str
    surplus: bool = False


def _augment(
    entry: int,
    options: Sequence[Sequence[Option]],
    owner: dict[int, list[int]],
    capacity: Mapping[int, int],
    assigned: dict[int, Option],
    seen: set[int],
) -> bool:
    """Find an augmenting path from ``entry`` (Kuhn's algorithm with bloc capacities)."""
    for option in options[entry]:
        bloc = option.bloc
        if bloc in seen or bloc not in capacity:
            continue
        seen.add(bloc)
        if len(owner[bloc]) < capacity[bloc]:
            owner[bloc].append(entry)
            assigned[entry] = option
            return True
        for other in list(owner[bloc]):
            if _augment(other, options, owner, capacity, assigned, seen):
                # ``other`` moved to another bloc: ``entry`` takes its place here.
                owner[bloc].remove(other)
                owner[bloc].append(entry)
                assigned[entry] = option
                return True
    return False


def _match(
    options: Sequence[Sequence[Option]], capacity: Mapping[int, int], assigned: dict[int, Option]
) -> dict[int, Option]:
    """Extend the matching ``assigned`` to a maximum one under ``capacity``."""
    owner: dict[int, list[int]] = {bloc: [] for bloc in capacity}
    assigned = {e: o for e, o in assigned.items() if o.bloc in capacity}
    for entry, option in assigned.items():
        owner[option.bloc].append(entry)
    for entry in range(len(options)):
        if entry not in assigned:
            _augment(entry, options, owner, capacity, assigned, set())
    return assigned


def allocate(
    options: Sequence[Sequence[Option]], required: int, blocs: Sequence[int] = BLOCS
) -> list[Placement]:
    """Place each entry (its eligible options, preferred first) in one bloc, optimally.

    First the most blocs complete (``required`` entries each), then the most entries
    counted towards the requirements; the entries beyond (surplus) go to their first
    option. Deterministic: ties keep the entries' order and each entry's preference.
    """
    return list(_allocate(tuple(tuple(o) for o in options), required, tuple(blocs)))


@functools.lru_cache(maxsize=4096)
def _allocate(
    options: tuple[tuple[Option, ...], ...], required: int, blocs: tuple[int, ...]
) -> tuple[Placement, ...]:
    """:func:`allocate`, memoised: many dossiers share the same shape."""
    best: dict[int, Option] = {}
    # Only a bloc that enough entries may go to can be completed.
    reach = collections.Counter(b for eligible in options for b in {o.bloc for o in eligible})
    possible = tuple(b for b in blocs if reach[b] >= required)
    for size in range(len(possible), 0, -1):
        for chosen in itertools.combinations(possible, size):
            matching = _match(options, dict.fromkeys(chosen, required), {})
            if len(matching) == required * size:
                best = matching
                break
        if best:
            break
    complete = {o.bloc for o in best.values()}
    assigned = _match(options, dict.fromkeys(blocs, required), best)
    counts = {bloc: 0 for bloc in blocs}
    for option in assigned.values():
        counts[option.bloc] += 1
    placements = []
    for entry, eligible in enumerate(options):
        option = assigned.get(entry) or eligible[0]
        surplus = entry not in assigned
        placements.append(
            Placement(option, _why(option, eligible, counts, required, complete, surplus), surplus)
        )
    return tuple(placements)


def _why(
    option: Option,
    eligible: Sequence[Option],
    counts: Mapping[int, int],
    required: int,
    complete: set[int],
    surplus: bool,
) -> str:
    """The explanation shown in the dossier for one entry's placement."""
    first = eligible[0]
    if surplus:
        return f"{first.key}: beyond the {required} needed in bloc {option.bloc}"
    if len(eligible) == 1:
        return f"{option.key} counted in bloc {option.bloc}"
    others = [o for o in eligible if o.bloc != option.bloc]
    full = [o for o in others if counts.get(o.bloc, 0) >= required]
    if option.bloc != first.bloc and full:
        had = ", ".join(f"bloc {o.bloc}" for o in full)
        return (
            f"{first.key} counted in bloc {option.bloc} (as {option.key}) because {had} "
            f"already had {required}"
        )
    if option.bloc != first.bloc:
        return (
            f"{first.key} counted in bloc {option.bloc} (as {option.key}), which completes "
            f"more blocs than bloc {first.bloc}"
        )
    alternatives = ", ".join(o.key for o in others)
    needed = " (it completes it)" if option.bloc in complete else ""
    return f"{option.key} counted in bloc {option.bloc}{needed}; also eligible as {alternatives}"


# -------------------------------------------------------------------------------- progress


@dataclass(frozen=True, slots=True)
class Entry:
    """One action of a dossier with its allocation.

    ``state``: ``counted`` (in ``counted_in`` as ``counted_as``), ``surplus`` (beyond what
    its bloc needs), ``pending`` (waits for the CNP), ``refused`` (by the CNP) or
    ``outside_cycle``; ``why`` explains it.
    """

    id: int
    action: str
    candidates: tuple[str, ...]
    labellisation: str
    label_status: str
    label_note: str | None
    start: str | None
    end: str | None
    issuer: str | None
    title: str | None
    reference: str | None
    family: str | None
    nature: str | None
    orientation: str | None
    path: str
    filed_at: str
    state: str
    counted_in: int | None
    counted_as: str | None
    why: str

    @property
    def bloc(self) -> int:
        """The bloc the entry was filed in."""
        return int(self.action.split(".")[0])

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON (keys in the README's secretariat section)."""
        return {
            "id": self.id,
            "bloc": self.bloc,
            "action": self.action.split(".")[1],
            "key": self.action,
            "candidates": list(self.candidates),
            "labellisation": self.labellisation,
            "label_status": self.label_status,
            "label_note": self.label_note,
            "start": self.start,
            "end": self.end,
            "issuer": self.issuer,
            "title": self.title,
            "reference": self.reference,
            "nature": self.nature,
            "orientation": self.orientation,
            "path": self.path,
            "filed_at": self.filed_at,
            "state": self.state,
            "counted_in": self.counted_in,
            "counted_as": self.counted_as,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class BlocProgress:
    """One bloc: actions counted against those required, what is missing, what waits."""

    bloc: int
    title: str
    counted: int
    required: int
    pending: int

    @property
    def missing(self) -> int:
        """How many actions the bloc still needs."""
        return max(self.required - self.counted, 0)

    def to_json(self) -> dict[str, Any]:
        """The bloc as JSON."""
        return {
            "title": self.title,
            "counted": self.counted,
            "pending": self.pending,
            "required": self.required,
            "missing": self.missing,
        }


@dataclass(frozen=True, slots=True)
class Progress:
    """A physician's progress towards certification over the cycle."""

    rpps: str
    last_name: str
    first_name: str
    folder: str | None
    on_roster: bool
    cycle: Cycle
    blocs: tuple[BlocProgress, ...]
    entries: tuple[Entry, ...]
    at_risk: bool
    risk: str | None
    measured_at: date

    @property
    def complete(self) -> bool:
        """Whether every bloc has its required actions."""
        return all(b.missing == 0 for b in self.blocs)

    @property
    def pending(self) -> int:
        """How many actions wait for the CNP's labellisation."""
        return sum(1 for e in self.entries if e.state == "pending")

    def missing(self) -> list[str]:
        """What remains to do, in words: ``["bloc 3: 2 actions"]``."""
        return [
            f"bloc {b.bloc}: {b.missing} action{'s' if b.missing > 1 else ''}"
            for b in self.blocs
            if b.missing
        ]

    def to_json(self) -> dict[str, Any]:
        """The progress as JSON (keys in the README's secretariat section)."""
        return {
            "rpps": self.rpps,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "folder": self.folder,
            "on_roster": self.on_roster,
            "cycle": self.cycle.to_json(),
            "blocs": {str(b.bloc): b.to_json() for b in self.blocs},
            "complete": self.complete,
            "missing": self.missing(),
            "pending_labellisations": self.pending,
            "at_risk": self.at_risk,
            "risk": self.risk,
            "measured_at": self.measured_at.isoformat(),
        }


def _entries(store: Store, rpps: str) -> list[sqlite3.Row]:
    return list(
        store.db.execute(
            'SELECT * FROM dossier_entries WHERE rpps = ? ORDER BY coalesce("end", start), id',
            (rpps,),
        )
    )


def measure(
    ws: Workspace,
    rpps: str,
    last_name: str,
    first_name: str,
    folder: str | None,
    rows: Sequence[sqlite3.Row],
) -> Progress:
    """A physician's progress from their dossier rows (see :func:`physician_progress`)."""
    rules = ws.certification
    today = ws.day()
    physician = ws.roster.by_rpps(rpps)
    cycle = cycle_of(physician, rules)
    countable: list[sqlite3.Row] = []
    options: list[list[Option]] = []
    eligible = {row["id"]: json.loads(row["candidates"] or "[]") for row in rows}
    for row in rows:
        if row["label_status"] != "granted" or not cycle.contains(_day(row)):
            continue
        filed = Option(row["bloc"], f"{row['bloc']}.{row['action']}")
        others = [Option(b, f"{b}.{a}") for b, a in eligible[row["id"]]]
        countable.append(row)
        options.append([filed, *(o for o in others if o.key != filed.key)])
    placements = dict(
        zip(
            (row["id"] for row in countable),
            allocate(options, rules.required_per_bloc),
            strict=True,
        )
    )
    entries = []
    for row in rows:
        placement = placements.get(row["id"])
        candidates = tuple(f"{b}.{a}" for b, a in eligible[row["id"]])
        key = f"{row['bloc']}.{row['action']}"
        if placement is not None:
            state, why = ("surplus" if placement.surplus else "counted"), placement.why
            counted_in, counted_as = placement.option.bloc, placement.option.key
        else:
            counted_in = counted_as = None
            if row["label_status"] == "pending":
                state, why = "pending", f"{key} waits for the CNP's labellisation"
            elif row["label_status"] == "refused":
                state, why = "refused", f"{key}: labellisation refused by the CNP"
            else:
                state = "outside_cycle"
                why = f"{key} is dated outside the cycle ({cycle.start} - {cycle.end})"
        entries.append(
            Entry(
                id=row["attestation_id"],
                action=key,
                candidates=candidates or (key,),
                labellisation=row["labellisation"],
                label_status=row["label_status"],
                label_note=row["label_note"],
                start=row["start"],
                end=row["end"],
                issuer=row["issuer"],
                title=row["title"],
                reference=row["reference"],
                family=row["family"],
                nature=row["nature"],
                orientation=row["orientation"],
                path=row["path"],
                filed_at=row["filed_at"],
                state=state,
                counted_in=counted_in,
                counted_as=counted_as,
                why=why,
            )
        )
    titles = {b.number: b.title for b in ws.referentiel.blocs}
    blocs = tuple(
        BlocProgress(
            bloc=bloc,
            title=titles.get(bloc, ""),
            counted=sum(1 for e in entries if e.counted_in == bloc),
            required=rules.required_per_bloc,
            pending=sum(1 for e in entries if e.state == "pending" and e.bloc == bloc),
        )
        for bloc in BLOCS
    )
    risk = _risk(cycle, blocs, today, rules)
    return Progress(
        rpps=rpps,
        last_name=last_name,
        first_name=first_name,
        folder=folder,
        on_roster=physician is not None,
        cycle=cycle,
        blocs=blocs,
        entries=tuple(entries),
        at_risk=risk is not None,
        risk=risk,
        measured_at=today,
    )


def _day(row: sqlite3.Row) -> date:
    """The date an entry counts at: its end (the action is done), else its start."""
    text = row["end"] or row["start"]
    return date.fromisoformat(text) if text else date.min


def _risk(
    cycle: Cycle, blocs: Sequence[BlocProgress], today: date, rules: CertificationRules
) -> str | None:
    """Why a physician is at risk, or ``None``: the thresholds are the rules' data."""
    if all(b.missing == 0 for b in blocs):
        return None
    empty = [str(b.bloc) for b in blocs if b.counted == 0]
    elapsed = cycle.elapsed(today)
    if elapsed > rules.at_risk_elapsed_fraction and empty:
        return (
            f"{elapsed:.0%} of the cycle gone and bloc{'s' if len(empty) > 1 else ''} "
            f"{', '.join(empty)} still empty"
        )
    left = cycle.remaining_days(today)
    if left < rules.at_risk_remaining_days:
        return f"{left} days left in the cycle and the dossier is incomplete"
    return None


def physician_progress(ws: Workspace, rpps: str) -> Progress:
    """One physician's progress (raises :class:`NotFound` if neither dossier nor roster)."""
    with ws.store() as store:
        row = store.physician(rpps)
        rows = _entries(store, rpps)
    if row is not None:
        return measure(ws, rpps, row["last_name"], row["first_name"], row["folder"], rows)
    physician = ws.roster.by_rpps(rpps)
    if physician is None:
        raise NotFound(f"no dossier for RPPS {rpps}")
    return measure(ws, rpps, physician.last_name, physician.first_name, None, rows)


def all_progress(
    ws: Workspace, *, at_risk: bool = False, include_roster: bool = False
) -> list[Progress]:
    """Every physician with a dossier (and, with ``include_roster``, the whole roster).

    Sorted by name, accents and case aside; ``at_risk`` keeps those at risk only.
    """
    with ws.store() as store:
        physicians = store.physicians()
        rows: dict[str, list[sqlite3.Row]] = {}
        for entry in store.db.execute(
            'SELECT * FROM dossier_entries ORDER BY rpps, coalesce("end", start), id'
        ):
            rows.setdefault(entry["rpps"], []).append(entry)
    found = [
        measure(
            ws, p["rpps"], p["last_name"], p["first_name"], p["folder"], rows.get(p["rpps"], [])
        )
        for p in physicians
    ]
    if include_roster:
        known = {p.rpps for p in found}
        found += [
            measure(ws, p.rpps, p.last_name, p.first_name, None, [])
            for p in ws.roster.physicians
            if p.rpps not in known
        ]
    # By name as a person reads it: accents and case do not move a name (BÉRANGER, BONNET).
    found.sort(key=lambda p: (plain_words(p.last_name), plain_words(p.first_name), p.rpps))
    return [p for p in found if p.at_risk] if at_risk else found

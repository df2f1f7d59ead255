"""Eligibility: the actions of the référentiel an attestation is eligible for, and the choice.

The first rule of the mapping (:mod:`attest_pipeline.mapping`) that fits the attestation's
(family, nature, theme) gives the candidate actions; the référentiel supplies each one's
labellisation ("de fait" when a field names an item of the action's indicative list, the
"Hors liste" labellisation otherwise) and the conditions checked on what the attestation
shows (meetings, duration). :func:`choose` then picks the candidate that best completes
the physician's dossier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from attest_pipeline.mapping import MappingRules, action_of, detect_theme
from attest_pipeline.models import Candidate, Extraction, Family, Nature, Problem
from attest_pipeline.reasons import Reason
from attest_pipeline.referentiel import Action, ListItem, Referentiel
from attest_pipeline.text.keywords import KeyText


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The actions an attestation is eligible for, and why it may need review.

    ``candidates`` are ordered, most specific first (empty when no rule applies);
    ``problems`` hold ``no_eligible_action`` or ``condition_not_shown`` with a detail;
    ``theme`` is the theme used; ``listed`` the text of the list item matched, if any.
    """

    candidates: tuple[Candidate, ...]
    problems: tuple[Problem, ...]
    theme: str
    listed: str | None


def _theme(extraction: Extraction, rules: MappingRules) -> str:
    # A plugin may state the theme by name; otherwise it is read from the title and the
    # theme text the plugin found.
    stated = extraction.theme.value if extraction.theme is not None else None
    if stated is not None and stated in rules.theme_names:
        return stated
    texts = [f.value for f in (extraction.title, extraction.theme) if f is not None]
    return detect_theme(rules, *(str(t) for t in texts))




def _family(extraction: Extraction, rules: MappingRules) -> Family | None:
    try:
        family = Family(extraction.family)
    except ValueError:
        return None
    for override in rules.overrides:
        if override.applies(extraction, family):
            family = override.becomes
    return family


def _nature(extraction: Extraction, family: Family, rules: MappingRules) -> Nature | None:
    if extraction.nature is None:
        return rules.default_natures.get(family)
    try:
        return Nature(extraction.nature.value)
    except ValueError:
        return None


def _field_text(extraction: Extraction, name: str) -> str | None:
    if name.startswith("extra:"):
        found = extraction.extras.get(name[6:])
    else:
        found = getattr(extraction, name, None)
    if found is None or found.value is None:
        return None
    return str(found.value)


def _year(extraction: Extraction) -> int | None:
    # The edition of an event is the year it starts.
    for found in (extraction.start, extraction.end):
        if found is not None and isinstance(found.value, date):
            return found.value.year
    return None


def _listed_item(
    action: Action, fields: Sequence[KeyText], year: int | None
) -> ListItem | None:
    for text in fields:
        item = action.find_item_in(text)
        # An item limited to later editions does not count, nor when the year is unknown.
        if item is None:
            continue
        if item.min_year is None or (year is not None and year >= item.min_year):
            return item
    return None


def _span(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return f"{years} year" if years == 1 else f"{years} years"
    return f"{days} day" if days == 1 else f"{days} days"


def _condition_problems(action: Action, extraction: Extraction) -> list[str]:
    details = []
    needed = action.conditions.get("min_meetings")
    if needed is not None:
        shown = extraction.meetings.value if extraction.meetings is not None else None
        if not isinstance(shown, int):
            details.append("number of meetings not shown")
        elif shown < needed:
            details.append(f"at least {needed} meetings required, {shown} shown")
    needed = action.conditions.get("min_duration_days")
    if needed is not None:
        start = extraction.start.value if extraction.start is not None else None
        end = extraction.end.value if extraction.end is not None else None
        if not isinstance(start, date) or not isinstance(end, date):
            details.append(f"a period of at least {_span(needed)} required, period not shown")
        else:
            # Inclusive count: 1 January to 31 December is a full year.
            days = (end - start).days + 1
            if days < needed:
                details.append(
                    f"a period of at least {_span(needed)} required, "
                    f"{start.isoformat()} to {end.isoformat()} shown"
                )
    return details


def eligible_actions(
    extraction: Extraction, referentiel: Referentiel, rules: MappingRules
) -> Eligibility:
    """Return the actions ``extraction`` is eligible for, ordered, with their labellisation.

    The first rule fitting the (family, nature, theme) gives the candidate actions. For
    an action with an indicative list, the rule's ``match`` fields are searched for a
    listed item: found (and within its ``min_year``), the candidate is "de fait";
    otherwise it takes the action's "Hors liste" labellisation ("à demander"; never a
    guess towards "de fait"). The actions' conditions (meetings, duration) are checked
    on what the attestation shows: candidates that fail are dropped when another one
    holds; when none holds, all are kept and each failure is a ``condition_not_shown``
    problem. No fitting rule gives no candidate and a ``no_eligible_action`` problem.

    Raises :class:`ConfigError` if a rule names an action absent from the référentiel.
    """
    theme = _theme(extraction, rules)
    family = _family(extraction, rules)
    nature = _nature(extraction, family, rules) if family is not None else None
    rule = next(
        (r for r in rules.rules if family is not None and r.fits(family, nature, theme)), None
    )
    if rule is None:
        shown_nature = nature.value if nature is not None else "not stated"
        shown_family = family.value if family is not None else str(extraction.family)
        detail = f"no rule for family {shown_family}, nature {shown_nature}, theme {theme}"
        return Eligibility((), (Problem(Reason.NO_ELIGIBLE_ACTION, detail),), theme, None)

    if rule.needs and not any(_field_text(extraction, name) for name in rule.needs):
        detail = f"{' or '.join(rule.needs)}: needed to choose between actions"
        return Eligibility((), (Problem(Reason.MISSING_FIELD, detail),), theme, None)
    fields = []
    for name in rule.match:
        text = _field_text(extraction, name)
        if text:
            fields.append(KeyText(text))
    year = _year(extraction)

    listed: str | None = None
    holding: list[Candidate] = []
    failing: list[Candidate] = []
    details: list[str] = []
    for bloc, letter in rule.candidates:
        action = action_of(rules, rule, referentiel, bloc, letter)
        labellisation = action.labellisation
        if action.has_list:
            item = _listed_item(action, fields, year)
            if item is None:
                labellisation = action.hors_liste or "a_demander"
            elif listed is None:
                listed = item.text
        candidate = Candidate(bloc=bloc, action=letter, labellisation=labellisation)
        failures = _condition_problems(action, extraction)
        if failures:
            failing.append(candidate)
            details.extend(d for d in failures if d not in details)
        else:
            holding.append(candidate)
    for bloc, letter in rule.also:
        action = action_of(rules, rule, referentiel, bloc, letter)
        item = _listed_item(action, fields, year)
        if item is not None and not _condition_problems(action, extraction):
            holding.append(Candidate(bloc=bloc, action=letter, labellisation=action.labellisation))
    if holding:
        return Eligibility(tuple(holding), (), theme, listed)
    problems = tuple(Problem(Reason.CONDITION_NOT_SHOWN, d) for d in details)
    return Eligibility(tuple(failing), problems, theme, listed)


def choose(candidates: Sequence[Candidate], filed_per_bloc: Mapping[int, int]) -> Candidate:
    """Return the candidate that best completes the dossier.

    That is the one whose bloc has the fewest actions filed so far, ties broken by the
    candidates' order (most specific first). ``ValueError`` if there is no candidate.
    """
    if not candidates:
        raise ValueError("no candidate to choose from")
    best = min(
        range(len(candidates)),
        key=lambda i: (filed_per_bloc.get(candidates[i].bloc, 0), i),
    )
    return candidates[best]

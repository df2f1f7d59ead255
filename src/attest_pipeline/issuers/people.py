"""People and periods: who the attestation is about, and the days of the action.

The participant is read by :func:`~attest_pipeline.text.participant.find_person` with the
issuer's own markers added to the shared ones (never the signatory), the parts of the name
from a ``Nom :`` / ``Prénom :`` pair, the RPPS after its label; the dates from their labels
first, else from the period written in running text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from attest_pipeline.models import Found
from attest_pipeline.text.dates import find_labelled_date, find_period
from attest_pipeline.text.identifiers import find_rpps
from attest_pipeline.text.name_fields import find_name_fields
from attest_pipeline.text.participant import DEFAULT_MARKERS, find_person

__all__ = ["People", "Person", "year_span"]


def year_span(year: int) -> tuple[date, date]:
    """Return the first and last day of a calendar year."""
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True, slots=True)
class Person:
    """Who the attestation is about: the name as written, its parts when labelled, RPPS."""

    participant: Found[str] | None = None
    last_name: Found[str] | None = None
    first_name: Found[str] | None = None
    rpps: Found[str] | None = None


class People:
    """The participant and the dates, read the same way by every issuer.

    ``markers`` are phrases before the participant's name, in addition to the text
    helpers' own (a data file's ``[participant] markers``); ``start`` and ``end`` the
    labels of the first and last day (``[dates] start`` / ``end``).
    """

    def __init__(
        self, markers: Sequence[str] = (), start: Sequence[str] = (), end: Sequence[str] = ()
    ) -> None:
        self.markers = (*DEFAULT_MARKERS, *(m for m in markers if m not in DEFAULT_MARKERS))
        self.start_labels: tuple[str, ...] = tuple(start)
        self.end_labels: tuple[str, ...] = tuple(end)

    def person(self, text: str) -> Found[str] | None:
        """Return the participant's name as written."""
        return find_person(text, self.markers)

    def read(self, text: str) -> Person:
        """Return the participant, the parts of the name when labelled, and the RPPS."""
        fields = find_name_fields(text)
        return Person(
            participant=self.person(text),
            last_name=fields[0] if fields else None,
            first_name=fields[1] if fields else None,
            rpps=find_rpps(text),
        )

    def period(
        self, text: str, *, running: bool = True
    ) -> tuple[Found[date] | None, Found[date] | None]:
        """Return the first and last day: labelled dates, else the period in running text.

        With ``running`` false only labelled dates are taken (a university's jury date).
        """
        start = find_labelled_date(text, self.start_labels) if self.start_labels else None
        end = find_labelled_date(text, self.end_labels) if self.end_labels else None
        if start is not None and end is not None:
            return start, end
        if running:
            span = find_period(text)
            if span is not None:
                return (
                    start or Found(span.start, span.evidence),
                    end or Found(span.end, span.evidence),
                )
        return start, end

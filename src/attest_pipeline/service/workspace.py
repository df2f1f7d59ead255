"""What every operation works on: the configuration, its roster, référentiel and rules."""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from attest_pipeline import store as store_module
from attest_pipeline.config import Config
from attest_pipeline.errors import DatabaseBusy, Refusal, UsageError
from attest_pipeline.referentiel import Referentiel, load_referentiel
from attest_pipeline.roster import Roster, load_roster
from attest_pipeline.service.rules import (
    CertificationRules,
    DpcRules,
    load_certification,
    load_dpc,
)
from attest_pipeline.store import Store

#: The longest name a person may decide under (it is shown in lists and in the PDF).
MAX_NAME = 60


@dataclass(frozen=True, slots=True)
class Workspace:
    """One installation, loaded once: reused by every call (a web server keeps it).

    ``today`` fixes the date the rules are measured at (tests); ``None`` means the day of
    each call.
    """

    config: Config
    referentiel: Referentiel
    roster: Roster
    certification: CertificationRules
    dpc: DpcRules
    today: date | None = None

    def day(self) -> date:
        """The date the dossiers are measured at."""
        return self.today or date.today()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The database, opened (and upgraded if older) for the time of one operation.

        A write that waited more than the busy timeout for another process becomes a
        :class:`~attest_pipeline.errors.DatabaseBusy` (one line, nothing changed).
        """
        store = Store(self.config.paths.database)
        try:
            yield store
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            raise DatabaseBusy(
                f"the database stayed busy for {store_module.BUSY_TIMEOUT:g} s (a filing batch "
                "in progress?): nothing changed, try again",
                code=Refusal.DATABASE_BUSY,
                seconds=store_module.BUSY_TIMEOUT,
            ) from error
        finally:
            store.close()


def open_workspace(config: Config, *, today: date | None = None) -> Workspace:
    """Load the roster, the référentiel and the rules named by ``config``."""
    return Workspace(
        config=config,
        referentiel=load_referentiel(config.paths.referentiel),
        roster=load_roster(config.paths.roster) if config.paths.roster else Roster(()),
        certification=load_certification(),
        dpc=load_dpc(),
        today=today,
    )


def current_user() -> str:
    """The OS user running the command (who decides when no ``--by`` is given)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def check_person(by: str) -> str:
    """The name a decision is recorded under: one line, not empty, not too long."""
    name = " ".join(by.split())
    if not name:
        raise UsageError("who decides? give a name (--by NAME)", code=Refusal.NO_PERSON)
    if len(name) > MAX_NAME:
        raise UsageError(
            f"a person's name is at most {MAX_NAME} characters",
            code=Refusal.NAME_TOO_LONG,
            by=name,
            most=MAX_NAME,
        )
    return name

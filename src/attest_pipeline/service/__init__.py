"""The secretariat's operations on the dossiers, for the command line and the web page alike.

One code path for each decision: the ``attest`` commands and ``attest serve`` call these
plain functions, which read and write the store and the folders and return frozen
dataclasses. Every function that changes something takes ``by`` (the person who decides:
the OS user, ``--by NAME``, or the logged-in user of the page), journals what it did, and
refuses with a :class:`~attest_pipeline.errors.DecisionRefused` (one line, exit code 2)
what it must not do, changing nothing; the refusal's :class:`~attest_pipeline.errors.Refusal`
code and values let the web page say it in French.

Modules:

- :mod:`~attest_pipeline.service.workspace`: :class:`Workspace` (configuration, roster,
  référentiel, rules) and :func:`open_workspace`;
- :mod:`~attest_pipeline.service.review`: what waits in review, and its resolve / reject /
  reopen;
- :mod:`~attest_pipeline.service.labels`: CNP labellisations: list, CSV, grant / refuse /
  reopen, import of a committee's CSV;
- :mod:`~attest_pipeline.service.progress`: certification cycles, the optimal allocation of
  actions to blocs, per-physician progress and the at-risk flag;
- :mod:`~attest_pipeline.service.dpc`: the DPC triennial view of the same attestations;
- :mod:`~attest_pipeline.service.export`: one row per dossier entry, CSV or JSON;
- :mod:`~attest_pipeline.service.summary`: the physician's summary PDF, in French.
"""

from __future__ import annotations

from attest_pipeline.service.workspace import Workspace, current_user, open_workspace

__all__ = ["Workspace", "current_user", "open_workspace"]

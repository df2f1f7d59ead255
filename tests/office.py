"""A state filled by a real ``attest run`` on generated PDFs, for the secretariat's tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from attest_pipeline.config import load_config
from attest_pipeline.pipeline import Pipeline
from attest_pipeline.registry import load_registry
from attest_pipeline.service import Workspace, open_workspace
from attest_pipeline.testing import make_pdf
from tests.conftest import write_config
from tests.test_pipeline import andpc
from tests.test_plugin_qualiopi import END_OF_TRAINING

#: The day the tests measure dossiers at.
TODAY = date(2026, 11, 22)
DUPONT = "10005682603"
MARTIN = "10101010105"


def qualiopi(
    name: str = "Mme Claire MARTIN", title: str = "Prise en charge de la douleur"
) -> bytes:
    """A Qualiopi end-of-training attestation: action 1.B, labellisation à demander."""
    text = END_OF_TRAINING.replace("Mme Claire MARTIN", name).replace(
        "Prise en charge de la douleur chronique", title
    )
    return make_pdf([text])


def run(root: Path) -> None:
    """Process the inbox once, as ``attest run`` does."""
    config = load_config(root / "config.toml")
    Pipeline(config, load_registry(config.plugins), today=TODAY).run(jobs=1)


def build_office(root: Path, roster: Path) -> Workspace:
    """DUPONT: 1.A and 2.A filed; MARTIN: 1.B pending the CNP; one item in review."""
    write_config(root, roster)
    inbox = root / "inbox"
    (inbox / "a.pdf").write_bytes(andpc())
    (inbox / "b.pdf").write_bytes(andpc(name="Paul INCONNU", rpps="", title="Autre sujet"))
    (inbox / "c.pdf").write_bytes(qualiopi())
    (inbox / "d.pdf").write_bytes(
        andpc(
            nature="Evaluation des pratiques professionnelles", title="Audit", action="22222222222"
        )
    )
    run(root)
    return workspace(root)


def workspace(root: Path) -> Workspace:
    """The workspace of the configuration under ``root``, measured at :data:`TODAY`."""
    return open_workspace(load_config(root / "config.toml"), today=TODAY)

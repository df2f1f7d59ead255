"""Files served by the page: by id from the database, only from the four folders."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attest_pipeline.config import load_config
from attest_pipeline.store import Store
from attest_pipeline.web.files import find
from tests.web_state import filled_workspace


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_workspace(tmp_path_factory.mktemp("files"))


def test_each_kind_by_id(root: Path) -> None:
    paths = load_config(root / "config.toml").paths
    with Store(paths.database, readonly=True) as store:
        entry = store.db.execute("SELECT id, path FROM dossier_entries LIMIT 1").fetchone()
        served = find(store, paths, "entry", entry["id"])
        assert served is not None and served.path == Path(entry["path"]) and served.is_pdf
        review = store.db.execute(
            "SELECT id, path FROM attestations WHERE status = 'review' LIMIT 1"
        ).fetchone()
        served = find(store, paths, "attestation", review["id"])
        assert served is not None and served.path.parent == paths.review
        empty = store.db.execute(
            "SELECT d.id FROM documents d WHERE outcome = 'reject' AND size = 0"
        ).fetchone()
        served = find(store, paths, "original", empty["id"])
        assert served is not None and served.path.is_relative_to(paths.archive)
        assert not served.is_pdf
        assert find(store, paths, "entry", 10**6) is None
        assert find(store, paths, "../etc", 1) is None


def test_a_row_pointing_outside_the_folders_is_not_served(root: Path) -> None:
    paths = load_config(root / "config.toml").paths
    outside = root / "roster.csv"
    db = sqlite3.connect(paths.database)
    # A tampered row: the guard must hold even if the database says otherwise.
    db.execute("UPDATE documents SET archive = ? WHERE id = 1", (str(outside),))
    db.execute(
        "UPDATE documents SET archive = ? WHERE id = 2", (str(paths.archive / ".." / ".." / "x"),)
    )
    db.commit()
    db.close()
    with Store(paths.database, readonly=True) as store:
        assert find(store, paths, "original", 1) is None
        assert find(store, paths, "original", 2) is None
        assert find(store, paths, "original", 3) is not None

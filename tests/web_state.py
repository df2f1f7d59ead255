"""A state for the web page's tests, filled by a real ``attest run`` on generated PDFs.

The PDFs are the generated samples (``samples/``, made by ``samples/generate.py``) without
the scans, with their roster: filed attestations, review items of several reasons,
quarantine, a duplicate, and actions waiting for the CNP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from attest_pipeline.testing import make_pdf
from tests.test_pipeline import ANDPC

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

#: A physician of the samples' roster whose name has accents.
ACCENTED = ("10404539024", "LEFÈVRE-ROUSSEAU", "Anne-Sophie")
#: A physician of the samples' roster with a dossier.
DUPONT = ("10432860582", "DUPONT", "Jean-Pierre")

CONFIG = """[paths]
inbox = "inbox"
dossiers = "dossiers"
review = "review"
quarantine = "quarantine"
state = "state"
roster = "roster.csv"

[plugins]
template_dirs = []
entry_points = false
timeout = 10.0

[watch]
quiet_period = 0.3
rescan_interval = 2.0
# The samples are complete: the empty and broken ones are quarantined at the first pass.
unreadable_after = 0.0
{extra}
"""


def attest(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``attest`` command as a user would, in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "attest_pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "ATTEST_CONFIG": str(cwd / "config.toml")},
        timeout=timeout,
        check=False,
    )


def filled_workspace(root: Path, extra: str = "") -> Path:
    """A workspace under ``root`` whose state a real ``attest run`` filled; returns ``root``."""
    (root / "inbox").mkdir(parents=True)
    shutil.copy(SAMPLES / "roster.csv", root / "roster.csv")
    for pdf in sorted(SAMPLES.glob("*/*.pdf")):
        if pdf.parent.name not in ("scanned", "gen"):
            shutil.copy(pdf, root / "inbox" / pdf.name)
    (root / "config.toml").write_text(CONFIG.format(extra=extra), encoding="utf-8")
    done = attest("run", "--jobs", "2", cwd=root)
    assert done.returncode == 0, done.stderr
    assert not list((root / "inbox").iterdir()), done.stdout
    return root


def new_attestation(title: str, action: str = "98765432109") -> bytes:
    """A new ANDPC attestation for DUPONT Jean-Pierre (filed in bloc 1 when dropped in)."""
    rpps, last, first = DUPONT
    return make_pdf(
        [
            ANDPC.format(
                name=f"{first} {last}",
                rpps=rpps,
                action=action,
                nature="Formation continue",
                title=title,
            )
        ]
    )

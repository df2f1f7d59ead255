"""Which file the page may serve: found by an id in the database, never by a path from a request.

Three kinds of id: ``entry`` (a dossier entry: the filed PDF), ``attestation`` (what the
pipeline wrote for one attestation: in the dossier, in review or in quarantine), ``original``
(a received document, from the archive). The path comes from the database and is served only
when it lies inside the dossiers, review, quarantine or archive folder, as a last guard
against a row pointing anywhere else.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from attest_pipeline.config import Paths
from attest_pipeline.store import Store

#: Each kind of id and the query giving its path and the name shown for it.
QUERIES = {
    "entry": "SELECT e.path AS path, d.name AS name FROM dossier_entries e "
    "JOIN attestations a ON a.id = e.attestation_id "
    "JOIN documents d ON d.id = a.document_id WHERE e.id = ?",
    "attestation": "SELECT a.path AS path, d.name AS name FROM attestations a "
    "JOIN documents d ON d.id = a.document_id WHERE a.id = ?",
    "original": "SELECT archive AS path, name FROM documents WHERE id = ?",
}


@dataclass(frozen=True, slots=True)
class Served:
    """A file the page may send: where it lies and the name to show for it."""

    path: Path
    name: str

    @property
    def is_pdf(self) -> bool:
        """Whether it is shown inline as a PDF (anything else is sent as an attachment)."""
        with open(self.path, "rb") as handle:
            return handle.read(5) == b"%PDF-"


def allowed_folders(paths: Paths) -> tuple[Path, ...]:
    """The only folders files are served from."""
    return (paths.dossiers, paths.review, paths.quarantine, paths.archive)


def find(store: Store, paths: Paths, kind: str, ident: int) -> Served | None:
    """The file of this kind and id; ``None`` if unknown, gone, or outside the four folders."""
    query = QUERIES.get(kind)
    if query is None:
        return None
    row = store.db.execute(query, (ident,)).fetchone()
    if row is None or not row["path"]:
        return None
    path = Path(row["path"]).resolve()
    if not any(path.is_relative_to(folder.resolve()) for folder in allowed_folders(paths)):
        return None
    if not path.is_file():
        return None
    return Served(path, row["name"])


#: Resolution of the page images shown beside a review item (readable, about 100 KB a page).
PREVIEW_DPI = 110
#: Pages shown as images; the whole PDF is one click away.
PREVIEW_PAGES = 6


def page_count(served: Served) -> int:
    """How many pages the served PDF has (0 when it cannot be read)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(served.path)
    except pdfium.PdfiumError:
        return 0
    try:
        return len(document)
    finally:
        document.close()


def preview_png(served: Served, number: int) -> bytes | None:
    """Page ``number`` (1-based) of the served PDF as a PNG, ``None`` if there is no such page.

    Browsers without a PDF viewer (headless ones, some locked-down office machines) still
    show the attestation beside its fields this way.
    """
    from attest_pipeline.ocr import render_page

    try:
        image = render_page(served.path.read_bytes(), number, PREVIEW_DPI)
    except ValueError:
        return None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

"""Renderers beyond reportlab and fpdf2: LibreOffice (a flat ODT) and Chromium (HTML).

A :class:`Flow` records what a variation page writes (lines, rows of cells) and writes it
as a document of flowing text, laid out by the renderer's own engine: paragraphs and real
tables, not strings at coordinates. Renderers are slow to start, so documents are rendered
in batches (one ``soffice`` call converting many files, one browser for many pages) and
each PDF is cached under a key of its source, so that a second run costs nothing and
gives the same bytes (both renderers stamp their PDFs with the time of rendering).

A renderer that is absent is reported by :func:`missing` with the reason: the caller
writes those documents with reportlab instead and says so loudly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Protocol

CHROMIUM = Path("/usr/bin/chromium")
#: Where rendered and signed PDFs are kept between runs, keyed by what made them.
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / (
    "attest-pipeline/variations")
#: The left margin of a variation page (points): an indent is measured from it.
MARGIN = 60.0

Row = list[tuple[float, str]]


class Surface(Protocol):
    """What a flow is replayed on: strings at coordinates, page after page."""

    def text(self, x: float, y: float, text: str) -> None:
        """Draw ``text`` at (x, y)."""

    def end_page(self) -> None:
        """Start the next page."""


class Flow:
    """A surface that records rows of text per page, for a renderer of flowing text."""

    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.title = title
        self.pages: list[list[tuple[float, Row]]] = [[]]

    def text(self, x: float, y: float, text: str) -> None:
        """Write ``text``; strings at the same height form one row (table cells)."""
        page = self.pages[-1]
        if page and page[-1][0] == y:
            page[-1][1].append((x, text))
        else:
            page.append((y, [(x, text)]))

    def width(self, text: str) -> float:
        """Nothing is too wide here: the renderer of flowing text wraps it."""
        return 0.0

    def field(self, name: str, label: str, value: str, x: float, y: float) -> None:
        """Form fields are written by reportlab only (the axes say so)."""
        raise NotImplementedError(f"{self.name} writes no form fields")

    def checkbox(self, name: str, x: float, y: float, checked: bool) -> None:
        """Form fields are written by reportlab only (the axes say so)."""
        raise NotImplementedError(f"{self.name} writes no form fields")

    def end_page(self) -> None:
        """Start the next page."""
        self.pages.append([])

    def finish(self) -> bytes:
        """Nothing yet: the PDF is made by :func:`render`, in a batch."""
        if not self.pages[-1]:
            self.pages.pop()
        return b""

    def replay(self, surface: Surface) -> None:
        """Write the recorded rows onto another surface (reportlab, when absent)."""
        for index, page in enumerate(self.pages):
            if index:
                surface.end_page()
            for y, row in page:
                for x, text in row:
                    surface.text(x, y, text)

    def blocks(self) -> list[list[tuple[str, list[Row]]]]:
        """Per page: ``("p", [row])`` for a line, ``("table", rows)`` for rows of cells."""
        pages = []
        for page in self.pages:
            blocks: list[tuple[str, list[Row]]] = []
            for _, row in page:
                kind = "table" if len(row) > 1 else "p"
                if kind == "table" and blocks and blocks[-1][0] == "table":
                    blocks[-1][1].append(row)
                else:
                    blocks.append((kind, [row]))
            pages.append(blocks)
        return pages

    def source(self) -> str:
        """The document handed to the renderer: HTML for Chromium, a flat ODT otherwise."""
        return _html(self) if self.name == "chromium" else _fodt(self)


def _html(flow: Flow) -> str:
    parts = []
    for blocks in flow.blocks():
        body = []
        for kind, rows in blocks:
            if kind == "p":
                x, text = rows[0][0]
                body.append(f'<p style="margin-left:{x - MARGIN:.0f}pt">{escape(text)}</p>')
                continue
            cells = "".join(
                "<tr>" + "".join(f"<td>{escape(t)}</td>" for _, t in row) + "</tr>"
                for row in rows)
            body.append(f"<table>{cells}</table>")
        parts.append('<section>' + "".join(body) + "</section>")
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(flow.title)}</title><style>"
        "@page{size:A4;margin:2cm 2cm 2cm 2.1cm}"
        "body{font-family:'DejaVu Sans',sans-serif;font-size:10pt;margin:0}"
        "p{margin:0 0 5pt}section:not(:last-child){break-after:page}"
        "table{border-collapse:collapse;margin:4pt 0 8pt}"
        "td{border:0.5pt solid #888;padding:2pt 8pt}"
        "</style></head><body>" + "".join(parts) + "</body></html>"
    )


_FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{title}</dc:title></office:meta>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:margin-bottom="0.12cm"/>
  <style:text-properties style:font-name="Liberation Serif" fo:font-size="10.5pt"
   fo:language="fr" fo:country="FR"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm"
  fo:page-height="29.7cm" fo:margin-top="2cm" fo:margin-bottom="2cm"
  fo:margin-left="2.1cm" fo:margin-right="2cm"/></style:page-layout>
 <style:style style:name="Break" style:family="paragraph">
  <style:paragraph-properties fo:break-before="page"/></style:style>
 {indents}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard"
 style:page-layout-name="A4"/></office:master-styles>
<office:body><office:text>
"""


def _fodt(flow: Flow) -> str:
    body: list[str] = []
    indents: dict[int, str] = {}
    tables = 0
    for number, blocks in enumerate(flow.blocks()):
        if number:
            body.append('<text:p text:style-name="Break"/>')
        for kind, rows in blocks:
            if kind == "p":
                x, text = rows[0][0]
                indent = round(x - MARGIN)
                style = indents.setdefault(indent, f"I{indent}")
                body.append(f'<text:p text:style-name="{style}">{escape(text)}</text:p>')
                continue
            tables += 1
            width = max(len(row) for row in rows)
            cells = "".join(
                "<table:table-row>" + "".join(
                    f'<table:table-cell office:value-type="string"><text:p>{escape(t)}'
                    "</text:p></table:table-cell>" for _, t in row) + "</table:table-row>"
                for row in rows)
            body.append(f'<table:table table:name="Table{tables}"><table:table-column '
                        f'table:number-columns-repeated="{width}"/>{cells}</table:table>')
    styles = "".join(
        f'<style:style style:name="{name}" style:family="paragraph"><style:paragraph-'
        f'properties fo:margin-left="{indent}pt"/></style:style>'
        for indent, name in indents.items())
    head = _FODT_HEAD.replace("{title}", escape(flow.title)).replace("{indents}", styles)
    return head + "".join(body) + "\n</office:text></office:body></office:document>\n"


def missing(name: str) -> str:
    """Why renderer ``name`` cannot run here ("" when it can)."""
    if name == "libreoffice":
        return "" if shutil.which("soffice") else (
            "soffice not found (apt-get install libreoffice-writer-nogui)")
    if name == "chromium":
        if not CHROMIUM.exists():
            return f"{CHROMIUM} not found (apt-get install chromium)"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "playwright not installed (pip install -e '.[test]')"
        return ""
    return ""


def cached(kind: str, source: bytes, cache: Path | None) -> tuple[Path | None, bytes | None]:
    """The cache file for ``source`` made by ``kind``, and its bytes when already there."""
    if cache is None:
        return None, None
    key = hashlib.sha256(kind.encode() + b"\0" + source).hexdigest()
    path = cache / kind / f"{key}.pdf"
    return path, (path.read_bytes() if path.exists() else None)


def keep(path: Path | None, data: bytes) -> None:
    """Store ``data`` at a cache ``path`` (beside, then renamed: a reader sees it whole)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(f".{os.getpid()}.part")
    part.write_bytes(data)
    part.replace(path)


def render(flows: list[Flow], cache: Path | None = CACHE) -> list[bytes]:
    """The PDF of each flow, rendered in batches per renderer, from the cache when there."""
    out: list[bytes | None] = []
    todo: dict[str, list[tuple[int, str, Path | None]]] = {}
    for index, flow in enumerate(flows):
        source = flow.source()
        path, data = cached(flow.name, source.encode(), cache)
        out.append(data)
        if data is None:
            todo.setdefault(flow.name, []).append((index, source, path))
    makers: dict[str, Callable[[list[str]], list[bytes]]] = {
        "libreoffice": _soffice, "chromium": _chromium}
    for name, jobs in todo.items():
        for (index, _, path), data in zip(jobs, makers[name]([s for _, s, _ in jobs]),
                                          strict=True):
            keep(path, data)
            out[index] = data
    return [data or b"" for data in out]


def _soffice(sources: list[str]) -> list[bytes]:
    """One ``soffice --convert-to pdf`` call for every flat ODT, with a profile of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = []
        for index, source in enumerate(sources):
            name = folder / f"doc{index:05d}.fodt"
            name.write_text(source, encoding="utf-8")
            names.append(name)
        # A private profile: another soffice running on the machine would take the files.
        profile = (folder / "profile").as_uri()
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder / "pdf"),
             *map(str, names)],
            check=True, capture_output=True, timeout=120 + 3 * len(names))
        return [(folder / "pdf" / f"{n.stem}.pdf").read_bytes() for n in names]


def _chromium(sources: list[str]) -> list[bytes]:
    """Every HTML page printed to PDF by one headless Chromium (Debian's, by Playwright)."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        for source in sources:
            page.set_content(source, wait_until="load")
            out.append(page.pdf(format="A4", prefer_css_page_size=True))
        browser.close()
    return out


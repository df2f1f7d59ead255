"""What the families share: issuers, software signatures, samples."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from reportlab.lib.colors import Color

from gen.draw import Meta
from gen.expect import Att

#: (Producer, Creator) pairs of the software that make real attestations.
SOFTWARE: dict[str, tuple[str, str]] = {
    "word": ("Microsoft® Word pour Microsoft 365", "Microsoft® Word pour Microsoft 365"),
    "word2016": ("Microsoft® Word 2016", "Microsoft® Word 2016"),
    "libreoffice": ("LibreOffice 7.6", "Writer"),
    "libreoffice24": ("LibreOffice 24.2", "Writer"),
    "chrome": ("Skia/PDF m120", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
               "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
    "wkhtml": ("Qt 4.8.7", "wkhtmltopdf 0.12.6"),
    "docusign": ("DocuSign PDF Library", "DocuSign"),
    "yousign": ("Yousign PDF Engine", "Yousign"),
    "itext": ("iText® 7.2.5 ©2000-2023 iText Group NV", "Plateforme e-DPC"),
    "indesign": ("Adobe PDF Library 17.0", "Adobe InDesign 18.5 (Macintosh)"),
    "quartz": ("macOS Version 14.2 (Build 23C64) Quartz PDFContext", "Pages"),
    "moodle": ("TCPDF 6.6.2 (http://www.tcpdf.org)", "Moodle 4.1"),
    "dompdf": ("dompdf 2.0.3 + CPDF", "Apogée - éditions"),
    "acrobat": ("Adobe Acrobat Pro (64-bit) 23.8.20470", "Adobe Acrobat Pro (64-bit) 23.8.20470"),
    "sygefor": ("TCPDF 6.4.1 (http://www.tcpdf.org)", "Sygefor 3"),
    "pdfcreator": ("PDFCreator 5.1.2", "PDFCreator"),
}


def meta(software: str, when: datetime, title: str = "", author: str = "") -> Meta:
    """The information dictionary of a document made by ``software`` at ``when``."""
    producer, creator = SOFTWARE[software]
    return Meta(producer, creator, when, title=title, author=author)


def signed_at(end: date, rng: random.Random, days: tuple[int, int] = (2, 20)) -> datetime:
    """When the attestation was signed: some days after the action, during office hours."""
    moment = datetime(end.year, end.month, end.day, rng.randrange(8, 18), rng.randrange(60),
                      rng.randrange(60)) + timedelta(days=rng.randrange(*days))
    latest = datetime(2026, 11, 20, 17, 0, 0)
    return min(moment, latest)


@dataclass(frozen=True)
class Org:
    """An issuer: its name, identifiers, address, colours and logo."""

    name: str
    short: str
    street: str
    city: str
    postcode: str
    siret: str
    color: Color
    logo: str
    head: str
    head_title: str
    odpc: str = ""
    nda: str = ""
    region: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""

    @property
    def mark(self) -> str:
        """The letters of the logo."""
        return self.short.split("-")[0].split()[0][:4]

    @property
    def address(self) -> str:
        """``12 rue ... - 69003 Lyon``."""
        return f"{self.street} - {self.postcode} {self.city}"


@dataclass
class Sample:
    """One generated file: where it goes, its bytes and its expected attestations."""

    folder: str
    name: str
    data: bytes
    atts: list[Att] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def rgb(r: int, g: int, b: int) -> Color:
    """A colour from 0-255 components."""
    return Color(r / 255, g / 255, b / 255)

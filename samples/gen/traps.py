"""Traps: documents the pipeline must send to review or reject, per the status rules."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from pypdf.generic import ArrayObject, ByteStringObject
from reportlab.lib.colors import white

from gen import andpc, congress, dates, qualiopi
from gen.common import Org, Sample, meta, rgb, signed_at
from gen.draw import GREY, Pdf
from gen.expect import Att
from gen.people import Person, break_rpps, name_as, spaced_siret


def _printed(p: Person, rpps: str | None = None) -> dict[str, str]:
    out = {"last_name": p.last, "first_name": p.first}
    return {"rpps": rpps, **out} if rpps else out


def _review(family: str, start: date | None, end: date | None, reason: str,
            printed: dict[str, str] | None = None) -> Att:
    return Att(family, start, end, status="review", reasons=[reason], printed=printed or {})


def _dpc(org: Org, person: Person, layout: str, start: date, end: date,
         rng: random.Random, style: str = "le_docteur", title: str = "") -> andpc.Dpc:
    return andpc.Dpc(org, person, style, "rpps", title or "Repérage et prise en charge de "
                     "l'insuffisance rénale chronique", "formation_continue", "general", start,
                     end, "long", 14, "à Lyon",
                     f"{org.odpc}{start.year % 100:02d}00{rng.randrange(100, 999)}", "1", layout,
                     "word")


def samples(roster: list[Person], strangers: list[Person], rng: random.Random) -> list[Sample]:
    """The traps."""
    odpcs = andpc.odpc_orgs(rng)
    trainers = qualiopi.orgs(rng)
    people = rng.sample([p for p in roster if p.last != "BERNARD" and not p.multiword_first], 8)
    out: list[Sample] = []

    def add(name: str, data: bytes, atts: list[Att], texts: list[str]) -> None:
        out.append(Sample("traps", f"trap_{len(out) + 1:02d}_{name}", data, atts, texts))

    # 1. An RPPS with a wrong check digit.
    p = people[0]
    start, end = date(2025, 5, 22), date(2025, 5, 23)
    d = _dpc(odpcs[0], p, "grid", start, end, rng)
    d.form = "long"
    bad = break_rpps(p.rpps)
    pdf = Pdf(meta("itext", signed_at(end, rng)))
    d.person = Person(bad, p.last, p.first, p.display_last, p.sex, p.email, p.registered_on,
                      p.practising_since, p.birth, p.birthplace)
    andpc.render(pdf, d, rng)
    add("invalid_rpps", pdf.finish(),
        [_review("andpc", start, end, "invalid_rpps", _printed(p, bad))], pdf.pages)

    # 2. A physician who is not on the roster, with a valid RPPS.
    s = strangers[4]
    start = end = date(2025, 11, 6)
    d = _dpc(odpcs[1], s, "letter", start, end, rng)
    pdf = Pdf(meta("word", signed_at(end, rng)))
    andpc.render(pdf, d, rng)
    add("unknown_with_rpps", pdf.finish(),
        [_review("andpc", start, end, "unknown_participant", _printed(s, s.rpps))], pdf.pages)

    # 3. Not on the roster and no RPPS.
    s = strangers[5]
    e = congress.EVENTS["cds25"]
    pdf = Pdf(meta("indesign", signed_at(e.end, rng)))
    congress._banner(pdf, e, s, "dr", False, rng, signed_at(e.end, rng).date())
    add("unknown_without_rpps", pdf.finish(),
        [_review("congress", e.start, e.end, "unknown_participant", _printed(s))], pdf.pages)

    # 4. The homonyms, without RPPS: two physicians of the roster match.
    homonym = next(p for p in roster if p.last == "BERNARD")
    e = congress.EVENTS["cnge24"]
    pdf = Pdf(meta("word", signed_at(e.end, rng)))
    congress._letter(pdf, e, homonym, "le_docteur", False, rng, signed_at(e.end, rng).date())
    add("homonym_without_rpps", pdf.finish(),
        [_review("congress", e.start, e.end, "ambiguous_participant", _printed(homonym))],
        pdf.pages)

    # 5. An RPPS of the roster printed with another person's name.
    p, s = people[1], strangers[6]
    start, end = date(2024, 4, 11), date(2024, 4, 12)
    t = qualiopi.Training(trainers[0], Person(p.rpps, s.last, s.first, s.display_last, s.sex,
                                              s.email, s.registered_on, s.practising_since,
                                              s.birth, s.birthplace),
                          "dr", True, "Prise en charge de la migraine en soins primaires",
                          "formation_continue", "general", start, end, "long", 14,
                          ["connaître les traitements de crise et de fond"], "AFNOR Certification",
                          "classic")
    pdf = Pdf(meta("word", signed_at(end, rng)))
    qualiopi._classic(pdf, t, rng, signed_at(end, rng).date())
    add("rpps_of_another_physician", pdf.finish(),
        [_review("qualiopi", start, end, "participant_mismatch", {"rpps": p.rpps})], pdf.pages)

    # 6. A congress programme: not an attestation.
    pdf = Pdf(meta("indesign", datetime(2025, 5, 2, 10, 0, 0), title="Programme JMGB 2025"))
    _programme(pdf, roster)
    add("not_attestation_programme", pdf.finish(), [_review("", None, None, "no_plugin")],
        pdf.pages)

    # 7. A letter confirming a registration: not an attestation either.
    p = people[2]
    pdf = Pdf(meta("word", datetime(2026, 1, 5, 9, 12, 0)))
    _registration(pdf, odpcs[2], p)
    add("not_attestation_letter", pdf.finish(), [_review("", None, None, "no_plugin")],
        pdf.pages)

    # 8. An invoice of a training organisation.
    p = people[3]
    pdf = Pdf(meta("pdfcreator", datetime(2025, 3, 20, 16, 40, 0), title="Facture"))
    _invoice(pdf, trainers[1], p)
    add("invoice", pdf.finish(), [_review("", None, None, "no_plugin")], pdf.pages)

    # 9. An attestation without the dates of the action.
    p = people[4]
    pdf = Pdf(meta("acrobat", datetime(2025, 9, 30, 11, 0, 0)))
    _undated(pdf, trainers[2], p, rng)
    add("missing_dates", pdf.finish(),
        [_review("qualiopi", None, None, "missing_field", _printed(p, p.rpps))], pdf.pages)

    # 10. Action dates in the future (a typing slip: 2031 for 2025).
    p = people[5]
    start, end = date(2031, 3, 12), date(2031, 3, 14)
    d = _dpc(odpcs[3], p, "letter", start, end, rng)
    pdf = Pdf(meta("word", datetime(2025, 3, 20, 10, 5, 0)))
    andpc.LAYOUTS["letter"](pdf, d, rng, date(2025, 3, 20))
    add("future_date_2031", pdf.finish(),
        [_review("andpc", start, end, "implausible_date", _printed(p, p.rpps))], pdf.pages)

    # 11-13. Files that cannot be read.
    add("empty", b"", [Att("", None, None, status="reject", reasons=["empty"], pages=[])], [])
    add("not_pdf_docx_renamed", _docx(),
        [Att("", None, None, status="reject", reasons=["not_pdf"], pages=[])], [])
    p = people[6]
    start = end = date(2024, 12, 5)
    d = _dpc(odpcs[4], p, "twocol", start, end, rng, "dr")
    pdf = Pdf(meta("libreoffice", signed_at(end, rng)))
    andpc.render(pdf, d, rng)
    add("encrypted_user_password", _encrypt(pdf.finish(), "attestation2024", "owner-2024"),
        [Att("", None, None, status="reject", reasons=["encrypted"], pages=[])], [])

    # 14. Only an owner password (printing, copying restrictions): opens normally.
    p = people[7]
    start, end = date(2025, 2, 13), date(2025, 2, 14)
    d = _dpc(odpcs[0], p, "letter", start, end, rng, "le_docteur",
             "Troubles anxieux de l'adulte : repérage et prise en charge")
    pdf = Pdf(meta("acrobat", signed_at(end, rng)))
    att = andpc.render(pdf, d, rng)
    add("owner_password_only", _encrypt(pdf.finish(), "", "proprietaire"), [att], pdf.pages)
    return out


def _programme(pdf: Pdf, roster: list[Person]) -> None:
    s = pdf.page()
    e = congress.EVENTS["jmgb25"]
    s.band(s.h - 100, 100, rgb(*e.color))
    s.text(50, s.h - 50, e.edition.upper() + " - PROGRAMME", "Helvetica-Bold", 22,
           color=white)
    s.text(50, s.h - 72, f"{e.name} - {e.venue}, {e.city}", "Helvetica", 11,
           color=white)
    speakers = [f"Dr {p.first} {p.last}" for p in roster[3:9]]
    days = [
        (f"Mardi {dates.long(e.start)}", [
            ("13h30", "Accueil des participants"),
            ("14h00", f"Plénière d'ouverture - {speakers[0]}"),
            ("15h30", f"Ateliers : dermatoscopie, spirométrie - {speakers[1]}"),
            ("17h30", "Assemblée générale de l'association")]),
        (f"Mercredi {dates.long(date(2025, 10, 1))}", [
            ("09h00", f"Actualités en cardiologie - {speakers[2]}"),
            ("10h45", f"Table ronde : exercice coordonné - {speakers[3]}"),
            ("14h00", "Communications libres"),
            ("20h00", "Dîner du congrès")]),
        (f"Jeudi {dates.long(e.end)}", [
            ("09h00", f"Pédiatrie : les urgences qui n'en sont pas - {speakers[4]}"),
            ("11h00", f"Conférence de clôture - {speakers[5]}"),
            ("12h30", "Fin des journées")]),
    ]
    y = s.h - 140
    for title, slots in days:
        s.text(50, y, title, "Helvetica-Bold", 12.5)
        y -= 20
        for hour, label in slots:
            s.text(60, y, hour, "Courier-Bold", 10)
            y = s.para(110, y, s.w - 160, label, "Helvetica", 10, after=4)
        y -= 10
    s.para(50, y - 10, s.w - 100, "Inscription en ligne avant le 15 septembre 2025. Tarif "
           "adhérent : 180 euros ; non adhérent : 240 euros. Renseignements : "
           "secretariat@jmgb.bzh", "Helvetica-Oblique", 9.5, color=GREY)


def _registration(pdf: Pdf, org: Org, p: Person) -> None:
    s = pdf.page()
    s.logo(org.logo, 50, 760, 44, org.color, org.mark[:3])
    s.lines(105, 795, [org.name, org.address], "Helvetica", 9.5)
    s.lines(340, 700, [name_as(p, "dr"), "Cabinet médical", f"{p.birthplace.split()[0]}"],
            "Helvetica", 10.5)
    s.text(340, 640, "Paris, le 5 janvier 2026", "Helvetica", 10.5)
    s.text(60, 600, "Objet : confirmation de votre inscription", "Helvetica-Bold", 11)
    y = s.para(60, 570, s.w - 120, f"{'Chère Consoeur' if p.sex == 'F' else 'Cher Confrère'},",
               "Helvetica", 10.5, after=6)
    y = s.para(60, y, s.w - 120, "Nous avons le plaisir de vous confirmer votre inscription à "
               f"l'action de DPC n° {org.odpc}2600087 « Dépistage et suivi de la maladie rénale "
               "chronique », qui se déroulera du 12 au 13 février 2026 à Paris. Votre "
               "participation sera prise en charge par l'Agence nationale du Développement "
               "Professionnel Continu dans la limite de votre forfait annuel.", "Helvetica",
               10.5, align="justify", after=6)
    y = s.para(60, y, s.w - 120, "Nous vous remercions de vous connecter à votre compte sur "
               "mondpc.fr afin de valider votre inscription. Les documents de la session vous "
               "seront remis sur place.", "Helvetica", 10.5, align="justify", after=6)
    y = s.para(60, y, s.w - 120, "Nous vous prions d'agréer, "
               f"{'Chère Consoeur' if p.sex == 'F' else 'Cher Confrère'}, l'expression de nos "
               "salutations confraternelles.", "Helvetica", 10.5, after=30)
    s.text(340, y, "Le secrétariat pédagogique", "Helvetica", 10.5)


def _invoice(pdf: Pdf, org: Org, p: Person) -> None:
    s = pdf.page()
    s.logo(org.logo, 50, 760, 44, org.color, org.mark[:3])
    s.lines(105, 795, [org.name, org.street, f"{org.postcode} {org.city}"], "Helvetica", 9.5)
    s.text(s.w - 50, 790, "FACTURE N° F2025-0412", "Helvetica-Bold", 15, "right")
    s.text(s.w - 50, 772, "Date : 20/03/2025", "Helvetica", 10, "right")
    s.lines(340, 700, ["Client :", name_as(p, "dr"), "Cabinet médical",
                       p.birthplace.split()[0]], "Helvetica", 10.5)
    rows = [["Désignation", "Qté", "PU HT", "Total HT"],
            ["Formation « Rhumatologie pratique au cabinet » - session des 13 et 14 mars 2025 "
             "(14 heures)", "1", "690,00 €", "690,00 €"],
            ["Frais de repas", "2", "25,00 €", "50,00 €"]]
    y = s.table(50, 620, [265, 50, 90, 90], rows, "Helvetica", 10, bold_first=False)
    y = s.table(365, y - 10, [90, 90], [["Total HT", "740,00 €"], ["TVA", "0,00 €"],
                                        ["Net à payer", "740,00 €"]], "Helvetica", 10)
    y = s.para(50, y - 20, s.w - 100, "TVA non applicable, article 261-4-4° a du Code général "
               "des impôts. Règlement à réception par virement (IBAN FR76 3000 4000 0500 0012 "
               "3456 789). En cas de retard, pénalités au taux légal et indemnité forfaitaire "
               "de 40 euros.", "Helvetica", 9, after=6)
    s.para(50, y, s.w - 100, qualiopi._nda_sentence(org) + " Organisme certifié Qualiopi.",
           "Helvetica", 8.5, color=GREY)
    s.text(s.w / 2, 40, f"{org.name} - SIRET {spaced_siret(org.siret)}", "Helvetica", 7.5,
           "center", GREY)


def _undated(pdf: Pdf, org: Org, p: Person, rng: random.Random) -> None:
    s = pdf.page()
    s.text(s.w / 2, 790, "ATTESTATION DE FIN DE FORMATION", "Helvetica-Bold", 16, "center")
    s.text(s.w / 2, 772, org.name, "Helvetica", 11, "center", org.color)
    y = s.para(60, 720, s.w - 120, f"Je soussigné(e), {org.head}, représentant(e) légal(e) de "
               f"{org.name}, atteste que **{name_as(p, 'dr')}** (RPPS {p.rpps}) a suivi la "
               "formation « Insuffisance veineuse et ulcères de jambe » d'une durée de "
               "7 heures.", "Helvetica", 11, align="justify", after=8)
    y = s.para(60, y, s.w - 120, "Nature de l'action : action de formation. Objectifs : "
               "diagnostiquer l'insuffisance veineuse ; prescrire la compression adaptée. "
               "Résultats de l'évaluation des acquis : objectifs atteints.", "Helvetica", 10.5,
               after=8)
    y = s.para(60, y, s.w - 120, qualiopi._nda_sentence(org), "Helvetica", 9.5, after=30)
    s.text(340, y, f"Fait à {org.city}, le 30/09/2025", "Helvetica", 10.5)
    s.text(340, y - 15, org.head_title, "Helvetica", 10.5)
    s.scribble(345, y - 50, 100, rng)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns='
             '"http://schemas.openxmlformats.org/package/2006/content-types"/>'),
            ("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
             '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
             "<w:r><w:t>Attestation de participation</w:t></w:r></w:p></w:body></w:document>"),
        ):
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 20, 10, 0, 0))
            archive.writestr(info, text)
    return buffer.getvalue()


#: Copying, modifying and assembling refused, printing allowed: what an owner password
#: usually protects.
_RESTRICTED = UserAccessPermissions.all() & ~(
    UserAccessPermissions.MODIFY | UserAccessPermissions.EXTRACT
    | UserAccessPermissions.ADD_OR_MODIFY | UserAccessPermissions.ASSEMBLE_DOC)


def _encrypt(data: bytes, user: str, owner: str) -> bytes:
    """Encrypt with RC4-128 and a fixed file identifier, so that the bytes are reproducible."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    fixed = ByteStringObject(bytes(range(16)))

    def identifiers() -> None:
        writer._ID = ArrayObject((fixed, fixed))

    writer.generate_file_identifiers = identifiers  # type: ignore[method-assign]
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128",
                   permissions_flag=_RESTRICTED if not user else UserAccessPermissions.all())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

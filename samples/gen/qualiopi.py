"""Attestations of Qualiopi-certified training organisations (Code du travail L. 6353-1)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import white

from gen import dates
from gen.common import Org, Sample, meta, rgb, signed_at
from gen.draw import GREY, Pdf, Sheet
from gen.expect import Att
from gen.people import Person, make_siret, name_as, spaced_siret

NATURE_LABEL = {
    "formation_continue": "action de formation (article L. 6313-1, 1° du Code du travail)",
    "epp": "analyse des pratiques professionnelles",
    "gestion_risques": "gestion des risques",
}
NATURE_SHORT = {
    "formation_continue": "Action de formation",
    "epp": "Analyse des pratiques professionnelles",
    "gestion_risques": "Gestion des risques",
}
CERTIFIERS = ("AFNOR Certification", "Bureau Veritas Certification", "SOCOTEC Certification",
              "ICPF")


def orgs(rng: random.Random) -> list[Org]:
    """The training organisations of the corpus."""
    return [
        Org("Cap Santé Formation", "CAP", "18 rue de la Roquette", "Paris", "75011",
            make_siret(rng), rgb(0, 100, 170), "rings", "M. Olivier BRESSON",
            "Le Directeur général", nda="11 75 12345 75", region="Île-de-France",
            phone="01 43 55 20 10", email="formation@capsante.fr"),
        Org("Médicoach Formations", "MEDICOACH", "52 quai Pierre Scize", "Lyon", "69005",
            make_siret(rng), rgb(90, 40, 140), "hexagon", "Mme Agnès FERRAND", "La Gérante",
            nda="84 69 14587 69", region="Auvergne-Rhône-Alpes", web="www.medicoach.fr"),
        Org("Ateliers Cliniques du Sud", "ACS", "9 rue Foch", "Montpellier", "34000",
            make_siret(rng), rgb(200, 120, 0), "leaf", "Dr Marc ESTÈVE", "Le Président",
            nda="76 34 09876 34", region="Occitanie"),
        Org("Océan Formation Santé", "OFS", "33 cours de l'Intendance", "Bordeaux", "33000",
            make_siret(rng), rgb(0, 130, 150), "cross", "Mme Julie LARRIEU",
            "La Responsable pédagogique", nda="75 33 11223 33", region="Nouvelle-Aquitaine",
            email="contact@ocean-formation-sante.fr"),
        Org("Nord Pratiques Médicales", "NPM", "7 place du Théâtre", "Lille", "59800",
            make_siret(rng), rgb(40, 70, 40), "bars", "M. Hervé DELATTRE", "Le Directeur",
            nda="32 59 10472 59", region="Hauts-de-France"),
    ]


@dataclass
class Training:
    """What a training organisation's attestation says."""

    org: Org
    person: Person
    style: str
    rpps: bool
    title: str
    nature: str
    theme: str
    start: date
    end: date
    form: str
    hours: int
    objectives: list[str]
    certifier: str
    layout: str


def _nda_sentence(org: Org) -> str:
    return (f"Déclaration d'activité enregistrée sous le numéro {org.nda} auprès du préfet de "
            f"région {org.region}. Cet enregistrement ne vaut pas agrément de l'État.")


def _footer(s: Sheet, t: Training) -> None:
    org = t.org
    s.rule(45, 78, s.w - 45, 0.4, GREY)
    s.para(45, 68, s.w - 90, _nda_sentence(org), "Helvetica", 7, align="center", color=GREY)
    s.text(s.w / 2, 46, f"{org.name} - {org.address} - SIRET {spaced_siret(org.siret)}",
           "Helvetica", 7, "center", GREY)
    s.text(s.w / 2, 37, f"Organisme certifié Qualiopi par {t.certifier} au titre de la "
           "catégorie : actions de formation", "Helvetica", 7, "center", GREY)


def _classic(pdf: Pdf, t: Training, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = t.org
    s.logo(org.logo, 50, 742, 44, org.color, org.mark[:3] if org.logo != "leaf" else "")
    s.lines(105, 790, [org.name], "Helvetica-Bold", 12, color=org.color)
    s.lines(105, 776, [org.address, org.phone or org.email or org.web], "Helvetica", 8.5,
            color=GREY)
    s.text(s.w / 2, 690, "ATTESTATION DE FIN DE FORMATION", "Helvetica-Bold", 16, "center")
    s.text(s.w / 2, 673, "(article L. 6353-1 du Code du travail)", "Helvetica-Oblique", 9.5,
           "center")
    y = s.para(55, 635, s.w - 110, f"Je soussigné(e), {{{org.head}}}, représentant(e) légal(e) "
               f"de l'organisme de formation {org.name}, atteste que :", "Helvetica", 10.5,
               after=6)
    s.text(75, y, name_as(t.person, t.style), "Helvetica-Bold", 11.5)
    y -= 15
    if t.rpps:
        s.text(75, y, f"RPPS : {t.person.rpps}", "Helvetica", 10.5)
        y -= 15
    y = s.para(55, y - 4, s.w - 110, f"a suivi l'action intitulée **« {t.title} »**.",
               "Helvetica", 10.5, after=6)
    s.text(55, y, "Objectifs de l'action :", "Helvetica-Bold", 10.5)
    y -= 15
    for objective in t.objectives:
        y = s.para(70, y, s.w - 135, f"- {objective}", "Helvetica", 10, after=1)
    facts = [
        f"Nature de l'action : {NATURE_LABEL[t.nature]}",
        f"Dates : {dates.span(t.start, t.end, t.form)}",
        f"Durée : {t.hours} heures",
        "Résultats de l'évaluation des acquis : objectifs atteints",
    ]
    y -= 6
    for fact in facts:
        label, value = fact.split(" : ", 1)
        y = s.para(55, y, s.w - 110, f"**{label} :** {value}", "Helvetica", 10.5, after=2)
    y = s.para(55, y - 10, s.w - 110, "Attestation remise au stagiaire à l'issue de la "
               "formation, pour faire valoir ce que de droit.", "Helvetica", 10, after=20)
    s.text(330, y, f"Fait à {org.city}, le {dates.num(signed)}", "Helvetica", 10.5)
    s.text(330, y - 15, org.head_title, "Helvetica", 10.5)
    s.scribble(335, y - 50, 100, rng)
    s.text(330, y - 70, org.head, "Helvetica", 10.5)
    _footer(s, t)


def _grid(pdf: Pdf, t: Training, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = t.org
    s.text(s.w / 2, 800, org.name.upper(), "Times-Bold", 15, "center", org.color)
    s.text(s.w / 2, 785, org.address, "Times-Roman", 10, "center")
    s.rule(150, 776, s.w - 150, 1, org.color)
    s.text(s.w / 2, 735, "Attestation de fin de formation", "Times-Bold", 20, "center")
    p = t.person
    rows = [["Nom", p.last], ["Prénom", p.first]]
    if t.rpps:
        rows.append(["N° RPPS", p.rpps])
    rows += [
        ["Intitulé de la formation", t.title],
        ["Objectifs", " ; ".join(t.objectives)],
        ["Nature de l'action", NATURE_SHORT[t.nature]],
        ["Dates", dates.span(t.start, t.end, t.form)],
        ["Durée", f"{t.hours} heures"],
        ["Modalité", "Présentiel, en groupe"],
        ["Résultats de l'évaluation", "Acquis validés"],
    ]
    y = s.table(65, 700, [160, s.w - 290], rows, "Times-Roman", 11)
    y = s.para(65, y - 25, s.w - 130, "Conformément à l'article L. 6353-1 du Code du travail, "
               "la présente attestation mentionne les objectifs, la nature et la durée de "
               "l'action ainsi que les résultats de l'évaluation des acquis de la formation.",
               "Times-Roman", 10.5, align="justify", after=8)
    y = s.para(65, y, s.w - 130, _nda_sentence(org), "Times-Italic", 10, after=25)
    s.text(s.w - 220, y, f"{org.city}, le {dates.long(signed)}", "Times-Roman", 11)
    s.text(s.w - 220, y - 15, f"{org.head}, {org.head_title.lower()}", "Times-Roman", 11)
    s.round_stamp(s.w - 140, y - 60, 34, org.mark, org.city.upper(), org.color)
    s.text(s.w / 2, 45, f"SIRET {org.siret} - Qualiopi : certificat délivré par "
           f"{t.certifier}", "Times-Roman", 8, "center", GREY)


def _certificate(pdf: Pdf, t: Training, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = t.org
    s.text(s.w / 2, 790, "CERTIFICAT DE RÉALISATION", "Helvetica-Bold", 17, "center")
    s.rule(60, 778, s.w - 60, 1.2)
    y = s.para(60, 745, s.w - 120, f"Je soussigné(e) **{org.head}**, représentant(e) légal(e) "
               f"du dispensateur de l'action concourant au développement des compétences "
               f"**{org.name}**, atteste que :", "Helvetica", 10.5, after=6)
    p = t.person
    y = s.para(80, y, s.w - 160, f"**{name_as(p, t.style)}**" + (
        f", N° RPPS {p.rpps}," if t.rpps else ","), "Helvetica", 11, after=4)
    y = s.para(60, y, s.w - 120, f"a suivi l'action **{t.title}**", "Helvetica", 10.5, after=8)
    s.text(60, y, "Nature de l'action concourant au développement des compétences :",
           "Helvetica", 10)
    y -= 18
    boxes = [("action de formation", True), ("bilan de compétences", False),
             ("action de VAE", False), ("action de formation par apprentissage", False)]
    for label, checked in boxes:
        s.checkbox(80, y, checked, label)
        y -= 15
    y = s.para(60, y - 4, s.w - 120, f"Catégorie : {NATURE_SHORT[t.nature].lower()}",
               "Helvetica", 10, after=6)
    y = s.para(60, y, s.w - 120, f"qui s'est déroulée **{{{dates.span(t.start, t.end, t.form)}}}** "
               f"pour une durée de **{t.hours} heures**.", "Helvetica", 10.5, after=6)
    y = s.para(60, y, s.w - 120, "Objectifs : " + " ; ".join(t.objectives) + ".",
               "Helvetica", 10, after=4)
    y = s.para(60, y, s.w - 120, "Évaluation des acquis : réalisée - résultats satisfaisants.",
               "Helvetica", 10, after=6)
    y = s.para(60, y, s.w - 120, "Sans préjudice des délais imposés par les règles fixées "
               "pour la conservation des documents, le dispensateur s'engage à conserver "
               "l'ensemble des pièces justificatives qui ont permis d'établir le présent "
               "certificat pendant une durée de 3 ans.", "Helvetica", 8.5, align="justify",
               after=20)
    s.text(60, y, f"Fait à : {org.city}", "Helvetica", 10)
    s.text(60, y - 14, f"Le : {dates.num(signed)}", "Helvetica", 10)
    s.text(330, y, "Cachet et signature du responsable", "Helvetica-Oblique", 9)
    s.text(330, y - 11, "du dispensateur de l'action", "Helvetica-Oblique", 9)
    s.round_stamp(390, y - 60, 32, org.mark, org.city.upper(), org.color)
    s.scribble(410, y - 70, 90, rng)
    _footer(s, t)


def _sidebar(pdf: Pdf, t: Training, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = t.org
    envelope = "-".join(f"{rng.getrandbits(32):08X}"[:n] for n in (8, 4, 4, 4)) + \
        f"-{rng.getrandbits(48):012X}"
    s.text(20, s.h - 14, f"Docusign Envelope ID: {envelope}", "Helvetica", 7, color=GREY)
    s.c.setFillColor(org.color)
    s.c.rect(0, 0, 165, s.h - 25, stroke=0, fill=1)
    s.logo("rings", 50, s.h - 120, 60, white, org.mark[:3])
    s.lines(20, s.h - 160, [org.name], "Helvetica-Bold", 9.5, color=white)
    s.lines(20, s.h - 178, [org.street, f"{org.postcode} {org.city}", "", f"NDA {org.nda}",
                            f"SIRET {org.siret}", "", "Certifié Qualiopi",
                            "Actions de formation"], "Helvetica", 8, 11, color=white)
    x, width = 190, s.w - 230
    s.text(x, s.h - 90, "Attestation de fin de formation", "Helvetica-Bold", 17)
    s.rule(x, s.h - 100, s.w - 40, 2, org.color)
    p = t.person
    y = s.h - 140
    pairs = [("Stagiaire", name_as(p, t.style))]
    if t.rpps:
        pairs.append(("RPPS", p.rpps))
    pairs += [("Formation", t.title), ("Nature", NATURE_SHORT[t.nature]),
              ("Période", dates.span(t.start, t.end, t.form)), ("Durée", f"{t.hours} h"),
              ("Évaluation des acquis", "objectifs atteints")]
    for label, value in pairs:
        s.text(x, y, label.upper(), "Helvetica-Bold", 7.5, color=GREY)
        y = s.para(x, y - 13, width, value, "Courier", 10.5, after=8)
    y = s.para(x, y - 4, width, "Objectifs pédagogiques : " + " ; ".join(t.objectives) + ".",
               "Helvetica", 9.5, after=6)
    y = s.para(x, y, width, "Attestation établie en application de l'article L. 6353-1 du "
               "Code du travail. " + _nda_sentence(org), "Helvetica", 8.5, align="justify",
               after=24)
    moment = signed_at(t.end, rng, (1, 3))
    s.stamp(x, y, [f"Signé par : {org.head}", f"Date de signature : {moment:%d/%m/%Y %H:%M:%S}",
                   f"ID de l'enveloppe : {envelope[:18]}..."], 240)


LAYOUTS = {"classic": _classic, "grid": _grid, "certificate": _certificate,
           "sidebar": _sidebar}

# (layout, nature, theme, title, start, end, form, style, rpps, hours, objectives)
_SPECS: tuple[tuple[str, str, str, str, date, date, str, str, bool, int, tuple[str, ...]],
              ...] = (
    ("classic", "formation_continue", "general",
     "Prise en charge des troubles du sommeil de l'adulte", date(2025, 1, 23),
     date(2025, 1, 24), "long", "dr", True, 14,
     ("repérer les principaux troubles du sommeil", "conduire un bilan initial",
      "connaître les traitements non médicamenteux")),
    ("grid", "formation_continue", "general", "Dermatologie pratique en médecine générale",
     date(2024, 3, 14), date(2024, 3, 15), "num", "plain", False, 14,
     ("reconnaître les lésions élémentaires", "prendre en charge les dermatoses courantes")),
    ("certificate", "formation_continue", "general",
     "Lecture critique d'un électrocardiogramme", date(2023, 5, 11), date(2023, 5, 11),
     "long", "civ", False, 7, ("interpréter un ECG de repos", "repérer les situations urgentes")),
    ("sidebar", "epp", "general",
     "Analyse des pratiques : prescription des examens biologiques", date(2025, 9, 8),
     date(2025, 12, 15), "num", "dr_last_first", True, 10,
     ("comparer sa pratique aux recommandations", "définir des actions d'amélioration")),
    ("classic", "epp", "relation_patients",
     "Analyse des pratiques : la relation avec le patient douloureux chronique",
     date(2024, 10, 3), date(2025, 3, 27), "long", "civ_long", False, 12,
     ("analyser des situations cliniques vécues", "améliorer la relation thérapeutique")),
    ("grid", "epp", "relation_patients",
     "Décision médicale partagée en soins primaires : analyse des pratiques",
     date(2026, 2, 2), date(2026, 6, 22), "num", "plain", True, 9,
     ("identifier les situations de choix", "impliquer le patient dans la décision")),
    ("certificate", "gestion_risques", "general",
     "Événements indésirables associés aux soins en cabinet de ville", date(2024, 11, 21),
     date(2024, 11, 22), "long", "dr", True, 14,
     ("déclarer et analyser un événement indésirable", "conduire une revue de morbi-mortalité")),
    ("sidebar", "formation_continue", "professional_risks",
     "Prévention du burn-out chez les médecins libéraux", date(2025, 6, 12),
     date(2025, 6, 13), "long", "dr", False, 14,
     ("repérer les signes d'alerte chez soi", "construire un plan de prévention personnel")),
    ("classic", "gestion_risques", "professional_risks",
     "Santé financière et gestion de carrière du médecin libéral", date(2023, 10, 5),
     date(2023, 10, 6), "long", "dr", True, 14,
     ("piloter l'activité du cabinet", "anticiper les étapes de carrière")),
    ("grid", "formation_continue", "professional_risks",
     "Violences faites aux soignants : prévenir et réagir", date(2026, 3, 19),
     date(2026, 3, 19), "long", "plain", False, 7,
     ("évaluer les risques au cabinet", "réagir face à une situation de violence")),
    ("certificate", "formation_continue", "relation_patients",
     "Éducation thérapeutique : accompagner les patients diabétiques", date(2024, 5, 16),
     date(2024, 5, 17), "long", "docteur", False, 14,
     ("conduire un bilan éducatif partagé", "animer une séance collective")),
    ("sidebar", "epp", "relation_patients",
     "Téléconsultation : analyse des pratiques de la relation numérique", date(2025, 4, 3),
     date(2025, 6, 26), "num", "dr", True, 8,
     ("analyser ses téléconsultations", "sécuriser les échanges numériques")),
    ("classic", "formation_continue", "general",
     "Contraception et suivi gynécologique en soins primaires", date(2023, 6, 15),
     date(2023, 6, 16), "le", "married", False, 14,
     ("actualiser ses connaissances en contraception", "organiser le suivi gynécologique")),
    ("grid", "epp", "general", "Analyse des pratiques en antibiothérapie", date(2024, 1, 11),
     date(2024, 6, 13), "num", "plain", True, 10,
     ("auditer ses prescriptions", "mettre en place des actions correctrices")),
    ("certificate", "formation_continue", "general", "Nutrition et obésité de l'adulte",
     date(2026, 10, 1), date(2026, 10, 2), "long", "dr_mixed", False, 14,
     ("évaluer le statut nutritionnel", "proposer une prise en charge graduée")),
)


def samples(roster: list[Person], rng: random.Random) -> list[Sample]:
    """The Qualiopi part of the corpus."""
    from gen.andpc import _slug

    bodies = orgs(rng)
    chosen = rng.sample([p for p in roster if p.last != "BERNARD"], len(_SPECS))
    married = next(p for p in roster if p.maiden)
    software = ("word", "libreoffice", "acrobat", "docusign")
    out = []
    for index, spec in enumerate(_SPECS):
        layout, nature, theme, title, start, end, form, style, rpps, hours, objectives = spec
        person = married if style == "married" else chosen[index]
        t = Training(bodies[index % len(bodies)], person, style, rpps, title, nature, theme,
                     start, end, form, hours, list(objectives),
                     CERTIFIERS[index % len(CERTIFIERS)], layout)
        signed = signed_at(end, rng).date()
        tool = "docusign" if layout == "sidebar" else software[index % 3]
        pdf = Pdf(meta(tool, signed_at(end, random.Random(index)), title="Attestation" if
                       index % 2 else "", author=t.org.name if index % 3 == 0 else ""))
        LAYOUTS[layout](pdf, t, rng, signed)
        att = Att("qualiopi", start, end, nature, theme, person=person)
        data = pdf.finish()
        out.append(Sample("qualiopi", f"qualiopi_{index + 1:02d}_{layout}_{_slug(title)}", data,
                          [att], pdf.pages))
    return out

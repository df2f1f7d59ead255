"""ANDPC attestations: DPC actions of ODPCs, and trainings funded by the FAF-PM."""

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

ANDPC = "Agence nationale du Développement Professionnel Continu"

NATURE_LABEL = {
    "formation_continue": "formation continue",
    "epp": "évaluation des pratiques professionnelles",
    "gestion_risques": "gestion des risques",
    "programme_integre": "programme intégré",
}


def odpc_orgs(rng: random.Random) -> list[Org]:
    """The DPC organisations (ODPC) of the corpus."""
    return [
        Org("Formation Médicale Continue Rhône-Alpes", "FMC-RA", "14 rue Servient", "Lyon",
            "69003", make_siret(rng), rgb(0, 94, 150), "rings", "Dr Françoise MARTEL",
            "La Présidente", odpc="2418", phone="04 78 62 11 40", email="contact@fmc-ra.fr"),
        Org("Association Bretonne de Formation en Médecine Générale", "ABFMG",
            "3 boulevard de la Liberté", "Rennes", "35000", make_siret(rng), rgb(20, 110, 60),
            "leaf", "Dr Erwan KERBRAT", "Le Président", odpc="1187",
            email="secretariat@abfmg.bzh"),
        Org("MédiForma DPC", "MédiForma", "27 avenue Parmentier", "Paris", "75011",
            make_siret(rng), rgb(130, 30, 90), "bars", "Mme Sandrine VIDAL",
            "Directrice", odpc="3562", web="www.mediforma-dpc.fr"),
        Org("Institut Occitan de Formation des Généralistes", "IOFG", "8 allée Jean Jaurès",
            "Toulouse", "31000", make_siret(rng), rgb(190, 80, 20), "hexagon",
            "Dr Pierre CASTEL", "Le Président", odpc="2975", phone="05 61 22 48 90"),
        Org("Collectif Santé Formation Grand Est", "CSF Grand Est", "41 rue Saint-Dizier",
            "Nancy", "54000", make_siret(rng), rgb(60, 60, 140), "cross",
            "Dr Claire HUMBERT", "La Présidente", odpc="1743", email="dpc@csf-grandest.org"),
    ]


def faf_orgs(rng: random.Random) -> list[Org]:
    """Training bodies whose trainings are funded by the FAF-PM."""
    return [
        Org("Praxis Formation Santé", "PRAXIS", "5 place du Commerce", "Nantes", "44000",
            make_siret(rng), rgb(0, 120, 130), "hexagon", "M. Laurent GUILLOU",
            "Le Directeur", nda="52 44 08123 44", region="Pays de la Loire"),
        Org("Atelier Médical Formation", "AMF", "112 cours Lieutaud", "Marseille", "13006",
            make_siret(rng), rgb(170, 40, 40), "rings", "Mme Delphine ROUX", "La Gérante",
            nda="93 13 17654 13", region="Provence-Alpes-Côte d'Azur"),
    ]


@dataclass
class Dpc:
    """What an ANDPC attestation says."""

    org: Org
    person: Person
    style: str
    ident: str          # "rpps", "idnat" or "" (not printed)
    title: str
    nature: str
    theme: str
    start: date
    end: date
    form: str           # date form for dates.span, or "split" (start and end rows)
    hours: int
    place: str
    action: str
    session: str
    layout: str
    software: str
    faf: bool = False
    esign: bool = False

    def when(self) -> str:
        """The dates as printed in running text."""
        if self.form == "split":
            return dates.span(self.start, self.end, "num")
        return dates.span(self.start, self.end, self.form)

    def ident_text(self) -> str:
        """``RPPS 10...`` / ``IdNatPS 810...``."""
        if self.ident == "rpps":
            return f"RPPS {self.person.rpps}"
        if self.ident == "idnat":
            return f"IdNatPS 8{self.person.rpps}"
        return ""


def _footer(s: Sheet, org: Org, size: float = 7.5) -> None:
    parts = [org.name, org.address, f"SIRET {spaced_siret(org.siret)}"]
    if org.odpc:
        parts.append(f"ODPC n° {org.odpc}")
    if org.nda:
        parts.append(f"NDA {org.nda}")
    s.rule(50, 62, s.w - 50, 0.4, GREY)
    s.text(s.w / 2, 50, " - ".join(parts[:2]), "Helvetica", size, "center", GREY)
    s.text(s.w / 2, 40, " - ".join(parts[2:]), "Helvetica", size, "center", GREY)


def _signature(s: Sheet, d: Dpc, x: float, y: float, signed: date, rng: random.Random,
               font: str = "Helvetica", city: str = "") -> float:
    s.text(x, y, f"Fait à {city or d.org.city}, le {dates.num(signed)}", font, 10.5)
    s.text(x, y - 16, d.org.head_title, font, 10.5)
    s.scribble(x + 5, y - 50, 110, rng)
    s.text(x, y - 72, d.org.head, font, 10.5)
    return y - 90


def _letter(pdf: Pdf, d: Dpc, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = d.org
    s.logo(org.logo, 50, 735, 48, org.color, org.mark if org.logo != "leaf" else "")
    s.text(110, 795, org.name, "Helvetica-Bold", 12.5, color=org.color)
    s.text(110, 780, f"Organisme de DPC enregistré sous le n° {org.odpc}", "Helvetica", 9,
           color=GREY)
    s.text(110, 768, org.address, "Helvetica", 9, color=GREY)
    s.text(s.w / 2, 690, "ATTESTATION DE PARTICIPATION", "Helvetica-Bold", 17, "center")
    s.text(s.w / 2, 670, "Action de Développement Professionnel Continu (DPC)", "Helvetica",
           11.5, "center")
    ident = f", {{{d.ident_text()}}}," if d.ident else ","
    who = "Je soussignée" if org.head_title.startswith("La") else "Je soussigné"
    body = (
        f"{who}, {{{org.head}}}, {org.head_title.split()[-1].lower()} de l'organisme "
        f"{org.name} (ODPC n° {org.odpc}), organisme de DPC enregistré auprès de l'{ANDPC}, "
        f"certifie que **{{{name_as(d.person, d.style)}}}**{ident} a participé à l'action de DPC "
        f"n° **{d.action}**, session n° {d.session}, intitulée « {d.title} », de type "
        f"**{NATURE_LABEL[d.nature]}**, qui s'est déroulée **{{{d.when()}}}** {d.place}, pour "
        f"une durée de {d.hours} heures."
    )
    y = s.para(60, 610, s.w - 120, body, "Helvetica", 11, align="justify", after=10)
    y = s.para(60, y, s.w - 120, "Le participant a suivi l'intégralité de l'action et a "
               "renseigné les questionnaires d'évaluation prévus par le programme.",
               "Helvetica", 11, align="justify", after=10)
    y = s.para(60, y, s.w - 120, "Cette attestation est délivrée à l'intéressé(e) pour servir "
               "et valoir ce que de droit.", "Helvetica", 11, after=30)
    _signature(s, d, 340, y, signed, rng)
    _footer(s, org)


def _grid(pdf: Pdf, d: Dpc, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = d.org
    s.band(s.h - 90, 90, org.color)
    s.text(50, s.h - 45, org.name.upper(), "Helvetica-Bold", 14, color=white)
    s.text(50, s.h - 63, f"ODPC n° {org.odpc} - {org.address}", "Helvetica", 9, color=white)
    s.text(s.w / 2, s.h - 140, "ATTESTATION DE FIN D'ACTION DPC", "Helvetica-Bold", 16,
           "center")
    s.text(s.w / 2, s.h - 158, f"({ANDPC})", "Helvetica-Oblique", 9.5, "center")
    p = d.person
    rows = [
        ["Organisme", f"{org.name} (ODPC n° {org.odpc})"],
        ["Référence de l'action", d.action],
        ["N° de session", d.session],
        ["Intitulé", d.title],
        ["Type d'action", NATURE_LABEL[d.nature].capitalize()],
        ["Nom :", p.last],
        ["Prénom :", p.first],
    ]
    if d.ident == "rpps":
        rows.append(["N° RPPS :", p.rpps])
    elif d.ident == "idnat":
        rows.append(["N° IdNatPS :", "8" + p.rpps])
    if d.form == "split":
        rows += [["Date de début :", dates.num(d.start)], ["Date de fin :", dates.num(d.end)]]
    else:
        rows.append(["Dates :", d.when()])
    rows += [["Durée :", f"{d.hours} h"], ["Modalité", "Présentiel" if d.hours < 20 else
                                            "Mixte (présentiel et non présentiel)"]]
    y = s.table(60, s.h - 190, [150, s.w - 270], rows, "Helvetica", 10, shade_first=True)
    y = s.para(60, y - 30, s.w - 120, "L'organisme atteste que le professionnel de santé "
               "désigné ci-dessus a suivi l'intégralité de l'action de DPC.", "Helvetica", 10.5,
               after=20)
    if d.esign:
        moment = signed_at(d.end, rng, (1, 2))
        s.stamp(320, y, [f"Signé électroniquement par {org.head}",
                         f"le {moment:%Y-%m-%d %H:%M:%S}", "Certificat : Yousign - eIDAS (AdES)",
                         f"Réf. {rng.randrange(10**9, 10**10)}"])
    else:
        _signature(s, d, 340, y, signed, rng)
    _footer(s, org)


def _platform(pdf: Pdf, d: Dpc, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = d.org
    s.logo("bars", 50, 780, 34, org.color, "e-DPC Campus")
    s.text(s.w - 50, 800, "https://campus.e-dpc.fr", "Courier", 8.5, "right", GREY)
    s.rule(50, 765, s.w - 50, 1.5, org.color)
    s.text(50, 720, "CERTIFICAT DE RÉALISATION D'UNE ACTION DE DPC", "Helvetica-Bold", 14)
    s.text(50, 702, f"Action enregistrée auprès de l'{ANDPC}", "Helvetica", 9.5, color=GREY)
    p = d.person
    rows = [f"Participant ........ {name_as(p, d.style)}"]
    if d.ident == "rpps":
        rows.append(f"Identifiant RPPS ... {p.rpps}")
    elif d.ident == "idnat":
        rows.append(f"IdNatPS ............ 8{p.rpps}")
    rows += [
        f"Organisme .......... {org.name}",
        f"N° ODPC ............ {org.odpc}",
        f"Action n° .......... {d.action}   Session {d.session}",
        f"Type ............... {NATURE_LABEL[d.nature]}",
        f"Période ............ {d.when()}",
        f"Temps connecté ..... {d.hours} h 00",
        "Statut ............. TERMINÉ (100 %)",
    ]
    y = s.lines(50, 660, rows, "Courier", 9.5, 16)
    s.text(50, y - 10, "Intitulé :", "Helvetica-Bold", 10)
    y = s.para(50, y - 26, s.w - 100, d.title, "Helvetica", 11, after=20)
    y = s.para(50, y, s.w - 100, "Ce certificat atteste que le participant a réalisé "
               "l'ensemble des étapes du parcours (questionnaires, modules et évaluation finale). "
               "Il est généré automatiquement par la plateforme et ne nécessite pas de signature "
               "manuscrite.", "Helvetica", 9.5, after=14)
    moment = signed_at(d.end, rng, (0, 1))
    s.text(50, y, f"Document généré le {moment:%Y-%m-%d} à {moment:%H:%M}",
           "Courier", 8.5, color=GREY)
    s.stamp(330, y + 40, [f"Signé électroniquement par {org.head}",
                          f"le {moment:%Y-%m-%d %H:%M:%S}", f"pour {org.name}"], 215)
    _footer(s, org, 7)


def _twocol(pdf: Pdf, d: Dpc, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = d.org
    s.logo(org.logo, 50, 740, 60, org.color, org.mark[:3] if org.logo != "leaf" else "")
    left = [org.name[:30], org.name[30:]] if len(org.name) > 30 else [org.name]
    y = s.lines(50, 710, left, "Times-Bold", 10.5, 13)
    y = s.lines(50, y - 4, [org.street, f"{org.postcode} {org.city}", "",
                            f"ODPC n° {org.odpc}", f"SIRET {org.siret}"],
                "Times-Roman", 9.5, 12, color=GREY)
    if org.email:
        s.text(50, y - 6, org.email, "Times-Italic", 9)
    s.c.setStrokeColor(org.color)
    s.c.line(200, 760, 200, 120)
    x, width = 220, s.w - 270
    s.text(x, 730, "Attestation de participation", "Times-Bold", 18)
    s.text(x, 710, "à une action de développement professionnel continu", "Times-Italic", 12)
    p = d.person
    y = s.para(x, 660, width, f"L'organisme {org.name} atteste que", "Times-Roman", 12,
               after=6)
    s.text(x + 20, y, name_as(p, d.style), "Times-Bold", 13)
    y -= 18
    if d.ident:
        s.text(x + 20, y, d.ident_text().replace("RPPS ", "N° RPPS : ").replace(
            "IdNatPS ", "N° IdNatPS : "), "Times-Roman", 11.5)
        y -= 18
    body = (f"a suivi {_article(d.nature)} « {d.title} » (action n° {d.action}, session "
            f"{d.session}), {{{d.when()}}}, soit {d.hours} heures, {d.place}.")
    y = s.para(x, y - 6, width, body, "Times-Roman", 12, align="justify", after=8)
    y = s.para(x, y, width, f"Cette action est publiée par l'{ANDPC} et répond aux orientations "
               "prioritaires de DPC.", "Times-Roman", 12, align="justify", after=30)
    _signature(s, d, x + 80, y, signed, rng, "Times-Roman")


def _article(nature: str) -> str:
    return {
        "formation_continue": "l'action de formation continue",
        "epp": "le programme d'évaluation des pratiques professionnelles",
        "gestion_risques": "l'action de gestion des risques",
        "programme_integre": "le programme intégré",
    }[nature]


def _faf(pdf: Pdf, d: Dpc, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    org = d.org
    s.logo(org.logo, s.w - 100, 760, 50, org.color, org.mark[:3])
    s.lines(50, 800, [org.name, org.street, f"{org.postcode} {org.city}"], "Times-Roman", 10.5)
    s.text(s.w / 2, 700, "ATTESTATION DE FORMATION", "Times-Bold", 18, "center")
    p = d.person
    ident = {"rpps": f" (N° RPPS : {{{p.rpps}}})", "idnat": f" (IdNatPS {{8{p.rpps}}})"}.get(
        d.ident, "")
    y = s.para(60, 650, s.w - 120, f"Nous soussignés, {org.name}, organisme de formation "
               f"enregistré sous le numéro {org.nda} auprès du préfet de région {org.region}, "
               f"attestons que **{{{name_as(p, d.style)}}}**{ident} a suivi la formation :",
               "Times-Roman", 12, align="justify", after=8)
    y = s.para(80, y, s.w - 160, f"**« {d.title} »**", "Times-Roman", 12.5, align="center",
               after=8)
    y = s.para(60, y, s.w - 120, f"qui s'est déroulée {{{d.when()}}} {d.place}, pour une "
               f"durée totale de {d.hours} heures (formation continue en présentiel).",
               "Times-Roman", 12, align="justify", after=12)
    s.c.setFillColor(rgb(235, 242, 248))
    s.c.rect(60, y - 30, s.w - 120, 40, stroke=0, fill=1)
    s.c.setFillColor(rgb(0, 0, 0))
    s.text(s.w / 2, y - 8, "Formation financée par le FAF-PM", "Times-Bold", 12, "center")
    s.text(s.w / 2, y - 22, "(Fonds d'Assurance Formation de la Profession Médicale)",
           "Times-Italic", 10, "center")
    y -= 60
    y = s.para(60, y, s.w - 120, "Organisme certifié Qualiopi au titre de la catégorie "
               "d'action suivante : actions de formation.", "Times-Roman", 10.5, after=30)
    _signature(s, d, 340, y, signed, rng, "Times-Roman")
    _footer(s, org)


LAYOUTS = {"letter": _letter, "grid": _grid, "platform": _platform, "twocol": _twocol,
           "faf": _faf}


def render(pdf: Pdf, d: Dpc, rng: random.Random) -> Att:
    """Draw one ANDPC attestation on a new page; return what it must give."""
    signed = signed_at(d.end, rng).date()
    LAYOUTS[d.layout](pdf, d, rng, signed)
    return Att("andpc", d.start, d.end, d.nature, d.theme, person=d.person)


# (layout, nature, theme, title, start, end, form, style, ident, software, esign)
_SPECS: tuple[tuple[str, str, str, str, date, date, str, str, str, str, bool], ...] = (
    ("letter", "formation_continue", "general",
     "Prise en charge de l'insuffisance cardiaque chronique en soins primaires",
     date(2025, 3, 12), date(2025, 3, 14), "long", "le_docteur", "rpps", "word", False),
    ("grid", "epp", "general",
     "Audit clinique : suivi du patient diabétique de type 2 en médecine générale",
     date(2025, 1, 6), date(2025, 6, 30), "num", "plain", "rpps", "itext", True),
    ("platform", "programme_integre", "general",
     "Antibiothérapie raisonnée en ville : programme intégré",
     date(2024, 2, 5), date(2024, 5, 31), "num", "last_first", "rpps", "wkhtml", False),
    ("twocol", "gestion_risques", "general",
     "Sécurisation de la prescription médicamenteuse chez le sujet âgé",
     date(2025, 6, 3), date(2025, 6, 4), "les", "docteur", "rpps", "libreoffice", False),
    ("letter", "epp", "relation_patients", "Annonce d'une mauvaise nouvelle en médecine générale",
     date(2025, 4, 1), date(2025, 4, 1), "long", "le_docteur", "rpps", "word2016", False),
    ("grid", "epp", "relation_patients", "Éducation thérapeutique du patient asthmatique",
     date(2024, 9, 16), date(2025, 2, 28), "split", "plain", "rpps", "itext", False),
    ("twocol", "epp", "relation_patients", "Entretien motivationnel et décision médicale partagée",
     date(2025, 9, 30), date(2025, 10, 2), "long", "dr", "rpps", "libreoffice24", False),
    ("letter", "formation_continue", "professional_risks",
     "Prévenir l'épuisement professionnel du médecin généraliste",
     date(2024, 6, 3), date(2024, 6, 4), "le", "le_docteur", "rpps", "word", False),
    ("platform", "epp", "professional_risks", "Burn-out du soignant : repérage et prévention",
     date(2025, 11, 3), date(2026, 3, 27), "num", "dr_last_first", "rpps", "chrome", False),
    ("grid", "formation_continue", "professional_risks",
     "Gestion des déchets d'activités de soins (DASRI) au cabinet",
     date(2023, 11, 23), date(2023, 11, 23), "long", "plain", "rpps", "docusign", True),
    ("twocol", "formation_continue", "general",
     "Dépistage organisé des cancers : rôle du médecin traitant",
     date(2025, 3, 12), date(2025, 3, 12), "num", "dr", "rpps", "word", False),
    ("letter", "formation_continue", "relation_patients",
     "Communication avec le patient en téléconsultation",
     date(2026, 1, 15), date(2026, 1, 16), "long", "le_docteur", "rpps", "word", False),
    ("grid", "gestion_risques", "relation_patients", "Gestion des risques en téléconsultation",
     date(2026, 5, 19), date(2026, 5, 19), "split", "plain", "rpps", "itext", True),
    ("faf", "formation_continue", "general",
     "Échographie clinique ciblée en cabinet de médecine générale",
     date(2024, 11, 28), date(2024, 11, 29), "long", "dr", "rpps", "word", False),
    ("faf", "formation_continue", "professional_risks",
     "Ergonomie du cabinet et prévention des TMS du médecin",
     date(2025, 5, 15), date(2025, 5, 16), "long", "civ", "", "libreoffice", False),
    ("faf", "formation_continue", "general", "Gestes d'urgence au cabinet médical",
     date(2026, 9, 9), date(2026, 9, 11), "list3", "docteur", "rpps", "quartz", False),
    ("letter", "formation_continue", "general", "Vaccination de l'adulte : mise à jour 2025",
     date(2025, 2, 7), date(2025, 2, 7), "long", "le_docteur", "rpps", "word2016", False),
    ("grid", "epp", "general", "Revue de pertinence des prescriptions d'antibiotiques",
     date(2023, 3, 13), date(2023, 10, 20), "num", "plain", "rpps", "itext", False),
    ("platform", "programme_integre", "general", "Prise en charge de la douleur chronique",
     date(2023, 4, 3), date(2023, 9, 29), "num", "last_first", "idnat", "wkhtml", False),
    ("twocol", "formation_continue", "general",
     "Troubles du neurodéveloppement de l'enfant : repérage précoce",
     date(2026, 10, 8), date(2026, 10, 9), "long", "dr_mixed", "", "libreoffice", False),
    ("letter", "epp", "general", "Dermatoscopie : audit de pratique en soins primaires",
     date(2024, 1, 29), date(2024, 4, 30), "long", "married", "idnat", "word", False),
)


def samples(roster: list[Person], rng: random.Random) -> list[Sample]:
    """The ANDPC part of the corpus."""
    odpcs = odpc_orgs(rng)
    fafs = faf_orgs(rng)
    homonyms = [p for p in roster if p.last == "BERNARD"]
    others = [p for p in roster if p.last != "BERNARD"]
    chosen = rng.sample(others, len(_SPECS))
    # The two homonyms appear with their RPPS (which tells them apart).
    chosen[16], chosen[17] = homonyms
    married = next(p for p in roster if p.married)
    places = ("à Lyon", "à Rennes", "à Paris", "à Toulouse", "à Nancy", "à Bordeaux",
              "à Lille", "en classe virtuelle")
    out = []
    for index, spec in enumerate(_SPECS):
        layout, nature, theme, title, start, end, form, style, ident, software, esign = spec
        org = fafs[index % 2] if layout == "faf" else odpcs[index % len(odpcs)]
        action = f"{org.odpc or '9900'}{start.year % 100:02d}{rng.randrange(1, 400):05d}"
        d = Dpc(org, chosen[index], style, ident, title, nature, theme, start, end, form,
                rng.choice((7, 14, 21)) if start != end else 7, rng.choice(places),
                action, str(rng.randrange(1, 6)), layout, software, faf=layout == "faf",
                esign=esign)
        if style == "married":
            d.person = married
        slug = ("faf" if layout == "faf" else layout) + "_" + _slug(title)
        pdf = Pdf(meta(software, signed_at(end, random.Random(index)),
                       title="Attestation DPC" if index % 3 == 0 else ""),
                  compress=index % 4 != 1)
        att = render(pdf, d, rng)
        data = pdf.finish()
        out.append(Sample("andpc", f"andpc_{index + 1:02d}_{slug}", data, [att], pdf.pages))
    return out


def _slug(text: str, words: int = 3) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    kept = [w for w in folded.split() if len(w) > 3][:words]
    return "_".join(kept)

"""The wording of each family in variation mode: heading, sentence, action, dates, labels.

:func:`wording` gives what a family's attestation says around its participant; the page
layout (sentence or fields, arrangement) is :mod:`gen.variations`'. French throughout,
except the certificate of attendance of an international congress held in France
(WONCA Europe 2026, Paris), written in English.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from gen.congress import EVENTS

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")  # fmt: skip
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip
TITLES = (
    "Prise en charge de l'insuffisance cardiaque en ville",
    "Antibiothérapie raisonnée en soins primaires",
    "Asthme de l'enfant : diagnostic et traitement",
    "Hypertension artérielle : nouvelles recommandations",
    "Dépistage et suivi du diabète de type 2",
    "Lombalgies communes : prise en charge",
)
#: University diplomas: (title, theme); the theme decides 1.C or 3.C.
DIPLOMAS = (
    ("Médecine d'urgence", "general"),
    ("Échographie générale", "general"),
    ("Gynécologie-obstétrique pour le médecin généraliste", "general"),
    ("Éducation thérapeutique du patient", "relation_patients"),
    ("Médecine narrative et humanités médicales", "relation_patients"),
    ("Relation de soin et communication", "relation_patients"),
)
#: Peer groups: (society, kind of group, where, theme). Balint groups work on the
#: relation with patients; the candidates of a peer group are the same either way.
GROUPS = (
    ("Société Française de Médecine Générale (SFMG)", "groupe de pairs", "de Vannes",
     "general"),
    ("Société Française de Médecine Générale (SFMG)", "groupe de pairs", "d'Aurillac",
     "general"),
    ("Société Médicale Balint", "groupe Balint", "de Grenoble", "relation_patients"),
    ("Société de Formation Thérapeutique du Généraliste (SFTG)",
     "groupe local d'amélioration des pratiques (GLAP)", "de Montreuil", "general"),
    ("Fédération Française des Groupes Qualité (FFGQ)", "groupe qualité",
     "de Chalon-sur-Saône", "general"),
)
ANIMATORS = ("Dr Gwenaël RIOU", "Dr Martine OLLIER", "Dr Sarah COHEN", "Dr Marc PELLETIER")
#: The participant's label, French and English, by the index of the ``label`` axis.
LABELS_EN = ("Participant", "Participant name", "Name", "Full name", "Delegate", "Attendee",
             "Name of participant")
EXTRA = {
    "none": [],
    "named_below": ["Le participant nommé ci-après a suivi l'intégralité de l'action."],
    "each_participant": ["Chaque participant a reçu : le support de la formation."],
    "names_below": ["Le nom du participant et les dates figurent ci-dessous."],
}
EXTRA_EN = {
    "none": [],
    "named_below": ["The participant named below attended the whole conference."],
    "each_participant": ["Each participant received: the conference materials."],
    "names_below": ["The participant's name and the dates are given below."],
}
#: The types of a DPC action a form offers as check boxes: (label, nature).
DPC_TYPES = {
    "fc": ("Formation continue", "formation_continue"),
    "epp": ("Évaluation des pratiques professionnelles (EPP)", "epp"),
    "gdr": ("Gestion des risques", "gestion_risques"),
}
WONCA = (date(2026, 6, 29), date(2026, 7, 3))


@dataclass
class Wording:
    """What a family's attestation says around its participant."""

    lines: list[str]   # the heading, top of the page
    subject: str       # who certifies
    verb: str          # what the participant did, before the action
    action: list[str]  # the action, its first line after the verb
    done: str          # before the dates
    who: str           # the participant, in a field-style sentence
    start: date
    end: date
    nature: str
    theme: str = "general"
    listed: bool = False
    english: bool = False
    jury: bool = False  # a diploma: the jury's day is printed, not the academic year
    table_dates: bool = True
    extra: dict[str, list[str]] = field(default_factory=lambda: EXTRA)

    @property
    def certifies(self) -> str:
        """The verb of the sentence style."""
        return "certifies that" if self.english else "certifie que"

    @property
    def attests(self) -> str:
        """The verb of the field style."""
        return "certifies that" if self.english else "atteste que"


def date_as(day: date, form: str, english: bool = False) -> str:
    """``day`` in the form of the ``dates`` axis."""
    if form.startswith("slash"):
        return day.strftime("%d/%m/%Y")
    if form == "dotted":
        return day.strftime("%d.%m.%Y")
    if form == "iso":
        return day.isoformat()
    if english:
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def period(start: date, end: date, form: str, english: bool = False) -> str:
    """One day or several, in the form of the ``dates`` axis, times of day when it says."""
    times = form.endswith("_times")
    first, last = date_as(start, form, english), date_as(end, form, english)
    if english:
        if start == end:
            return f"on {first}" + (" from 9:00 to 17:30" if times else "")
        return f"from {first} at 9:00 to {last} at 17:30" if times else (
            f"from {first} to {last}")
    if start == end:
        return f"le {first}" + (" de 9h00 à 17h30" if times else "")
    return f"du {first} à 9h00 au {last} à 17h30" if times else f"du {first} au {last}"


def bare(text: str) -> str:
    """A period without its leading word (``du``, ``le``, ``from``...), for a field."""
    for word in ("le ", "du ", "from ", "on "):
        if text.startswith(word):
            return text.removeprefix(word)
    return text


def wording(rng: random.Random, family: str, language: str, start: date,
            end: date) -> Wording:
    """The wording of one attestation of ``family`` (``start``/``end`` when not fixed)."""
    if family == "andpc":
        number = f"1187{rng.randrange(10**6, 10**7)}"
        return Wording(["Association Formation Santé Ouest",
                        "Organisme de DPC enregistré auprès de l'ANDPC sous le n° 1187",
                        "ATTESTATION DE PARTICIPATION A UNE ACTION DE DPC"],
                       "L'organisme", "a participé à",
                       [f"l'action de DPC n° {number}, de type formation continue,",
                        f"« {rng.choice(TITLES)} »"], "qui s'est déroulée",
                       "le participant désigné ci-dessous", start, end, "formation_continue")
    if family == "qualiopi":
        return Wording(["Cap Santé Formation", "Organisme de formation certifié Qualiopi",
                        "ATTESTATION DE FIN DE FORMATION",
                        "(article L. 6353-1 du Code du travail)",
                        "Nature de l'action : action de formation"],
                       "L'organisme de formation", "a participé à",
                       [f"la formation « {rng.choice(TITLES)} »"], "qui s'est déroulée",
                       "le participant désigné ci-dessous", start, end, "formation_continue")
    if family == "university":
        # The academic year runs from September to the jury, which proves the diploma.
        title, theme = rng.choice(DIPLOMAS)
        first = date(rng.choice((2023, 2024, 2025)), 9, 1)
        jury = first.replace(year=first.year + 1, month=6, day=rng.randrange(1, 29))
        return Wording(["UNIVERSITÉ DE RENNES", "Faculté de Médecine",
                        "ATTESTATION DE RÉUSSITE"], "Le Doyen de la Faculté de Médecine",
                       "a été déclaré(e) admis(e) au",
                       [f"Diplôme d'université « {title} »,",
                        f"au titre de l'année universitaire {first.year}-{first.year + 1},"],
                       "après délibération du jury", "le candidat désigné ci-dessous",
                       first, jury, "diplome", theme, jury=True, table_dates=False)
    if family == "journal_test":
        year = rng.choice((2023, 2024, 2025))
        return Wording(["Prescrire", "Association Mieux Prescrire",
                        "ATTESTATION - Test de lecture Prescrire"],
                       "L'Association Mieux Prescrire", "a satisfait aux épreuves du",
                       ["Test de lecture Prescrire (taux de réponses exactes : "
                        f"{rng.randrange(72, 95)} %, seuil de réussite atteint)"],
                       "pour la période", "le lecteur désigné ci-dessous",
                       date(year, 1, 1), date(year, 12, 31), "test_lecture", listed=True)
    if family == "peer_group":
        society, kind, town, theme = rng.choice(GROUPS)
        count = rng.randrange(4, 11)
        # A year of meetings at most, ending before the generator's last day.
        first = date(2023, 1, 5) + timedelta(days=rng.randrange(1000))
        last = first + timedelta(days=28 * (count - 1))
        return Wording([society, "ATTESTATION DE PARTICIPATION"],
                       f"{rng.choice(ANIMATORS)}, animateur du groupe,", "a participé à",
                       [f"{count} réunions du {kind} {town},",
                        "selon une méthode d'analyse des pratiques validée par la HAS,"],
                       "qui se sont tenues", "le participant désigné ci-dessous", first, last,
                       "groupe_pairs", theme)
    if language == "en":
        first, last = WONCA
        return Wording(["WONCA Europe Conference 2026", "Paris, France - Palais des Congrès",
                        "CERTIFICATE OF ATTENDANCE"], "The Organising Committee", "attended",
                       ["the WONCA Europe Conference 2026 in Paris, France,",
                        "accredited with 21 CME credits,"], "held",
                       "the participant named below", first, last, "congres_international",
                       english=True, extra=EXTRA_EN)
    event = EVENTS[rng.choice(sorted(k for k, e in EVENTS.items() if e.listed))]
    return Wording([f"{event.name} ({event.edition})", "ATTESTATION DE PRÉSENCE"],
                   "Le comité d'organisation", "a participé à",
                   [f"{event.name} ({event.edition}) à {event.city}"], "qui s'est déroulée",
                   "le participant désigné ci-dessous", event.start, event.end, "congres",
                   listed=True)

"""The roster of physicians used by the corpus, RPPS check digits and ways of writing names."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date

#: The roster's RPPS do not depend on the corpus seed, so that a bulk corpus generated with
#: another seed still belongs to the same roster.
ROSTER_SEED = 20230101


def luhn_key(body: str) -> str:
    """The Luhn check digit that completes ``body`` (the digits before the key)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """Whether ``number`` (digits only) passes the Luhn check over all its digits."""
    return number.isdigit() and luhn_key(number[:-1]) == number[-1]


def rpps_valid(rpps: str) -> bool:
    """An RPPS: 11 digits, starting with 1, Luhn over all 11 digits."""
    return len(rpps) == 11 and rpps.startswith("1") and luhn_valid(rpps)


def make_rpps(rng: random.Random) -> str:
    """A valid RPPS ``10`` + 8 digits + Luhn key."""
    body = "10" + "".join(str(rng.randrange(10)) for _ in range(8))
    return body + luhn_key(body)


def break_rpps(rpps: str) -> str:
    """The same RPPS with a wrong check digit (a typing slip)."""
    return rpps[:-1] + str((int(rpps[-1]) + 3) % 10)


def make_siret(rng: random.Random) -> str:
    """A SIRET (14 digits) that passes the Luhn check."""
    body = str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(12))
    return body + luhn_key(body)


def spaced_siret(siret: str) -> str:
    """A SIRET written ``123 456 789 00012`` as on letterheads."""
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


@dataclass(frozen=True)
class Person:
    """A physician (of the roster or not) and the ways their name can be printed.

    ``last`` is the roster's upper-case family name, ``display_last`` its usual mixed-case
    form. ``married`` is a usage name used with ``épouse``; ``maiden`` a birth name used
    with ``née``. ``multiword_first`` marks first names of several words, which are only
    printed where the case tells the name parts apart.
    """

    rpps: str
    last: str
    first: str
    display_last: str
    sex: str
    email: str
    registered_on: date
    practising_since: date
    birth: date
    birthplace: str
    married: str = ""
    maiden: str = ""
    multiword_first: bool = False

    @property
    def civility(self) -> str:
        """``M.`` or ``Mme``."""
        return "Mme" if self.sex == "F" else "M."

    @property
    def civility_long(self) -> str:
        """``Monsieur`` or ``Madame``."""
        return "Madame" if self.sex == "F" else "Monsieur"

    @property
    def ne(self) -> str:
        """``né`` or ``née``."""
        return "née" if self.sex == "F" else "né"


# (LAST, First, Display last, sex, birthplace, married/usage name, maiden name, multiword)
_ROSTER: tuple[tuple[str, str, str, str, str, str, str, bool], ...] = (
    ("DUPONT", "Jean-Pierre", "Dupont", "M", "Rennes", "", "", False),
    ("MARTIN", "Marie", "Martin", "F", "Nantes", "", "LEROY", False),
    ("BERNARD", "Nicolas", "Bernard", "M", "Lille", "", "", False),
    ("N'DIAYE", "Aminata", "N'Diaye", "F", "Dakar (Sénégal)", "", "", False),
    ("O'NEILL", "Patrick", "O'Neill", "M", "Dublin (Irlande)", "", "", False),
    ("DE LA FONTAINE", "Hélène", "de La Fontaine", "F", "Reims", "", "", False),
    ("DU PLESSIS", "Arnaud", "du Plessis", "M", "Angers", "", "", False),
    ("D'ALMEIDA", "Sofia", "d'Almeida", "F", "Porto (Portugal)", "", "", False),
    ("LE GALL", "Yann", "Le Gall", "M", "Quimper", "", "", False),
    ("LEFÈVRE-ROUSSEAU", "Anne-Sophie", "Lefèvre-Rousseau", "F", "Amiens", "", "", False),
    ("GIRAUD", "Isabelle", "Giraud", "F", "Grenoble", "FAURE", "", False),
    ("MÜLLER", "Thomas", "Müller", "M", "Strasbourg", "", "", False),
    ("CHÂTELAIN", "François", "Châtelain", "M", "Besançon", "", "", False),
    ("BÉRANGER", "Chloé", "Béranger", "F", "Tours", "", "", False),
    ("NGUYEN", "Thi Lan", "Nguyen", "F", "Hanoï (Viêt Nam)", "", "", True),
    ("GARCIA LOPEZ", "Elena", "Garcia Lopez", "F", "Perpignan", "", "", False),
    ("ROUSSEL", "Benoît", "Roussel", "M", "Caen", "", "", False),
    ("PETIT", "Camille", "Petit", "F", "Orléans", "", "", False),
    ("MOREAU", "Léa", "Moreau", "F", "Poitiers", "", "", False),
    ("FOURNIER", "Étienne", "Fournier", "M", "Clermont-Ferrand", "", "", False),
    ("LAMBERT", "Zoé", "Lambert", "F", "Metz", "", "", False),
    ("BONNET", "Raphaël", "Bonnet", "M", "Valence", "", "", False),
    ("FRANÇOIS", "Mathieu", "François", "M", "Nancy", "", "", False),
    ("ROBIN", "Maëlle", "Robin", "F", "Brest", "", "", False),
    ("COLIN", "Agathe", "Colin", "F", "Dijon", "", "", False),
    ("SAINT-ANDRÉ", "Louis", "Saint-André", "M", "Bordeaux", "", "", False),
    ("VAN DEN BROECK", "Élise", "Van den Broeck", "F", "Bruxelles (Belgique)", "", "", False),
    ("HADDAD", "Karim", "Haddad", "M", "Marseille", "", "", False),
    ("BENSAÏD", "Yasmine", "Bensaïd", "F", "Montpellier", "", "", False),
    ("KOWALSKI", "Anna", "Kowalski", "F", "Lens", "", "", False),
    ("LEMAIRE", "Pierre-Yves", "Lemaire", "M", "Rouen", "", "", False),
    ("ROCHE", "Guillaume", "Roche", "M", "Saint-Étienne", "", "", False),
    ("MERCIER", "Océane", "Mercier", "F", "La Rochelle", "", "", False),
    ("BLANC", "Jérôme", "Blanc", "M", "Nice", "", "", False),
    ("GUÉRIN", "Nathalie", "Guérin", "F", "Limoges", "", "", False),
    ("FAURE", "Sébastien", "Faure", "M", "Toulouse", "", "", False),
    ("ANDRÉ", "Julie", "André", "F", "Avignon", "", "", False),
    ("MARCHAND", "Thibault", "Marchand", "M", "Le Mans", "", "", False),
    ("LE ROUX", "Gaëlle", "Le Roux", "F", "Lorient", "", "", False),
    ("DUMONT", "Cécile", "Dumont", "F", "Chartres", "", "", False),
    ("BERNARD", "Nicolas", "Bernard", "M", "Pau", "", "", False),
    ("PERRIN", "Jean-Baptiste", "Perrin", "M", "Annecy", "", "", False),
)

# People who are not on the roster (unknown participants, mismatching names).
_STRANGERS: tuple[tuple[str, str, str, str], ...] = (
    ("FONTENEAU", "Claire", "Fonteneau", "F"),
    ("RIVIÈRE", "Olivier", "Rivière", "M"),
    ("TESSIER", "Margaux", "Tessier", "F"),
    ("BRUNET-LACROIX", "Hugues", "Brunet-Lacroix", "M"),
    ("DESCHAMPS", "Inès", "Deschamps", "F"),
    ("CARON", "Fabrice", "Caron", "M"),
    ("LEBLANC", "Séverine", "Leblanc", "F"),
    ("VASSEUR", "Romain", "Vasseur", "M"),
)

_MAIL_FOLD = str.maketrans("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜàâäçéèêëîïôöùûü' ", "AAACEEEEIIOOUUUaaaceeeeiioouuu--")


def _mail(first: str, last: str, index: int) -> str:
    domains = ("medecin.fr", "gmail.com", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net")
    user = f"{first}.{last}".translate(_MAIL_FOLD).lower().replace("--", "-")
    return f"{user}@{domains[index % len(domains)]}"


def build_roster() -> list[Person]:
    """The roster: about 40 physicians with valid RPPS, always the same."""
    rng = random.Random(ROSTER_SEED)
    people: list[Person] = []
    seen: set[str] = set()
    for index, (last, first, display, sex, place, married, maiden, multi) in enumerate(_ROSTER):
        rpps = make_rpps(rng)
        while rpps in seen:
            rpps = make_rpps(rng)
        seen.add(rpps)
        birth = date(rng.randrange(1962, 1994), rng.randrange(1, 13), rng.randrange(1, 29))
        registered = date(birth.year + rng.randrange(27, 31), rng.randrange(1, 13), 1)
        if registered.year > 2025:
            registered = date(2025, registered.month, 1)
        practising = date(registered.year + rng.randrange(0, 2), rng.choice((5, 9, 11)), 2)
        if practising > date(2026, 10, 1):
            practising = date(2026, 5, 2)
        email = _mail(first, display, index) if index != len(_ROSTER) - 2 else _mail(
            first, display + "64", index)
        people.append(Person(rpps, last, first, display, sex, email, registered, practising,
                             birth, place, married, maiden, multi))
    return people


def build_strangers() -> list[Person]:
    """Physicians who are not on the roster, each with a valid RPPS of their own."""
    rng = random.Random(ROSTER_SEED + 1)
    roster = {p.rpps for p in build_roster()}
    out = []
    for index, (last, first, display, sex) in enumerate(_STRANGERS):
        rpps = make_rpps(rng)
        while rpps in roster:
            rpps = make_rpps(rng)
        birth = date(1970 + index * 2, 3 + index, 10 + index)
        out.append(Person(rpps, last, first, display, sex, _mail(first, display, index),
                          date(2001, 1, 1), date(2001, 1, 1), birth, "Paris"))
    return out


def roster_csv(people: list[Person]) -> str:
    """The roster as CSV text (header ``rpps,last_name,first_name,email,...``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rpps", "last_name", "first_name", "email", "registered_on",
                     "practising_since"])
    for p in people:
        writer.writerow([p.rpps, p.last, p.first, p.email, p.registered_on.isoformat(),
                         p.practising_since.isoformat()])
    return buffer.getvalue()


# ------------------------------------------------------------------------- name styles

#: Styles that put the name parts in an order the case does not tell apart; avoided for
#: first names of several words.
_CASE_BLIND = {"mixed", "upper", "dr_mixed"}


def name_as(p: Person, style: str) -> str:
    """The person's name as an issuer would print it.

    Styles: ``dr`` (Dr Jean DUPONT), ``docteur``, ``le_docteur``, ``civ`` (Mme Marie MARTIN),
    ``civ_long`` (Madame...), ``last_first`` (DUPONT Jean), ``dr_last_first``,
    ``mixed`` (Jean Dupont), ``dr_mixed``, ``upper`` (JEAN DUPONT), ``plain`` (Jean DUPONT),
    ``married`` (Mme Isabelle FAURE née GIRAUD / Mme Marie LEROY épouse MARTIN).
    """
    first, last, disp = p.first, p.last, p.display_last
    if p.multiword_first and style in _CASE_BLIND:
        style = "dr"
    match style:
        case "dr":
            return f"Dr {first} {last}"
        case "docteur":
            return f"Docteur {first} {last}"
        case "le_docteur":
            return f"le Docteur {first} {last}"
        case "civ":
            return f"{p.civility} {first} {last}"
        case "civ_long":
            return f"{p.civility_long} {first} {last}"
        case "last_first":
            return f"{last} {first}"
        case "dr_last_first":
            return f"Dr {last} {first}"
        case "mixed":
            return f"{first} {disp}"
        case "dr_mixed":
            return f"Dr {first} {disp}"
        case "upper":
            return f"{first.upper()} {last}"
        case "plain":
            return f"{first} {last}"
        case "married":
            if p.married:
                return f"{p.civility} {first} {p.married} née {last}"
            if p.maiden:
                return f"{p.civility} {first} {p.maiden} épouse {last}"
            return f"{p.civility} {first} {last}"
    raise ValueError(style)


def loose_key(text: str) -> str:
    """A name folded for the corpus's own uniqueness checks (case, accents, punctuation)."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.replace("-", " ").replace("'", " ").replace("\u2019", " ")
    return " ".join(folded.split())


def name_matches(roster: list[Person], first: str, lasts: list[str]) -> list[Person]:
    """Roster entries a lenient matcher could take for this first name and family names.

    Lenient on purpose: any shared family-name word and the same first name count, so
    that a corpus expecting one match is safe under any reasonable matcher.
    """
    want_first = loose_key(first)
    words = {w for last in lasts for w in loose_key(last).split() if len(w) > 2}
    found = []
    for p in roster:
        if loose_key(p.first) != want_first:
            continue
        names = loose_key(" ".join(x for x in (p.last, p.married, p.maiden) if x)).split()
        if words & {w for w in names if len(w) > 2}:
            found.append(p)
    return found

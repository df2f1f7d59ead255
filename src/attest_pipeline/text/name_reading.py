"""Reading a person's name where a text writes one: where it ends, whether it is one.

The participant finders (:mod:`~attest_pipeline.text.participant`,
:mod:`~attest_pipeline.text.participant_fallback`, :mod:`~attest_pipeline.text.name_fields`)
locate the place of a name; :func:`take_name` reads the name that starts there, by the
conventions of :mod:`~attest_pipeline.text.names`, and stops at what cannot be part of it
(a field separator, a digit, a sentence word, the next label). The signatory is told
apart here too: a role on the name's line or beside it (:func:`names_a_role`), a name
written as who did something (``animée par le Dr``), or after ``Je soussigné``
(:func:`signatory_at`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from attest_pipeline.models import Found
from attest_pipeline.text.fold import Folded, fold, normalise
from attest_pipeline.text.names import (
    ARTICLES,
    CAPITALISED,
    CIVILITIES,
    LEADING_WORDS,
    WORD_KINDS,
    WordKind,
    word_kind,
    word_set,
)
from attest_pipeline.text.scan import gated

#: Words showing that a label or a line is about someone other than the participant.
ROLE_WORDS = re.compile(
    r"\bsigne(?:e|s)?\s+(?:(?:electroniquement|numeriquement)\s+)?(?:par|pour)\b|"
    r"\b(?:president|presidente|directeur|directrice|doyen|doyenne|responsable|"
    r"coordinat\w*|coordonnat\w*|signataire|soussigne\w*|organisat\w*|formateur|formatrice|"
    r"intervenant\w*|expert\w*|animat\w*|orateur|oratrice|moderat\w*|referent\w*|tresorier\w*|"
    r"secretaire|vice|representant\w*|gerant\w*|chef|charge\w*\s+de\s+mission|p/o|"
    r"par\s+delegation|signature|concepteur\w*|superviseur\w*|tuteur|tutrice|"
    r"chair|chairman|chairwoman|chairperson|secretary|treasurer|signed\s+by)\b"
)

#: Words that make a "name" an organisation's or an event's.
_ORGANISATION_WORDS = word_set(
    "universite faculte association societe centre institut organisme sas sarl sa eurl "
    "formation formations college departement service groupe odpc andpc congres hopital chu "
    "chru ufr ecole federation syndicat union conseil ordre agence fondation clinique cabinet "
    "academie reseau mutuelle caisse ars has sfmg cnge sftg cmg cpts msp pole laboratoire "
    "direction session action programme journee seminaire attestation certificat presence "
    "participation diplome reussite realisation assiduite"
)

#: Words that end a name whatever their case.
_ALWAYS_STOP = word_set(
    "ne rpps adeli idnatps n° no siret tel telephone email mail courriel adresse"
)

#: Lower-case words that end a name in running text.
_STOP_WORDS = _ALWAYS_STOP | word_set(
    "a ai as ont est sont etait qui que pour lors au aux en dans sur avec ayant avoir et ou "
    "medecin medecins exercant domicilie domiciliee demeurant inscrit inscrite titulaire "
    "specialiste generaliste residant residante habitant agissant participe suivi assiste "
    "numero identifiant ce cette son ses par vous nous il elle ils elles on avez avons etes "
    "sommes votre notre leur un une les professionnel professionnelle praticien praticienne "
    "designe designee susnomme susnommee interesse interessee voir has have attended "
    "participated completed was is"
) | {"ci apres", "ci dessous", "ci dessus"}

#: Words of the labels of a form, which end a name when a colon follows.
LABEL_WORDS = word_set(
    "nom noms prenom prenoms date dates lieu stagiaire participant participante apprenant "
    "naissance profession specialite fonction ville signature qualite statut session "
    "formation intitule duree identite beneficiaire"
)

#: Determiners that open a noun phrase, never a name (``le``/``la`` may be a family
#: name's article, ``LE ROUX``: see :func:`take_name`).
_DETERMINERS = word_set("the this that each every any all our your their chaque cette ces cet")


def _following_lower(matches: Sequence[re.Match[str]], index: int) -> bool:
    """Say whether the token after ``matches[index]`` starts with a lower-case letter."""
    return index + 1 < len(matches) and matches[index + 1].group()[:1].islower()


#: A name ends at punctuation that separates fields, at a digit, or at a wide gap.
_HARD_STOP = re.compile(r"[,;:(\[|\t\d]|\s{3,}|\s[-–]\s")
#: A word as written, punctuation included.
TOKEN = re.compile(r"\S+")
_BEFORE_ROLE = re.compile(r"\s*,?\s*(?:en\s+(?:sa\s+)?qualite\s+de\s+)?(?:le\s+|la\s+)?$")


def take_name(segment: str, *, allow_single: bool = False) -> tuple[int, int] | None:
    """Find the name at the start of ``segment``; return its span in ``segment``."""
    stop = _HARD_STOP.search(segment)
    head = segment[: stop.start()] if stop else segment
    # Before a colon stands the next field's label ("Jean DUPONT Date : ..."), or the
    # segment is only a label ("NOM ET PRÉNOM DU STAGIAIRE : ...").
    label_follows = stop is not None and stop.group() == ":"
    taken: list[tuple[int, int, str]] = []
    pending: list[tuple[int, int, str]] = []
    lower_mode = False
    matches = list(TOKEN.finditer(head))
    for index, match in enumerate(matches):
        token = match.group().rstrip(".")
        word = normalise(token)
        if not (taken or pending):
            if word in CIVILITIES:
                continue
            if word in _DETERMINERS and (token.islower() or _following_lower(matches, index)):
                return None  # "the participant named below", "chaque stagiaire": no name
            if word in ARTICLES:
                following = matches[index + 1].group() if index + 1 < len(matches) else ""
                if normalise(following.rstrip(".")) in LEADING_WORDS:
                    continue  # "le Docteur Jean DUPONT", "LE DOCTEUR ..."
                if token.islower() or following[:1].islower():
                    return None  # "le professionnel de santé", "Le participant": no name
                # "LE ROUX", "Le Gall": the article is the family name's.
        kind = word_kind(token)
        if word in _ALWAYS_STOP or (word in _STOP_WORDS and kind not in CAPITALISED):
            break
        if label_follows and word in LABEL_WORDS:
            break
        if kind == WordKind.MARKER and (
            not taken or (word == "nee" and not _name_follows(head, match))
        ):
            break
        if kind in (WordKind.PARTICLE, WordKind.MARKER):
            pending.append((match.start(), match.end(), token))
            continue
        if kind == WordKind.OTHER or (kind == WordKind.LOWER and taken and not lower_mode):
            break
        lower_mode = lower_mode or (kind == WordKind.LOWER and not taken)
        taken.extend(pending)
        pending.clear()
        taken.append((match.start(), match.start() + len(token), token))
        if lower_mode and len(taken) >= 4:
            break
    tokens = [t for _, _, t in taken]
    if not any(word_kind(t) in WORD_KINDS for t in tokens):
        return None
    if len(tokens) < 2 and not allow_single:
        return None
    if any(w in _ORGANISATION_WORDS for t in tokens for w in normalise(t).split()):
        return None
    return taken[0][0], taken[-1][1]


def plausible_name(text: str, *, allow_single: bool = False) -> bool:
    """Say whether ``text``, a participant's name as a plugin read it, reads as a name.

    The whole text must be a name by the rules of :func:`find_person` (capitalised or
    upper-case words, particles, married-name markers, a civility in front; no
    organisation's word, no sentence words, at least one capitalised word):
    ``le participant nommé ci-après``, ``nommé ci-après`` or ``ATTESTATION DE PRÉSENCE``
    is not one. ``LAST, First`` is read as its two parts. A
    single word counts only with ``allow_single``.
    """
    cleaned = " ".join(text.split()).strip(" ;:.()[]")
    parts = [p.strip() for p in cleaned.split(",")] if "," in cleaned else [cleaned]
    if len(parts) > 2:
        return False
    for part in parts:
        taken = take_name(part, allow_single=allow_single or len(parts) == 2)
        if taken is None or part[taken[1] :].strip(" ."):
            return False
        # Running text reads a name in lower case; a reading of it must show a capital.
        tokens = part[taken[0] : taken[1]].split()
        if not any(word_kind(token) in CAPITALISED for token in tokens):
            return False
    return True


def _name_follows(text: str, match: re.Match[str]) -> bool:
    rest = text[match.end() :].split()
    return bool(rest) and word_kind(rest[0]) in CAPITALISED


#: How far around a position a line is read: names and labels are short, and bounding
#: the reach keeps a text made of one huge line linear.
_REACH = 240


def line_bounds(text: str, position: int) -> tuple[int, int]:
    """Return the line holding ``position``, no further than :data:`_REACH` either side."""
    low = max(0, position - _REACH)
    high = min(len(text), position + _REACH)
    newline = text.rfind("\n", low, position)
    end = text.find("\n", position, high)
    return (newline + 1 if newline >= 0 else low), (high if end < 0 else end)


def value_start(text: str, position: int) -> int:
    """Return where a value after ``position`` starts: here, or on the next line if blank."""
    _, end = line_bounds(text, position)
    if text[position:end].strip() or end >= len(text) or text[end] != "\n":
        return position
    return end + 1


def name_at(
    original: str, position: int, *, allow_single: bool = False
) -> tuple[int, int] | None:
    """Return the span in ``original`` of the name written at ``position`` or on the next line."""
    start = value_start(original, position)
    _, line_end = line_bounds(original, start)
    taken = take_name(original[start:line_end], allow_single=allow_single)
    return None if taken is None else (start + taken[0], start + taken[1])


def role_follows(original: str, name_end: int) -> bool:
    """Say whether the name ending at ``name_end`` is followed by a role (``, doyen``)."""
    _, line_end = line_bounds(original, name_end)
    after = fold(original[name_end:line_end]).text
    role = ROLE_WORDS.search(after)
    return role is not None and _BEFORE_ROLE.match(after[: role.start()]) is not None


_CIVILITY = re.compile(
    # Sorted twice: a set's order changes from process to process, and the pattern with it.
    r"(?<![\w'])(?:" + "|".join(sorted(sorted(CIVILITIES), key=len, reverse=True)) + r")\b"
)
def names_a_role(folded: Folded, position: int) -> bool:
    """Say whether the line at folded ``position``, or a short line beside it, names a role."""
    text = folded.text
    line_start, line_end = line_bounds(text, position)
    if ROLE_WORDS.search(text, line_start, line_end):
        return True
    for neighbour in (line_start - 1, line_end + 1):
        if 0 <= neighbour < len(text):
            n_start, n_end = line_bounds(text, neighbour)
            line = text[n_start:n_end]
            # A role alone on a short line ("Le Président") is the title of the name beside
            # it; a line with its own civility ("Dr X, formateur") is about someone else.
            if len(line.split()) <= 6 and ROLE_WORDS.search(line) and not _CIVILITY.search(line):
                return True
    return False


#: A doctor named as who did something ("animée par le", "signée par", "présentée par",
#: "avec le"): a speaker, a trainer or a signatory, not the participant.
AGENT_BEFORE = re.compile(
    r"\b(?:par|avec|aupres\s+de|de\s+la\s+part\s+de)\s+(?:le\s+|la\s+|du\s+)?$"
)


#: "Je soussigné, Dr Jean DUPONT, président": the signatory, named in the text.
UNDERSIGNED = gated(r"\b(?:je|nous)\s+soussigne\w*(?:\s*\(\s*e\s*\))?\s*,?\s*")

_TRAILING_CIVILITIES = re.compile(
    r"(?:(?<![\w'])(?:"
    + "|".join(sorted(sorted(CIVILITIES), key=len, reverse=True))
    + r")\b\.?\s*)+$"
)


def signatory_at(folded: Folded, position: int) -> bool:
    """Say whether the name at folded ``position`` is written as a signatory's.

    A role on its line or on a short line beside it (``Le Président``), the name of
    someone who did something (``animée par le Dr``, ``avec le``), or the name after
    ``Je soussigné``.
    """
    text = folded.text
    line_start, _ = line_bounds(text, position)
    before = _TRAILING_CIVILITIES.sub("", text[line_start:position])
    if AGENT_BEFORE.search(before) or names_a_role(folded, position):
        return True
    undersigned = UNDERSIGNED.search(before)
    return undersigned is not None and not before[undersigned.end() :].strip(" ,.")




@dataclass(frozen=True, slots=True)
class Hit:
    """A participant's name found at ``position`` of the original text."""

    position: int
    found: Found[str]

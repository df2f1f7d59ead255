"""People's names: splitting, comparing, and finding the participant.

Names are searched in the text folded by :func:`~attest_pipeline.text.fold.fold` and
compared in :func:`~attest_pipeline.text.fold.normalise` form.

Conventions, chosen once and used everywhere:

- **Order.** A comma means ``LAST, First``. Otherwise capitalisation decides: the
  all-capitals words are the family name (``DUPONT Jean``, ``Jean DE LA FONTAINE``). When
  case does not tell (``Jean Dupont``, ``JEAN DUPONT``), a married-name marker or a
  particle starts the family name (``Jean de la Fontaine``), and failing those the first
  word is the first name, the dominant order in French running text.
- **Married and usage names.** ``last_name`` keeps the whole family-name part as written,
  marker included: ``Mme Marie DUPONT épouse MARTIN`` gives last name
  ``DUPONT épouse MARTIN`` and first name ``Marie`` (``née``, ``veuve``, ``dit(e)``
  likewise). Comparisons treat each side of a marker and each part of a hyphenated name
  as a family name the person may go by.
- **First names** are compared whole: ``Jean-Pierre`` equals ``Jean Pierre`` but not
  ``Jean``; initials never match anything.
- **Articles.** ``le``/``la`` open a family name only when written as one (``LE ROUX``,
  ``Le Gall``); before a civility they are dropped (``le Docteur``), and before a common
  noun they mean there is no name (``le professionnel de santé désigné ci-dessus``).

Finding the participant errs on the side of no answer: a signatory (a role on the name's
line or beside it, ``signé électroniquement par``, ``Je soussigné``, a bare doctor's name
under the dated signature line, a doctor named ``par``/``avec``) is never returned, and
names that disagree give ``None``: a person then reads the attestation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from attest_pipeline.models import Found
from attest_pipeline.text.fold import Folded, fold, normalise
from attest_pipeline.text.scan import Gated, gated

# ------------------------------------------------------------------------------ tokens

def _words(text: str) -> frozenset[str]:
    """Read a word list written as one space-separated string."""
    return frozenset(text.split())


#: Civilities and titles dropped in front of a name, in :func:`normalise` form.
CIVILITIES: frozenset[str] = _words(
    "dr drs docteur docteure doctoresse pr prof professeur professeure m mr messieurs "
    "monsieur mme mmes madame mesdames mlle melle mademoiselle me maitre"
)

#: Words joining two family names of the same person (married, maiden and usage names).
MARRIED_MARKERS: frozenset[str] = _words("epouse ep epse nee veuve vve divorcee dit dite alias")

#: Particles that belong to a family name (``de``, ``d'``, ``van``...), normalised.
PARTICLES: frozenset[str] = _words(
    "de du des d la le les l van von der den ter ten di da do dos das del della dal ben bin "
    "ibn el al af mac mc st saint sainte y"
)

_ARTICLES = frozenset({"le", "la", "l", "les"})
#: Words that may stand before a name without being part of it.
_LEADING_WORDS = CIVILITIES | _ARTICLES
_WORD = re.compile(r"[^\W_]+")


_NOT_ALNUM = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    """Reduce a name to its letters and digits, so that ``N'DIAYE`` equals ``NDIAYE``."""
    return _NOT_ALNUM.sub("", fold(text).text)


def strip_civilities(text: str) -> str:
    """Return ``text`` without the civilities and titles in front (``Monsieur le Docteur``)."""
    tokens = text.split()
    start = 0
    while start < len(tokens):
        word = normalise(tokens[start])
        next_is_civility = start + 1 < len(tokens) and normalise(tokens[start + 1]) in CIVILITIES
        if word in CIVILITIES or (word in _ARTICLES and next_is_civility):
            start += 1
            continue
        break
    return " ".join(tokens[start:])


def name_keys(text: str) -> frozenset[str]:
    """Return the normalised tokens of a name, to compare names regardless of order.

    Civilities in front and married-name markers are dropped; particles are kept.
    """
    words = _WORD.findall(normalise(strip_civilities(text)))
    return frozenset(w for w in words if w not in MARRIED_MARKERS)


# -------------------------------------------------------------------------- splitting


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name split into family name and first name, both as written.

    ``first_name`` is empty when only a family name is known.
    """

    last_name: str
    first_name: str


_UPPER, _CAP, _LOWER, _PARTICLE, _MARKER, _INITIAL, _OTHER = range(7)
_WORD_KINDS = (_UPPER, _CAP, _LOWER)
_ELISION = re.compile(r"^[a-zA-Z]['\u2019\u02bc]")


def _kind(token: str) -> int:
    word = normalise(token)
    letters = [c for c in token if c.isalpha()]
    if not word or not letters:
        return _OTHER
    if word in MARRIED_MARKERS:
        return _MARKER
    if word in PARTICLES and not token.isupper():
        return _PARTICLE
    if all(len(part) == 1 for part in word.split()):
        return _INITIAL
    # ``d'ALMEIDA``, ``N'DIAYE``: the elided particle does not decide the case.
    body = [c for c in _ELISION.sub("", token) if c.isalpha()] or letters
    if all(c.isupper() for c in body):
        return _UPPER
    return _CAP if body[0].isupper() else _LOWER


#: Longer than any word of a real person's name (the longest French family names, written
#: without their hyphens, have about 25 letters).
_LONGEST_NAME_WORD = 40


def could_be_a_name(text: str) -> bool:
    """Whether ``text`` could be a person's name: letters, no digit, no endless word."""
    words = _WORD.findall(text)
    return (
        bool(words)
        and not any(char.isdigit() for char in text)
        and all(len(word) <= _LONGEST_NAME_WORD for word in words)
    )


def split_name(text: str) -> PersonName | None:
    """Split a name as written into family name and first name (see the module conventions).

    ``DUPONT Jean-Pierre``, ``Dr Jean-Pierre DUPONT`` and ``Dupont, Jean-Pierre`` give
    family name ``DUPONT``/``Dupont`` and first name ``Jean-Pierre``; ``Jean Dupont``
    gives ``Dupont``/``Jean`` (first word = first name when nothing else tells). A single
    word is a family name with an empty first name. ``None`` when there is no name at all.
    """
    readings = name_readings(text)
    return readings[0] if readings else None


@lru_cache(maxsize=1024)
def name_readings(text: str) -> tuple[PersonName, ...]:
    """Return every plausible split of a name: one when the order is known, else all.

    The order is known from a comma, from capitalisation, from a particle or from a
    married-name marker. Otherwise (``Martin Thomas``) each cut between first name and
    family name, either way round, is a reading; the conventional one (first word = first
    name) comes first.
    """
    cleaned = " ".join(text.split()).strip(" ;:.()[]")
    if "," in cleaned:
        left, right = (part.strip(" ,") for part in cleaned.split(",", 1))
        last, first = strip_civilities(left), strip_civilities(right)
        if last and first:
            return (PersonName(last, first),)
        cleaned = last or first
    tokens = [t for t in strip_civilities(cleaned).split() if any(c.isalpha() for c in t)]
    if not tokens:
        return ()
    decided = _decided_split(tokens, [_kind(t) for t in tokens])
    if decided is not None:
        return (decided,)
    cuts = range(1, len(tokens))
    readings = [PersonName(" ".join(tokens[c:]), " ".join(tokens[:c])) for c in cuts]
    readings += [PersonName(" ".join(tokens[:c]), " ".join(tokens[c:])) for c in cuts]
    return tuple(dict.fromkeys(readings))


def _decided_split(tokens: Sequence[str], kinds: Sequence[int]) -> PersonName | None:
    """Split when something other than the word order tells how, else return ``None``."""
    if len(tokens) == 1:
        return PersonName(tokens[0], "")
    word_kinds = {k for k in kinds if k in _WORD_KINDS}
    by_case = _UPPER in word_kinds and len(word_kinds) > 1
    if by_case:
        in_last = [kind == _UPPER for kind in kinds]
    elif _MARKER in kinds:
        marked = {j for i, k in enumerate(kinds) if k == _MARKER for j in (i - 1, i, i + 1)}
        in_last = [i in marked for i in range(len(tokens))]
    elif kinds[0] == _PARTICLE:
        # "Le Gall Jean", "de la Fontaine Jean": leading particles open the family name.
        first_word = next((i for i, k in enumerate(kinds) if k != _PARTICLE), len(kinds))
        in_last = [i <= first_word for i in range(len(tokens))]
    elif _PARTICLE in kinds[1:]:
        first_particle = kinds.index(_PARTICLE, 1)
        in_last = [i >= first_particle for i in range(len(tokens))]
    else:
        return None
    _extend_family_name(kinds, in_last, pull_before_marker=by_case)
    last = " ".join(t for t, flag in zip(tokens, in_last, strict=True) if flag)
    first = " ".join(t for t, flag in zip(tokens, in_last, strict=True) if not flag)
    return PersonName(last, first) if last else None


def _extend_family_name(
    kinds: Sequence[int], in_last: list[bool], *, pull_before_marker: bool
) -> None:
    """Pull markers, the words they join and particles into the family name."""
    changed = True
    while changed:
        changed = False
        for i, kind in enumerate(kinds):
            if in_last[i]:
                continue
            after = i + 1 < len(kinds) and in_last[i + 1]
            before = i > 0 and in_last[i - 1]
            pull = (
                (kind == _MARKER and (after or before))
                or (kind == _PARTICLE and after)
                or (i > 0 and kinds[i - 1] == _MARKER)
            )
            if not pull and pull_before_marker and after and kinds[i + 1] == _MARKER:
                # "Marie Dupont épouse MARTIN": Dupont is a family name, provided a first
                # name remains ("DUPONT Marie épouse MARTIN" keeps Marie).
                pull = in_last.count(False) > 1
            if pull:
                in_last[i] = True
                changed = True


# -------------------------------------------------------------------------- comparing


@dataclass(frozen=True, slots=True)
class NameKey:
    """A family name and a first name prepared for comparison (see :func:`same_person`).

    ``units`` are the compacted family names the person goes by (each side of a married
    name marker); ``pieces`` add the parts of hyphenated names; ``whole`` is all the family
    names together. ``first`` is the compacted first name, empty when unknown or when it
    is made of initials only.
    """

    units: frozenset[str]
    pieces: frozenset[str]
    whole: str
    first: str

    def same_family(self, other: NameKey) -> bool:
        """Say whether the two family names can be the same person's."""
        return bool(
            (self.whole and self.whole == other.whole)
            or self.units & other.pieces
            or other.units & self.pieces
        )


_MARKER_SPLIT = re.compile(
    r"(?<![\w'])(?:" + "|".join(sorted(MARRIED_MARKERS, key=len, reverse=True)) + r")(?![\w'])\.?"
)


@lru_cache(maxsize=4096)
def name_key(last_name: str, first_name: str) -> NameKey:
    """Return the :class:`NameKey` of a family name and a first name (cached)."""
    parts = _MARKER_SPLIT.split(fold(strip_civilities(last_name)).text)
    units: set[str] = set()
    pieces: set[str] = set()
    for part in parts:
        unit = _compact(part)
        if unit:
            units.add(unit)
            pieces.add(unit)
            pieces.update(c for c in map(_compact, part.split("-")) if c)
    whole = "".join(_compact(p) for p in parts)
    words = normalise(strip_civilities(first_name)).split()
    first = "" if all(len(w) == 1 for w in words) else "".join(words)
    return NameKey(frozenset(units), frozenset(pieces), whole, first)


def same_person(a_last: str, a_first: str, b_last: str, b_first: str) -> bool:
    """Say whether two (family name, first name) pairs name the same person.

    Case, accents, hyphens, apostrophes, spaces and civilities are ignored; a married or
    hyphenated name matches each of its parts (``DUPONT-MARTIN`` matches ``MARTIN``,
    ``DUPONT épouse MARTIN`` matches ``DUPONT`` and ``MARTIN``). First names must be equal
    (``Jean-Pierre`` = ``Jean Pierre``, but not ``Jean``); initials never match.
    """
    a = name_key(a_last, a_first)
    b = name_key(b_last, b_first)
    return bool(a.first) and a.first == b.first and a.same_family(b)


def compatible_person(a_last: str, a_first: str, b_last: str, b_first: str) -> bool:
    """Say whether a name read beside a known identifier does not contradict another.

    Looser than :func:`same_person`: the family names must match the same way, but the
    first names need only not disagree: equal, missing on one side, one a leading part of
    the other (``Jean`` and ``Jean-Pierre``), or initials consistent with it (``J.-P.``
    and ``Jean-Pierre``).
    """
    if not name_key(a_last, a_first).same_family(name_key(b_last, b_first)):
        return False
    a_words = normalise(strip_civilities(a_first)).split()
    b_words = normalise(strip_civilities(b_first)).split()
    shorter, longer = sorted((a_words, b_words), key=len)
    return all(
        s == w or (len(s) == 1 and w.startswith(s)) for s, w in zip(shorter, longer, strict=False)
    )


# ---------------------------------------------------------------------------- finding

#: Phrases after which the participant's name is written, in running text or as labels.
#: A marker ending in ``que``, ``de`` or ``that``, or a phrase not opening with a label's
#: word, is running text (the signatory comes before it, see :func:`_running`);
#: the others are labels, which may carry a few more words and a colon.
DEFAULT_MARKERS: tuple[str, ...] = (
    "certifie que",
    "certifions que",
    "certifie par la présente que",
    "atteste que",
    "attestons que",
    "atteste par la présente que",
    "atteste de la participation de",
    "atteste la participation de",
    "attestons de la participation de",
    "certifie la participation de",
    "confirme la participation de",
    "confirme que",
    "nom et prénom",
    "nom, prénom",
    "nom prénom",
    "nom / prénom",
    "prénom et nom",
    "prénom nom",
    "nom du participant",
    "participant(e)",
    "participante",
    "participant",
    "stagiaire",
    "apprenant(e)",
    "apprenante",
    "apprenant",
    "bénéficiaire",
    "identité",
    # English (certificates of attendance of international congresses held in France).
    "this is to certify that",
    "hereby certify that",
    "certify that",
    "certifies that",
    "hereby confirm that",
    "confirms that",
    "participant name",
    "full name",
    "name of participant",
    "name",
)

#: A dot leader between a label and its value ("Participant ........ DUPONT Jean"); OCR
#: reads some dots as dashes or colons.
_LEADER = r"[ \t]*(?:\.{2,}|…+|_{3,})[ \t.…:\-]*"

#: Words showing that a label or a line is about someone other than the participant.
_ROLE_WORDS = re.compile(
    r"\bsigne(?:e|s)?\s+(?:(?:electroniquement|numeriquement)\s+)?(?:par|pour)\b|"
    r"\b(?:president|presidente|directeur|directrice|doyen|doyenne|responsable|"
    r"coordinat\w*|coordonnat\w*|signataire|soussigne\w*|organisat\w*|formateur|formatrice|"
    r"intervenant\w*|expert\w*|animat\w*|orateur|oratrice|moderat\w*|referent\w*|tresorier\w*|"
    r"secretaire|vice|representant\w*|gerant\w*|chef|charge\w*\s+de\s+mission|p/o|"
    r"par\s+delegation|signature|concepteur\w*|superviseur\w*|tuteur|tutrice|"
    r"chair|chairman|chairwoman|chairperson|secretary|treasurer|signed\s+by)\b"
)

#: Words that make a "name" an organisation's or an event's.
_ORGANISATION_WORDS = _words(
    "universite faculte association societe centre institut organisme sas sarl sa eurl "
    "formation formations college departement service groupe odpc andpc congres hopital chu "
    "chru ufr ecole federation syndicat union conseil ordre agence fondation clinique cabinet "
    "academie reseau mutuelle caisse ars has sfmg cnge sftg cmg cpts msp pole laboratoire "
    "direction session action programme journee seminaire attestation certificat presence "
    "participation diplome reussite realisation assiduite"
)

#: Words that end a name whatever their case.
_ALWAYS_STOP = _words("ne rpps adeli idnatps n° no siret tel telephone email mail courriel adresse")

#: Lower-case words that end a name in running text.
_STOP_WORDS = _ALWAYS_STOP | _words(
    "a ai as ont est sont etait qui que pour lors au aux en dans sur avec ayant avoir et ou "
    "medecin medecins exercant domicilie domiciliee demeurant inscrit inscrite titulaire "
    "specialiste generaliste residant residante habitant agissant participe suivi assiste "
    "numero identifiant ce cette son ses par vous nous il elle ils elles on avez avons etes "
    "sommes votre notre leur un une les professionnel professionnelle praticien praticienne "
    "designe designee susnomme susnommee interesse interessee voir has have attended "
    "participated completed was is"
) | {"ci apres", "ci dessous", "ci dessus"}

#: Words of the labels of a form, which end a name when a colon follows.
_LABEL_WORDS = _words(
    "nom noms prenom prenoms date dates lieu stagiaire participant participante apprenant "
    "naissance profession specialite fonction ville signature qualite statut session "
    "formation intitule duree identite beneficiaire"
)

#: A name ends at punctuation that separates fields, at a digit, or at a wide gap.
_HARD_STOP = re.compile(r"[,;:(\[|\t\d]|\s{3,}|\s[-–]\s")
_TOKEN = re.compile(r"\S+")
_BEFORE_ROLE = re.compile(r"\s*,?\s*(?:en\s+(?:sa\s+)?qualite\s+de\s+)?(?:le\s+|la\s+)?$")


def _take_name(segment: str, *, allow_single: bool = False) -> tuple[int, int] | None:
    """Find the name at the start of ``segment``; return its span in ``segment``."""
    stop = _HARD_STOP.search(segment)
    head = segment[: stop.start()] if stop else segment
    # Before a colon stands the next field's label ("Jean DUPONT Date : ..."), or the
    # segment is only a label ("NOM ET PRÉNOM DU STAGIAIRE : ...").
    label_follows = stop is not None and stop.group() == ":"
    taken: list[tuple[int, int, str]] = []
    pending: list[tuple[int, int, str]] = []
    lower_mode = False
    matches = list(_TOKEN.finditer(head))
    for index, match in enumerate(matches):
        token = match.group().rstrip(".")
        word = normalise(token)
        if not (taken or pending):
            if word in CIVILITIES:
                continue
            if word in _ARTICLES:
                following = matches[index + 1].group() if index + 1 < len(matches) else ""
                if normalise(following.rstrip(".")) in _LEADING_WORDS:
                    continue  # "le Docteur Jean DUPONT", "LE DOCTEUR ..."
                if token.islower() or following[:1].islower():
                    return None  # "le professionnel de santé", "Le participant": no name
                # "LE ROUX", "Le Gall": the article is the family name's.
        kind = _kind(token)
        if word in _ALWAYS_STOP or (word in _STOP_WORDS and kind not in (_UPPER, _CAP)):
            break
        if label_follows and word in _LABEL_WORDS:
            break
        if kind == _MARKER and (not taken or (word == "nee" and not _name_follows(head, match))):
            break
        if kind in (_PARTICLE, _MARKER):
            pending.append((match.start(), match.end(), token))
            continue
        if kind == _OTHER or (kind == _LOWER and taken and not lower_mode):
            break
        lower_mode = lower_mode or (kind == _LOWER and not taken)
        taken.extend(pending)
        pending.clear()
        taken.append((match.start(), match.start() + len(token), token))
        if lower_mode and len(taken) >= 4:
            break
    tokens = [t for _, _, t in taken]
    if not any(_kind(t) in _WORD_KINDS for t in tokens):
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
        taken = _take_name(part, allow_single=allow_single or len(parts) == 2)
        if taken is None or part[taken[1] :].strip(" ."):
            return False
        # Running text reads a name in lower case; a reading of it must show a capital.
        if not any(_kind(token) in (_UPPER, _CAP) for token in part[taken[0] : taken[1]].split()):
            return False
    return True


def _name_follows(text: str, match: re.Match[str]) -> bool:
    rest = text[match.end() :].split()
    return bool(rest) and _kind(rest[0]) in (_UPPER, _CAP)


#: How far around a position a line is read: names and labels are short, and bounding
#: the reach keeps a text made of one huge line linear.
_REACH = 240


def _line_bounds(text: str, position: int) -> tuple[int, int]:
    low = max(0, position - _REACH)
    high = min(len(text), position + _REACH)
    newline = text.rfind("\n", low, position)
    end = text.find("\n", position, high)
    return (newline + 1 if newline >= 0 else low), (high if end < 0 else end)


def _value_start(text: str, position: int) -> int:
    """Return where a value after ``position`` starts: here, or on the next line if blank."""
    _, end = _line_bounds(text, position)
    if text[position:end].strip() or end >= len(text) or text[end] != "\n":
        return position
    return end + 1


def _name_at(original: str, position: int, *, allow_single: bool = False) -> tuple[int, int] | None:
    """Return the span in ``original`` of the name written at ``position`` or on the next line."""
    start = _value_start(original, position)
    _, line_end = _line_bounds(original, start)
    taken = _take_name(original[start:line_end], allow_single=allow_single)
    return None if taken is None else (start + taken[0], start + taken[1])


def _role_follows(original: str, name_end: int) -> bool:
    """Say whether the name ending at ``name_end`` is followed by a role (``, doyen``)."""
    _, line_end = _line_bounds(original, name_end)
    after = fold(original[name_end:line_end]).text
    role = _ROLE_WORDS.search(after)
    return role is not None and _BEFORE_ROLE.match(after[: role.start()]) is not None


@dataclass(frozen=True, slots=True)
class _Hit:
    """A participant's name found at ``position`` of the original text."""

    position: int
    found: Found[str]


#: The first words of label markers ("Nom et prénom", "Participant name"): a marker of
#: several words starting otherwise is a phrase of running text ("délivré à").
_LABEL_STARTS = _LABEL_WORDS | _words(
    "name full identite participant(e) nom, prenom, medecin professionnel"
)


def _running(folded: str) -> bool:
    """Say whether a (folded) marker is a phrase of running text rather than a label.

    Running text: a marker ending in ``que``, ``de`` or ``that`` (``atteste que``), or a
    phrase of several words not opening with a label's word (``délivré à``, ``déclaré
    admis(e)``); the name follows it in the sentence, colon or not.
    """
    words = folded.split()
    if folded.endswith((" que", " de", " that")):
        return True
    if folded.rstrip().endswith(":"):
        return False
    return len(words) > 1 and words[0] not in _LABEL_STARTS


def _compile_marker(marker: str) -> tuple[Gated, bool]:
    folded = fold(marker).text
    words = [re.escape(w) for w in re.split(r"[\s\-'.]+", folded) if w]
    body = r"[\s\-'.]*".join(words).replace(r"\(e\)", r"\s*\(\s*e\s*\)")
    running = _running(folded)
    # A label is followed by a colon (a few words may come first: "Participant(e) au
    # programme :") or by a dot leader ("Participant ........ DUPONT Jean").
    tail = (
        r"(?:\s*:)?"
        if running
        else r"(?:s\b)?(?:(?P<leader>" + _LEADER + r")|(?P<tail>[^:\n]{0,40}:))?"
    )
    return gated(r"(?<![\w'])" + body + tail), running


@lru_cache(maxsize=64)
def _marker_patterns(markers: tuple[str, ...]) -> tuple[tuple[Gated, bool], ...]:
    return tuple(_compile_marker(m) for m in markers)


#: A word that makes the label word after it the subject or object of a sentence
#: ("le participant nommé ci-après", "chaque stagiaire reçoit").
_DETERMINER_BEFORE = re.compile(
    r"(?<![\w'])(?:le|la|les|l'|un|une|des|du|au|aux|ce|cet|cette|ces|chaque|tout|toute|tous|"
    r"son|sa|ses|leur|leurs|notre|votre|dont|par|pour|de|d')\s*$"
)


def _label_layout(folded: Folded, match: re.Match[str], before: str) -> bool:
    """Say whether a label marker is laid out as a label, not written in a sentence.

    A label is followed by a colon (right away, or after a few words: ``Participant(e) au
    programme :``) or by a dot leader; without either, it must open its line and have its
    value in the next cell (a wide gap, or a capital: the text layer of a grid gives
    ``Participant Marie MARTIN``) or on the next line. After a determiner (``le
    participant nommé ci-après``, ``chaque stagiaire reçoit :``) only a colon or a leader
    right after it makes a label.
    """
    tail = match.group("tail")
    immediate = match.group("leader") is not None or (tail is not None and not tail[:-1].strip())
    if _DETERMINER_BEFORE.search(before):
        return immediate
    if match.group("leader") is not None or tail is not None:
        return True
    original = folded.original
    end = folded.position(match.end())
    line_end = original.find("\n", end)
    after = original[end : len(original) if line_end < 0 else line_end]
    opens_line = not before.strip(" \t-•*·–")
    # A grid's next cell, as a text layer gives it: a wide gap, or a capital after a space.
    cell = after.startswith(("  ", "\t")) or after.lstrip()[:1].isupper()
    return opens_line and (not after.strip() or cell)


def _marker_hit(folded: Folded, pattern: Gated, running: bool) -> _Hit | None:
    """Return the first name written after ``pattern``, a marker, or ``None``."""
    original = folded.original
    for match in pattern.finditer(folded.text):
        if not running:
            line_start, _ = _line_bounds(folded.text, match.start())
            before = folded.text[line_start : match.start()]
            if _ROLE_WORDS.search(before) or _ROLE_WORDS.search(match.group("tail") or ""):
                continue
            if not _label_layout(folded, match, before):
                continue
        start, end = folded.span(match.start(), match.end())
        span = _name_at(original, end)
        if span is not None:
            value_end = span[1] if running else _comma_first_name(original, span[1])
        elif not running:
            # "Nom, prénom : Dupont, Jean": one word, then the first name after a comma.
            span = _name_at(original, end, allow_single=True)
            value_end = 0 if span is None else _comma_first_name(original, span[1])
            if span is not None and value_end == span[1]:
                continue
        if span is None or _role_follows(original, span[1]):
            continue
        return _Hit(start, Found(original[span[0] : value_end], original[start:value_end]))
    return None


def _first_marker_hit(
    folded: Folded, markers: tuple[str, ...], found: _Hit | None
) -> _Hit | None:
    """Return the earliest name after one of ``markers``, or ``found`` if earlier.

    Markers are tried from the one that may occur first, and no further once the best
    hit comes before the earliest place the next one may occur. At equal positions, the
    marker listed first wins, and any of them wins over ``found``.
    """
    text = folded.text
    order = []
    for index, (pattern, running) in enumerate(_marker_patterns(markers)):
        earliest = pattern.earliest(text)
        if earliest is not None:
            order.append((earliest, index, pattern, running))
    order.sort(key=lambda item: (item[0], item[1]))
    best = found
    best_rank = len(markers)
    for earliest, index, pattern, running in order:
        if best is not None and folded.position(earliest) > best.position:
            break
        hit = _marker_hit(folded, pattern, running)
        if hit is not None and (
            best is None
            or hit.position < best.position
            or (hit.position == best.position and index < best_rank)
        ):
            best, best_rank = hit, index
    return best


def _comma_first_name(original: str, name_end: int) -> int:
    """Return where ``Dupont, Jean`` ends in a label layout (the comma: family, first)."""
    _, line_end = _line_bounds(original, name_end)
    rest = original[name_end:line_end]
    comma = re.match(r"\s*,\s*", rest)
    if not comma:
        return name_end
    first = _take_name(rest[comma.end() :], allow_single=True)
    if first is None or rest[comma.end() + first[1] :].strip(" .;"):
        return name_end
    return name_end + comma.end() + first[1]


_QUALIFIERS = (
    r"du\s+participant|du\s+stagiaire|du\s+medecin|de\s+l'apprenant|du\s+beneficiaire|"
    r"d'usage|d'exercice|usuel"
)
_NOM_QUALIFIERS = r"de\s+famille|de\s+naissance|patronymique|" + _QUALIFIERS
#: ``Nom : DUPONT``, or, in a grid without colons, ``Nom`` at the start of a line and the
#: value in the next cell (``Nom    DUPONT``): group ``grid``.
_NOM_LABEL = gated(
    r"(?<![\w'])nom(?:\s+(?:" + _NOM_QUALIFIERS + r"))?\s*:"
    r"|^[ \t]*nom(?:[ \t]+(?:" + _NOM_QUALIFIERS + r"))?(?P<grid>[ \t]+)(?=\S)",
    re.MULTILINE,
)
_PRENOM_LABEL = gated(
    r"(?<![\w'])prenoms?(?:\s+(?:" + _QUALIFIERS + r"))?\s*:"
    r"|^[ \t]*prenoms?(?:[ \t]+(?:" + _QUALIFIERS + r"))?(?P<grid>[ \t]+)(?=\S)",
    re.MULTILINE,
)
_NEXT_LABEL = re.compile(r"\b(?:prenoms?|nom|nee?|date|rpps|adresse|profession)\b[^:\n]{0,20}:")
#: In a grid, the next cell's label ends the value without a colon.
_NEXT_CELL = re.compile(r"\b(?:prenoms?|nom|nee?|date|rpps|adresse|profession)\b")


@dataclass(frozen=True, slots=True)
class _Field:
    """A ``Nom :`` or ``Prénom :`` value: where its label starts, where its value lies."""

    label: int
    start: int
    end: int


def _field(folded: Folded, label: re.Match[str]) -> _Field | None:
    grid = label.group("grid") is not None
    start = label.end() if grid else _value_start(folded.text, label.end())
    _, line_end = _line_bounds(folded.text, start)
    following = (_NEXT_CELL if grid else _NEXT_LABEL).search(folded.text, start, line_end)
    first, last = folded.span(start, following.start() if following else line_end)
    value = folded.original[first:last]
    if grid and not value[:1].isupper():
        return None  # "Nom de l'organisme ...", "Nom du participant Jean ...": not a cell
    taken = _take_name(value, allow_single=True)
    if taken is None:
        return None
    return _Field(folded.position(label.start()), first + taken[0], first + taken[1])


def _fields(folded: Folded) -> tuple[_Field, _Field] | None:
    """Find a ``Nom :`` / ``Prénom :`` pair within a few lines of each other (cached)."""
    return _fields_of(folded.original)


@lru_cache(maxsize=32)
def _fields_of(original: str) -> tuple[_Field, _Field] | None:
    folded = fold(original)
    text = folded.text
    for nom in _NOM_LABEL.finditer(text):
        last = _field(folded, nom)
        if last is None:
            continue
        # From the line before to three lines after.
        line_start, window_end = _line_bounds(text, nom.start())
        window_start = _line_bounds(text, max(line_start - 1, 0))[0]
        for _ in range(3):
            window_end = _line_bounds(text, min(window_end + 1, len(text)))[1]
        for prenom in _PRENOM_LABEL.finditer(text, window_start, window_end):
            first = _field(folded, prenom)
            if first is not None:
                return last, first
    return None


def find_name_fields(text: str) -> tuple[Found[str], Found[str]] | None:
    """Return the family name and first name of a ``Nom :`` / ``Prénom :`` layout.

    The two labels may share a line or lie within three lines of each other, and each
    value may stand on the line after its label. A grid without colons is read too, each
    label opening its line and its value in the next cell (``Nom    MERCIER`` /
    ``Prénom    Océane``); such a value must start with a capital. Evidence runs from
    label to value.
    """
    fields = _fields(fold(text))
    if fields is None:
        return None
    last, first = fields
    return (
        Found(text[last.start : last.end], text[last.label : last.end]),
        Found(text[first.start : first.end], text[first.label : first.end]),
    )


_DOCTOR = gated(r"(?<![\w'])(?:dr|docteur|docteure)\b\.?\s+")
_CIVILITY = re.compile(
    r"(?<![\w'])(?:" + "|".join(sorted(CIVILITIES, key=len, reverse=True)) + r")\b"
)
_PARTICIPATION_AFTER = re.compile(
    r"[^\n]{0,80}?\b(?:a\s+(?:bien\s+)?(?:participe|suivi|assiste|pris\s+part|effectue|"
    r"valide|realise)|nee?\s+le|ne\s*\(\s*e\s*\)\s+le|rpps)\b"
)


def _is_signatory(folded: Folded, position: int) -> bool:
    """Say whether the line at folded ``position``, or a short line beside it, names a role."""
    text = folded.text
    line_start, line_end = _line_bounds(text, position)
    if _ROLE_WORDS.search(text, line_start, line_end):
        return True
    for neighbour in (line_start - 1, line_end + 1):
        if 0 <= neighbour < len(text):
            n_start, n_end = _line_bounds(text, neighbour)
            line = text[n_start:n_end]
            # A role alone on a short line ("Le Président") is the title of the name beside
            # it; a line with its own civility ("Dr X, formateur") is about someone else.
            if len(line.split()) <= 6 and _ROLE_WORDS.search(line) and not _CIVILITY.search(line):
                return True
    return False


@dataclass(frozen=True, slots=True)
class _Fallback:
    """Names found without a marker: after ``Dr``, or before a participation verb.

    ``participating`` are followed by a participation phrase, ``others`` are bare
    doctors' names, ``signatories`` the name keys of people named with a role.
    """

    participating: list[_Hit]
    others: list[_Hit]
    signatories: set[frozenset[str]]


#: A doctor named as who did something ("animée par le", "signée par", "présentée par",
#: "avec le"): a speaker, a trainer or a signatory, not the participant.
_AGENT_BEFORE = re.compile(
    r"\b(?:par|avec|aupres\s+de|de\s+la\s+part\s+de)\s+(?:le\s+|la\s+|du\s+)?$"
)


def _doctor_hits(folded: Folded, fallback: _Fallback) -> None:
    """Add the names after ``Dr``/``Docteur`` to ``fallback``, signatories apart."""
    original = folded.original
    for match in _DOCTOR.finditer(folded.text):
        start, end = folded.span(match.start(), match.end())
        _, line_end = _line_bounds(original, end)
        taken = _take_name(original[end:line_end])
        if taken is None:
            continue
        name_end = end + taken[1]
        name = original[end + taken[0] : name_end]
        line_start, _ = _line_bounds(folded.text, match.start())
        agent = _AGENT_BEFORE.search(folded.text, line_start, match.start()) is not None
        if agent or _is_signatory(folded, match.start()):
            fallback.signatories.add(name_keys(name))
            continue
        hit = _Hit(start, Found(name, original[start:name_end]))
        after = fold(original[name_end : name_end + 120]).text
        if _PARTICIPATION_AFTER.match(after):
            fallback.participating.append(hit)
        else:
            fallback.others.append(hit)


#: What a participant did, right after the name: "Claire MARTIN a assisté au congrès".
_PARTICIPATION_VERB = gated(
    r"(?<![\w'])a\s+(?:bien\s+)?(?:participe|assiste|suivi|pris\s+part|effectue|valide|realise)\b"
    r"|(?<![\w'])a\s+ete\s+(?:declaree?\s+)?(?:admise?|recue?)\b"
)
#: What may stand between the name and the verb: an apposition ("Jean DUPONT, médecin
#: généraliste, a participé").
_APPOSITION = re.compile(r"\s*(?:,[^,.;:\n]{1,60},?)?\s*")


def _verb_hits(folded: Folded, fallback: _Fallback) -> None:
    """Add the names written before a participation verb, at the start of a line.

    The name opens its line (after a civility) and the verb follows it, on the same line
    or at the start of the next one; a signatory's line is passed over.
    """
    text, original = folded.text, folded.original
    for verb in _PARTICIPATION_VERB.finditer(text):
        line_start, _ = _line_bounds(text, verb.start())
        if text[line_start : verb.start()].strip():
            seg_start, seg_end = line_start, verb.start()
        elif line_start > 0:
            seg_start, seg_end = _line_bounds(text, line_start - 1)[0], line_start - 1
        else:
            continue
        first, last = folded.span(seg_start, seg_end)
        segment = original[first:last]
        taken = _take_name(segment)
        if taken is None:
            continue
        # Without a marker, a full name: a first name and a family name, none in lower case.
        kinds = [_kind(token) for token in segment[taken[0] : taken[1]].split()]
        if _LOWER in kinds or sum(1 for kind in kinds if kind in _WORD_KINDS) < 2:
            continue
        rest = segment[taken[1] :]
        if not _APPOSITION.fullmatch(rest) or _ROLE_WORDS.search(fold(rest).text):
            continue
        if _is_signatory(folded, seg_start):
            continue
        name = segment[taken[0] : taken[1]]
        evidence = original[first : folded.span(verb.start(), verb.end())[1]]
        fallback.participating.append(_Hit(first, Found(name, evidence)))


#: "Je soussigné, Dr Jean DUPONT, président": the signatory, named in the text.
_UNDERSIGNED = gated(r"\b(?:je|nous)\s+soussigne\w*(?:\s*\(\s*e\s*\))?\s*,?\s*")

#: A line where the attestation is dated and signed: "Fait à Paris, le 20 mars 2025",
#: "Fait le 26/11/2024", "Bordeaux, le 10 juillet 2025".
_SIGNATURE_LINE = gated(
    r"^[ \t]*(?:fait\b[^\n]{0,50}?\ble\b|(?:a\s+)?[a-z][a-z'\- ]{1,40},\s*le\s+\d)",
    re.MULTILINE,
)


def _undersigned(folded: Folded, fallback: _Fallback) -> None:
    """Add the names of the people who sign in the first person (``Je soussigné``)."""
    original = folded.original
    for match in _UNDERSIGNED.finditer(folded.text):
        _, end = folded.span(match.start(), match.end())
        _, line_end = _line_bounds(original, end)
        taken = _take_name(original[end:line_end])
        if taken is not None:
            fallback.signatories.add(name_keys(original[end + taken[0] : end + taken[1]]))


_TRAILING_CIVILITIES = re.compile(
    r"(?:(?<![\w'])(?:" + "|".join(sorted(CIVILITIES, key=len, reverse=True)) + r")\b\.?\s*)+$"
)


def signatory_at(folded: Folded, position: int) -> bool:
    """Say whether the name at folded ``position`` is written as a signatory's.

    A role on its line or on a short line beside it (``Le Président``), the name of
    someone who did something (``animée par le Dr``, ``avec le``), or the name after
    ``Je soussigné``.
    """
    text = folded.text
    line_start, _ = _line_bounds(text, position)
    before = _TRAILING_CIVILITIES.sub("", text[line_start:position])
    if _AGENT_BEFORE.search(before) or _is_signatory(folded, position):
        return True
    undersigned = _UNDERSIGNED.search(before)
    return undersigned is not None and not before[undersigned.end() :].strip(" ,.")


def _fallback_person(folded: Folded) -> Found[str] | None:
    """Return the participant when no marker names one, or ``None`` when unsure.

    A name followed by a participation phrase comes first, a bare doctor's name second;
    a group whose names disagree gives ``None``. Names also written as a signatory's are
    never taken, and a bare doctor's name after the line where the attestation is dated
    and signed ("Fait à ..., le") is the signature's.
    """
    fallback = _Fallback([], [], set())
    _doctor_hits(folded, fallback)
    _verb_hits(folded, fallback)
    _undersigned(folded, fallback)
    signed = [m.start() for m in _SIGNATURE_LINE.finditer(folded.text)]
    signature = folded.position(signed[-1]) if signed else len(folded.original)
    participating = fallback.participating
    others = [h for h in fallback.others if h.position < signature]
    for group in (participating, others):
        kept = [h for h in group if name_keys(h.found.value) not in fallback.signatories]
        names = {name_keys(h.found.value) for h in kept}
        if len(names) == 1:
            return min(kept, key=lambda h: h.position).found
        if len(names) > 1:
            return None
    return None


#: Where a value that is not a name ends: at a field separator or a wide gap.
_VALUE_STOP = re.compile(r"[,;:(\[|\t]|\s{3,}")
_EXPLICIT_LABEL = re.compile(r"(?::|" + _LEADER + r")\s*$")


def _weak_hit(folded: Folded, markers: tuple[str, ...]) -> _Hit | None:
    """Return what stands where a marker announces the participant, when it is no full name.

    The last resort of :func:`find_person`: a family name alone (``Participant : DUPONT``,
    ``certifie que le Dr DUPONT,``), or, after a label (``Participant :``) or a civility, a
    value that cannot be a person's name (digits, one 300-letter word). Returned so that it
    is checked against the RPPS's holder, never to file under: alone it matches no one.
    """
    original = folded.original
    best: _Hit | None = None
    for pattern, running in _marker_patterns(markers):
        for match in pattern.finditer(folded.text):
            line_start, _ = _line_bounds(folded.text, match.start())
            before = folded.text[line_start : match.start()]
            if not running and not (
                _EXPLICIT_LABEL.search(match.group()) and _label_layout(folded, match, before)
            ):
                continue  # "le participant a suivi": the word, not a label
            if not running and (
                _ROLE_WORDS.search(folded.text[line_start : match.start()])
                or _ROLE_WORDS.search(match.group("tail") or "")
            ):
                continue
            start, end = folded.span(match.start(), match.end())
            value = _value_start(original, end)
            _, line_end = _line_bounds(original, value)
            segment = original[value:line_end]
            taken = _take_name(segment, allow_single=True)
            if taken is not None:
                span = (value + taken[0], value + taken[1])
            else:
                raw = _raw_value(segment, civility_needed=running)
                if raw is None:
                    continue
                span = (value + raw[0], value + raw[1])
            if _role_follows(original, span[1]):
                continue
            hit = _Hit(start, Found(original[span[0] : span[1]], original[start : span[1]]))
            if best is None or hit.position < best.position:
                best = hit
            break
    return best


def _raw_value(segment: str, *, civility_needed: bool) -> tuple[int, int] | None:
    """The span of the value at the start of ``segment`` (civilities passed), if any.

    With ``civility_needed`` (running text), only a value after a civility counts: ``le Dr
    12345`` announces a name, ``certifie que l'action...`` does not.
    """
    stop = _VALUE_STOP.search(segment)
    if stop is not None and stop.group() == ":":
        return None  # the next field's label
    head = segment[: stop.start()] if stop else segment
    position = 0
    civility = False
    for match in _TOKEN.finditer(head):
        word = normalise(match.group().rstrip("."))
        if word in CIVILITIES or word in _ARTICLES:
            civility = civility or word in CIVILITIES
            position = match.end()
            continue
        break
    value = head[position:].strip()
    if not value or (civility_needed and not civility):
        return None
    first = head.index(value, position)
    return first, first + len(value)


def find_person(text: str, markers: Sequence[str] = DEFAULT_MARKERS) -> Found[str] | None:
    """Return the participant's name in running text or in a label/value layout.

    Looked for, earliest in the text first: after one of ``markers`` (``certifie que``,
    ``Nom et prénom :``, ``Participant(e) :``, ``Participant ..... DUPONT Jean``...) and in
    a ``Nom :`` / ``Prénom :`` pair, colons or a grid's cells (rendered ``LAST, First``,
    which :func:`split_name` reads unambiguously). A label marker counts only where the
    layout makes it a label (a colon, a dot leader, or opening its line with the value
    in the next cell or below): ``le participant nommé ci-après`` is a sentence.
    Failing those, a name followed by a participation phrase (``Dr Jean DUPONT a
    participé``, ``Claire MARTIN, médecin généraliste, a assisté``, a name alone on the
    line before ``a assisté``), then a bare ``Dr``/``Docteur`` name; when such names
    disagree, ``None``. The signatory is never
    returned: a name with a role (président, directeur, doyen, responsable, ``signé
    électroniquement par``...) on its line or on a short line beside it, a name written
    after ``Je soussigné``, a bare doctor's name after the dated signature line. A name
    stops at a comma, ``né(e) le``, ``RPPS``, ``a participé``, ``a suivi``, a digit or the
    end of the line. The value is the name as written without the civility in front;
    ``evidence`` runs from the marker, label or civility to the end of the name. When no
    full name is found, what stands after a marker is returned all the same (a family name
    alone, digits...: see :func:`_weak_hit`), for the roster to check against the RPPS.
    """
    folded = fold(text)
    fields = _fields(folded)
    labelled: _Hit | None = None
    if fields is not None:
        last, first = fields
        value = f"{text[last.start : last.end]}, {text[first.start : first.end]}"
        start = min(last.label, first.label)
        labelled = _Hit(start, Found(value, text[start : max(last.end, first.end)]))
    hit = _first_marker_hit(folded, tuple(markers), labelled)
    if hit is not None:
        return hit.found
    person = _fallback_person(folded)
    if person is not None:
        return person
    weak = _weak_hit(folded, tuple(markers))
    return None if weak is None else weak.found

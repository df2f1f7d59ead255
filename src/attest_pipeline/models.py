"""The typed data that flows between the stages of the pipeline.

Everything that crosses a stage boundary is a frozen dataclass: a stage can hand its result
to the next (or to another process) without fearing that someone downstream edits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

from attest_pipeline.reasons import Reason

T = TypeVar("T")


class Family(StrEnum):
    """The kind of issuer an attestation comes from; the mapping rules are keyed on it."""

    ANDPC = "andpc"
    QUALIOPI = "qualiopi"
    UNIVERSITY = "university"
    CONGRESS = "congress"
    JOURNAL_TEST = "journal_test"
    PEER_GROUP = "peer_group"
    INSTITUTION = "institution"
    OTHER = "other"


class Nature(StrEnum):
    """What kind of action the attestation proves, as the issuer states it."""

    FORMATION_CONTINUE = "formation_continue"
    EPP = "epp"
    GESTION_RISQUES = "gestion_risques"
    PROGRAMME_INTEGRE = "programme_integre"
    DIPLOME = "diplome"
    CONGRES = "congres"
    TEST_LECTURE = "test_lecture"
    GROUPE_PAIRS = "groupe_pairs"
    REUNION_INSTITUTIONNELLE = "reunion_institutionnelle"
    RCP = "rcp"


class Status(StrEnum):
    """What the pipeline does (or would do) with one attestation.

    The value is what the database rows, the journal and ``attest extract --json`` hold:
    stable strings scripts rely on. Quarantine keeps its historical value ``reject``;
    :attr:`word` is the name people read (``quarantine``).
    """

    FILE = "file"
    REVIEW = "review"
    QUARANTINE = "reject"
    DUPLICATE = "duplicate"

    @property
    def word(self) -> str:
        """The outcome in the words of the summaries and the README (``quarantine``...)."""
        return _WORDS[self]


_WORDS = {
    Status.FILE: "file",
    Status.REVIEW: "review",
    Status.QUARANTINE: "quarantine",
    Status.DUPLICATE: "duplicate",
}


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class Word:
    """One word on a page with its box, in PDF points from the top-left corner.

    ``confidence`` (0-100) is set for words read by OCR.
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """The text of one page, from the PDF's text layer or from OCR.

    ``number`` is 1-based and stays the page's number in the original file even in a
    document restricted to some pages. ``confidence`` is the OCR mean word confidence
    (0-100) when the text comes from OCR, ``None`` otherwise. ``image_body`` says that the
    page's body is an image and its text layer only what lies around it (a header, a
    footer): the page is read by OCR.
    """

    number: int
    text: str
    ocr: bool = False
    confidence: float | None = None
    image_body: bool = False


@dataclass(frozen=True, slots=True)
class FormField:
    """A filled field of a PDF form (see :mod:`attest_pipeline.forms`).

    ``label`` is the text beside the field on the page (or its description or name);
    ``kind`` is ``text``, ``choice`` or ``checkbox`` (``checked`` then, ``value`` its export
    state, ``question`` the label of its group of boxes, ``Type d'action``, when the page
    has one). The box is in PDF points from the top-left corner, like :class:`Word`.
    """

    page: int
    name: str
    label: str
    value: str
    kind: str
    checked: bool
    x0: float
    x1: float
    top: float
    bottom: float
    question: str = ""


WordSource = Callable[[int], tuple[Word, ...]]


@dataclass(frozen=True, slots=True)
class Document:
    """A read-only view of a PDF given to plugins: page texts, and words on demand.

    Plugins never see the file's path or bytes: they cannot write anything, only read.
    The words with their positions come from pdfplumber's layout analysis, which is
    about 25 times slower than the text layer: ask for them only when the layout matters.
    ``form`` holds the filled fields of a PDF form; their values are also written after
    their page's text, beside their labels.
    """

    pages: tuple[Page, ...]
    metadata: Mapping[str, str] = field(default_factory=dict)
    _words: WordSource | None = field(default=None, repr=False, compare=False)
    form: tuple[FormField, ...] = ()

    @property
    def text(self) -> str:
        """All pages' text, pages separated by a form feed."""
        return "\f".join(page.text for page in self.pages)

    @property
    def page_numbers(self) -> tuple[int, ...]:
        """The 1-based numbers of the pages in this document."""
        return tuple(page.number for page in self.pages)

    @property
    def ocr(self) -> bool:
        """Whether any page's text comes from OCR."""
        return any(page.ocr for page in self.pages)

    def page(self, number: int) -> Page:
        """The page with this 1-based number; ``KeyError`` if it is not in the document."""
        page = self._find(number)
        if page is None:
            raise KeyError(number)
        return page

    def _find(self, number: int) -> Page | None:
        # Pages are in order and usually consecutive: look where the number says first, so
        # that cutting a document of N attestations stays linear in N.
        if self.pages:
            index = number - self.pages[0].number
            if 0 <= index < len(self.pages) and self.pages[index].number == number:
                return self.pages[index]
        return next((page for page in self.pages if page.number == number), None)

    def words(self, number: int) -> tuple[Word, ...]:
        """The words of one page with their positions (computed on first request)."""
        self.page(number)
        if self._words is None:
            return ()
        return self._words(number)

    def subset(self, numbers: Sequence[int]) -> Document:
        """The same document restricted to some pages (their original numbers, in order)."""
        wanted = set(numbers)
        found = (self._find(number) for number in wanted)
        return Document(
            pages=tuple(sorted((p for p in found if p is not None), key=lambda p: p.number)),
            metadata=self.metadata,
            _words=self._words,
            form=tuple(f for f in self.form if f.page in wanted),
        )


# ----------------------------------------------------------------------- plugin answers


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """A value a plugin read, with the text that proves it.

    ``evidence`` is the exact excerpt of the document the value was read from, so that a
    person reviewing the record can check it at a glance.
    """

    value: T
    evidence: str
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Identification:
    """A plugin's answer to "is this one of your issuer's attestations?".

    ``score`` is between 0 and 1; the core takes the highest, and a tie between two
    plugins sends the document to review. ``reasons`` say what was found (shown by
    ``attest extract --explain``).
    """

    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """What a plugin read on one attestation. Every field is optional except the family.

    Names: ``participant`` is the name as written (``Dr Jean DUPONT``); plugins fill
    ``last_name`` and ``first_name`` too when the layout separates them. ``nature`` is a
    :class:`Nature` value; ``theme`` is optional (the core infers the theme from the title
    with the keyword lists of the mapping rules). ``extras`` holds issuer-specific
    identifiers (``odpc``, ``nda``, ``siret``, ``session``, ``funder``...), kept in the record.
    """

    family: Family
    issuer: Found[str] | None = None
    participant: Found[str] | None = None
    last_name: Found[str] | None = None
    first_name: Found[str] | None = None
    rpps: Found[str] | None = None
    start: Found[date] | None = None
    end: Found[date] | None = None
    title: Found[str] | None = None
    reference: Found[str] | None = None
    nature: Found[Nature] | None = None
    theme: Found[str] | None = None
    event: Found[str] | None = None
    journal: Found[str] | None = None
    hours: Found[float] | None = None
    meetings: Found[int] | None = None
    extras: Mapping[str, Found[str]] = field(default_factory=dict)


# ---------------------------------------------------------------------- core decisions


@dataclass(frozen=True, slots=True)
class Problem:
    """A reason code with the detail a person needs (which field, which plugin...)."""

    reason: Reason
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        """The problem as ``{"code": ..., "detail": ...}``."""
        return {"code": self.reason.value, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Source:
    """The file a record is about: its name, the SHA-256 of its bytes, its pages read."""

    name: str
    sha256: str
    pages: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Physician:
    """One physician of the roster.

    ``registered`` is the date of registration with the Ordre when the roster gives it (the
    ``registered_on`` column); it decides the certification cycle.
    """

    rpps: str
    last_name: str
    first_name: str
    registered: date | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One action of the référentiel an attestation is eligible for."""

    bloc: int
    action: str
    labellisation: str

    @property
    def key(self) -> str:
        """``"1.A"`` style key."""
        return f"{self.bloc}.{self.action}"


@dataclass(frozen=True, slots=True)
class Record:
    """The decision about one attestation: what ``attest extract --json`` prints.

    ``status`` is what the pipeline does with it; ``problems`` say why when it is not a
    clean filing. ``participant`` holds the roster's identity when matched, the name as
    read otherwise. ``candidates`` lists every eligible action; ``bloc``, ``action`` and
    ``labellisation`` name the one chosen.
    """

    source: str
    sha256: str
    pages: tuple[int, ...]
    status: Status
    problems: tuple[Problem, ...] = ()
    plugin: str | None = None
    family: str | None = None
    issuer: str | None = None
    rpps: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    matched: bool = False
    start: date | None = None
    end: date | None = None
    title: str | None = None
    reference: str | None = None
    nature: str | None = None
    candidates: tuple[Candidate, ...] = ()
    chosen: Candidate | None = None
    evidence: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)
    ocr: bool = False
    duplicate_of: str | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reason codes, without repetition, in order of appearance."""
        return tuple(dict.fromkeys(p.reason.value for p in self.problems))

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the ``attest extract --json`` contract (see README)."""
        return {
            "source": self.source,
            "sha256": self.sha256,
            "pages": list(self.pages),
            "plugin": self.plugin,
            "family": self.family,
            "issuer": self.issuer,
            "participant": {
                "rpps": self.rpps,
                "last_name": self.last_name,
                "first_name": self.first_name,
                "matched": self.matched,
            },
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "title": self.title,
            "reference": self.reference,
            "nature": self.nature,
            "bloc": self.chosen.bloc if self.chosen else None,
            "action": self.chosen.action if self.chosen else None,
            "labellisation": self.chosen.labellisation if self.chosen else None,
            "candidates": [[c.bloc, c.action] for c in self.candidates],
            "status": self.status.value,
            "reasons": list(self.reasons),
            "details": [p.to_json() for p in self.problems],
            "evidence": dict(self.evidence),
            "fields": dict(self.fields),
            "ocr": self.ocr,
            "duplicate_of": self.duplicate_of,
        }

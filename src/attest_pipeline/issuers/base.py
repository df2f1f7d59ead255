"""The base issuer built from a data file, and templates: issuers that are a data file alone.

:class:`DataIssuer` identifies, splits and extracts as its data file says; its
:meth:`~DataIssuer.extract` is a template method: it reads every ``[fields]`` and
``[extras]`` rule, then calls :meth:`~DataIssuer.complete`, where a plugin writes only what
is its own. A template is the same with no Python at all: :func:`load_template` makes a
:class:`TemplateIssuer` of a TOML file, named ``template:<name>``.

The data file is read on first use (the first document identified), never when the
plugin's module is imported; :func:`~attest_pipeline.issuers.schema.check_data_file`
checks it fully, for a test.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from attest_pipeline.contract import Issuer
from attest_pipeline.errors import ConfigError
from attest_pipeline.issuers.markers import PhraseMatch
from attest_pipeline.issuers.schema import IssuerData, read_data_file
from attest_pipeline.models import Document, Extraction, Found, Identification
from attest_pipeline.text.fold import Folded, fold

__all__ = [
    "DataIssuer",
    "Reading",
    "TemplateIssuer",
    "TemplateProblem",
    "load_template",
    "load_templates",
]

_T = TypeVar("_T")


@dataclass(slots=True)
class Reading:
    """One attestation being read: the document, its data file, and what was read so far.

    ``values`` are the fields of the :class:`~attest_pipeline.models.Extraction` by name,
    ``extras`` its issuer-specific values; :meth:`DataIssuer.complete` may change both.
    """

    document: Document
    data: IssuerData
    values: dict[str, Found[Any]] = field(default_factory=dict)
    extras: dict[str, Found[str]] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The attestation's text (its pages, separated by form feeds)."""
        return self.document.text

    @property
    def folded(self) -> Folded:
        """The text folded for searching (:func:`~attest_pipeline.text.fold.fold`)."""
        return fold(self.document.text)

    @property
    def keywords(self) -> str:
        """The evidence of a constant: the phrases that identified the document, as written."""
        identification = self.data.identification
        if isinstance(identification, PhraseMatch):
            return identification.quoted(self.text)
        return f"data file {self.data.path.name}"

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """Return ``compute()``, computed once per ``key`` for this attestation."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(_T, self._memo[key])

    def read_rules(self) -> None:
        """Read every ``[fields]`` and ``[extras]`` rule of the data file into the values."""
        for rule in self.data.fields:
            found = rule.read(self)
            if found is not None:
                self.values[rule.name] = found
        for rule in self.data.extras:
            found = rule.read(self)
            if found is not None:
                self.extras[rule.name] = found


class DataIssuer(Issuer):
    """An issuer whose identification, splitting and fields come from a data file.

    Set ``data_file`` (a path, or ``importlib.resources.files(__package__) / "x.toml"``) and
    the class attributes of :class:`~attest_pipeline.contract.Issuer`; override
    :meth:`complete` for what the data file cannot say. The extraction's family is the
    first of ``families``.
    """

    data_file: ClassVar[Path | Traversable]

    @cached_property
    def data(self) -> IssuerData:
        """The checked data file, read on first use and shared by the class's instances."""
        cls = type(self)
        loaded = cls.__dict__.get("_loaded")
        if loaded is None:
            loaded = read_data_file(cls.data_file, check_patterns=False)
            cls._loaded = loaded  # type: ignore[attr-defined]
        return cast(IssuerData, loaded)

    def identify(self, document: Document) -> Identification | None:
        """Answer by the data file's ``[identify]`` markers or ``[match]`` phrases."""
        return self.data.identify(document)

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        """Split as the data file's ``[split]`` says (by default, one attestation)."""
        return self.data.split(document)

    def extract(self, document: Document) -> Extraction:
        """Read the data file's rules, then :meth:`complete`, into an ``Extraction``."""
        reading = Reading(document, self.data)
        reading.read_rules()
        self.complete(reading)
        return Extraction(family=self.families[0], extras=reading.extras, **reading.values)

    def complete(self, reading: Reading) -> None:
        """Add to or change what the rules read (``reading.values``, ``reading.extras``).

        The default does nothing: an issuer whose data file says everything needs no
        Python.
        """
        return None


class TemplateIssuer(DataIssuer):
    """The issuer a template describes. Build it with :func:`load_template`.

    Each template gets its own subclass, so that the class attributes the contract reads
    (``name``, ``version``, ``families``, ``covers``) are the template's. ``source`` is the
    template's path, ``template`` its data.
    """

    source: ClassVar[str] = ""
    template: ClassVar[IssuerData]

    @classmethod
    def for_data(cls, data: IssuerData) -> TemplateIssuer:
        """Build the issuer object of a template's checked ``data``."""
        assert data.name is not None and data.family is not None  # checked with identity
        attributes = {
            "name": f"template:{data.name}",
            "version": data.version or "1",
            "families": (data.family,),
            "covers": data.covers,
            "data_file": data.path,
            "_loaded": data,
            "template": data,
            "source": str(data.path),
            "__doc__": f"The issuer of the template {data.path.name}.",
        }
        subclass = type(f"TemplateIssuer[{data.name}]", (cls,), attributes)
        return cast(TemplateIssuer, subclass())


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """A template that could not be loaded: its file, and what is wrong.

    ``problem`` begins with ``line N:`` when the line is known.
    """

    path: Path
    problem: str


def load_template(path: Path) -> TemplateIssuer:
    """Read one template file; raise :class:`ConfigError` naming the file and the line."""
    return TemplateIssuer.for_data(read_data_file(path, identity=True, what="template"))


def load_templates(dirs: Sequence[Path]) -> tuple[list[TemplateIssuer], list[TemplateProblem]]:
    """Load every ``*.toml`` template of ``dirs``, in name order, directory by directory.

    A malformed template, a missing directory or a name already used is reported and
    skipped; it never stops the other templates.
    """
    issuers: list[TemplateIssuer] = []
    problems: list[TemplateProblem] = []
    seen: dict[str, Path] = {}
    for directory in dirs:
        if not directory.is_dir():
            problems.append(TemplateProblem(directory, "no such template directory"))
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                issuer = load_template(path)
            except ConfigError as error:
                where = f"line {error.line}: " if error.line is not None else ""
                problems.append(TemplateProblem(path, where + error.problem))
                continue
            name = issuer.template.name or ""
            if name in seen:
                problems.append(
                    TemplateProblem(path, f"the name {name!r} is already used by {seen[name]}")
                )
                continue
            seen[name] = path
            issuers.append(issuer)
    return issuers, problems

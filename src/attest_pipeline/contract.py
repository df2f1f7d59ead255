"""The plugin contract: how an issuer plugin teaches the pipeline one attestation layout.

A plugin is a Python module (or an installed package's module) that implements one pluggy
hook, :func:`attest_register_issuers`, called **once** when the plugins are loaded. In it,
the plugin registers one or more *issuer objects*. All the per-document work is then done
by plain method calls that the core makes on each registered issuer, one issuer at a time,
each call guarded: pluggy stops calling the other implementations of a hook as soon as one
raises, so a per-document hook could not isolate a broken plugin. With registered objects,
an issuer that raises, hangs or answers nonsense costs one document (sent to review with
``plugin_error``), never the run.

For each document the core calls, in this order:

1. :meth:`Issuer.identify` on **every** issuer. Each answers ``None`` (not mine) or an
   :class:`~attest_pipeline.models.Identification` with a score in ``[0, 1]`` and the
   reasons. The highest score wins; two different plugins tied at the top send the document
   to review (``ambiguous_issuer``); no answer sends it to review (``no_plugin``).
2. :meth:`Issuer.split` on the winner only: ``None`` means the whole document is one
   attestation; otherwise a list of page groups (1-based page numbers), one per attestation.
3. :meth:`Issuer.extract` on the winner, once per page group, with the document restricted
   to those pages. It returns an :class:`~attest_pipeline.models.Extraction`: every field
   with the text it was read from. The core validates it (types, RPPS check, dates).

Issuers are pure: they receive a read-only :class:`~attest_pipeline.models.Document`
(page texts, and words with positions on demand) and return values. They never open,
write or move files, and never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

import pluggy

from attest_pipeline.models import Document, Extraction, Family, Identification

#: The version of this contract. A plugin written for another major version is refused.
API_VERSION = 1

PROJECT = "attest_pipeline"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Decorate a plugin's ``attest_register_issuers`` function with this marker.
hookimpl = pluggy.HookimplMarker(PROJECT)


class Issuer:
    """Base class for issuer objects: subclass it and register an instance.

    Class attributes to set:

    - ``name``: short unique identifier (``"andpc"``), shown as ``name@version`` in records.
    - ``version``: the plugin's version string.
    - ``api_version``: the :data:`API_VERSION` the plugin was written for.
    - ``families``: the :class:`~attest_pipeline.models.Family` values it can return.
    - ``covers``: a human description of the issuers covered (shown by ``attest plugins``).
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    api_version: ClassVar[int] = API_VERSION
    families: ClassVar[tuple[Family, ...]] = ()
    covers: ClassVar[str] = ""

    def identify(self, document: Document) -> Identification | None:
        """Say whether ``document`` is one of this issuer's attestations.

        Called for every document, on every issuer: keep it fast (work on
        ``document.text``). Return ``None`` to decline, or an ``Identification`` whose
        ``score`` (0 to 1) grows with the strength of the evidence and whose ``reasons``
        list what was found. Raising costs this document only (``plugin_error``).
        """
        raise NotImplementedError

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        """Say where each attestation lies when the PDF holds several.

        Called only on the issuer that won identification. Return ``None`` when the whole
        document is one attestation, else the 1-based page numbers of each attestation, in
        order; pages left out of every group are ignored (a cover letter, a programme).
        """
        return None

    def extract(self, document: Document) -> Extraction:
        """Read the fields of one attestation, each with the text that proves it.

        ``document`` is restricted to the pages of this attestation. Return an
        :class:`~attest_pipeline.models.Extraction` whose fields are
        :class:`~attest_pipeline.models.Found` values. Leave out what is
        not on the page rather than guess: the core sends incomplete attestations to review
        with ``missing_field``.
        """
        raise NotImplementedError


Register = Callable[[Issuer], None]


class HookSpecs:
    """The hooks a plugin module may implement."""

    @hookspec
    def attest_register_issuers(self, register: Register) -> None:
        """Register this plugin's issuer objects: call ``register(MyIssuer())`` for each.

        Called once per run, when plugins are loaded, for every plugin; all
        implementations are called (no first-result-wins). Must not read documents or
        touch files. A plugin whose implementation raises is reported by
        ``attest plugins`` and left out of the run; the other plugins still load.
        """

"""The configuration file (``config.toml``): paths, plugins, limits, OCR, watch, mail, page.

Relative paths are relative to the configuration file, so that a configuration works
wherever it is started from. The file is read through a
:class:`~attest_pipeline.datafile.DataFile`: every problem is a
:class:`~attest_pipeline.errors.ConfigError` naming the file and, for a key or value at
fault (a misspelt section or key included), its line.

One module (about 500 lines): each section's settings type stands beside the code that
reads it, and the sections are read together so that their checks see each other (the
folders' layout); the checks that read the machine are in :mod:`attest_pipeline.filesystems`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from attest_pipeline.access import group_id
from attest_pipeline.datafile import DataFile, Table
from attest_pipeline.errors import ConfigError

DEFAULT_CONFIG = Path("config.toml")
ENV_VAR = "ATTEST_CONFIG"

#: ``[limits] memory``: the memory one document may take in its worker process (address
#: space, on top of what the worker maps when it starts).
DEFAULT_MEMORY = 1 << 30
#: Below this, ordinary attestations would not fit (pdfplumber, a page rendered for OCR).
MIN_MEMORY = 128 << 20
#: ``[limits] document_timeout``: seconds one document may take, every step included.
DEFAULT_DOCUMENT_TIMEOUT = 300.0
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}

@dataclass(frozen=True, slots=True)
class Paths:
    """The folders and files the pipeline reads and writes."""

    inbox: Path
    dossiers: Path
    review: Path
    quarantine: Path
    state: Path
    roster: Path | None
    referentiel: Path | None = None
    mapping: Path | None = None
    #: The group that may read dossiers, review, quarantine and state (a shared office);
    #: ``None``: their owner only.
    group: str | None = None

    @property
    def database(self) -> Path:
        """The SQLite database."""
        return self.state / "attest.sqlite3"

    @property
    def archive(self) -> Path:
        """The content-addressed archive of every original received."""
        return self.state / "archive"

    @property
    def work(self) -> Path:
        """Where a file is moved (claimed) while it is processed."""
        return self.state / "work"

    @property
    def journal(self) -> Path:
        """The human-readable journal, one line per event (the database holds the same)."""
        return self.state / "journal.log"


@dataclass(frozen=True, slots=True)
class PluginSettings:
    """Where plugins come from and how long one may take on one document."""

    dirs: tuple[Path, ...] = ()
    template_dirs: tuple[Path, ...] = ()
    disabled: tuple[str, ...] = ()
    timeout: float = 10.0
    entry_points: bool = True


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """OCR of pages without a usable text layer (Tesseract), the ``[ocr]`` section.

    The one OCR settings type: the reading stage and :mod:`attest_pipeline.ocr` take it.
    ``enabled`` is the reading stage's switch (:func:`~attest_pipeline.ocr.ocr_page` does not
    look at it). ``language`` is a Tesseract language code (``fra``; ``fra+eng`` for
    several). ``dpi`` is the rendering resolution (200: see
    :mod:`attest_pipeline.ocr.strategy` for the measurements). ``page_timeout`` bounds the
    reading of one page, retries included, in seconds. ``min_confidence`` (0-100) is the
    lowest word confidence a key field (participant, RPPS, dates) may have, by
    :func:`~attest_pipeline.ocr.evidence_confidence`, before the core sends an OCR'd
    attestation to review (``low_ocr_confidence``); also the least mean confidence of a page
    whose field's words cannot be told apart. 80 lets through every key field read right in
    the samples (the lowest had 81.5) and stops the misread RPPS (confidence 0).
    """

    enabled: bool = True
    language: str = "fra"
    dpi: int = 200
    page_timeout: float = 30.0
    min_confidence: float = 80.0


@dataclass(frozen=True, slots=True)
class WatchConfig:
    """How ``attest watch`` follows the inbox."""

    quiet_period: float = 1.0
    rescan_interval: float = 30.0
    polling: bool = False
    poll_interval: float = 2.0
    unreadable_after: float = 300.0


#: Host names and addresses that only this machine can reach.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """How ``attest serve`` (the secretariat's web page) listens, and who may use it."""

    host: str = "127.0.0.1"
    port: int = 8765
    #: Largest upload accepted, in megabytes (one request, all files together).
    upload_limit_mb: float = 50.0
    #: The users file (``attest user add NAME``); ``None``: no accounts, loopback only.
    accounts: Path | None = None
    #: Send the session cookie only over HTTPS (browsers treat http://127.0.0.1 as secure).
    secure_cookies: bool = True

    @property
    def loopback(self) -> bool:
        """Whether the page is reachable from this machine only."""
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")


#: Security of an IMAP connection: TLS from the start, TLS after STARTTLS, or none (the
#: last only towards this machine itself, for tests).
MAIL_SECURITY = ("imaps", "starttls", "plain")
#: What marks a collected message: an IMAP keyword (an atom; system flags start with a
#: backslash and mean something else to people's mail clients).
_KEYWORD = re.compile(r"[A-Za-z0-9$_.\-]{1,64}")


@dataclass(frozen=True, slots=True)
class MailAccount:
    """One IMAP mailbox that ``attest mail`` collects attestations from.

    The password is never in the configuration: it comes from the environment variable
    named by ``password_env`` or from ``password_file`` (readable by its owner only).
    """

    name: str
    host: str
    user: str
    port: int = 993
    security: str = "imaps"
    password_env: str = ""
    password_file: Path | None = None
    folders: tuple[str, ...] = ("INBOX",)
    keyword: str = "$AttestCollected"
    move_to: str = ""
    no_pdf_folder: str = ""
    ca_file: Path | None = None
    timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class MailConfig:
    """``attest mail`` (and ``attest watch``): the mailboxes, how often, and the limits."""

    accounts: tuple[MailAccount, ...] = ()
    interval: float = 300.0
    max_attachment_size: int = 20_000_000
    max_attachments: int = 20
    max_message_size: int = 50_000_000
    retry_max: float = 1800.0


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration, as read from one file (or the built-in defaults).

    ``builtin`` is set for :func:`default_config`: no file was read, there is no roster and
    no database, and ``source`` is the file that was looked for.
    """

    source: Path
    paths: Paths
    plugins: PluginSettings = field(default_factory=PluginSettings)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    max_pages: int = 5000
    jobs: int = 1
    memory: int = DEFAULT_MEMORY
    document_timeout: float = DEFAULT_DOCUMENT_TIMEOUT
    builtin: bool = False

    def describe(self) -> str:
        """Which configuration this is, for the line commands print about it."""
        if self.builtin:
            return f"built-in defaults (no {self.source}; no roster, no database)"
        return str(self.source.resolve())


def default_config(looked_for: Path = DEFAULT_CONFIG) -> Config:
    """The built-in defaults, for the commands that need no folders of their own.

    ``attest plugins``, ``referentiel``, ``doctor`` and ``extract`` work in a folder
    without ``config.toml`` (a plugin author's package): the built-in and installed
    plugins, the shipped référentiel and mapping rules, OCR in French, and no roster, so
    that every participant is ``unknown_participant``. Nothing is read from or written to
    the folders named here; ``run``, ``watch``, ``status`` and ``dossier`` need a file.
    """
    base = Path.cwd()
    return Config(
        source=(base / looked_for).resolve(),
        paths=Paths(
            inbox=base / "inbox",
            dossiers=base / "dossiers",
            review=base / "review",
            quarantine=base / "quarantine",
            state=base / "state",
            roster=None,
        ),
        builtin=True,
    )


def locate(explicit: str | None) -> Path:
    """The configuration file to use: ``--config``, else ``$ATTEST_CONFIG``, else ./config.toml."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(ENV_VAR) or DEFAULT_CONFIG)


#: The keys of each section of the configuration file.
SECTIONS: Mapping[str, tuple[str, ...]] = {
    "paths": (
        "inbox",
        "dossiers",
        "review",
        "quarantine",
        "state",
        "roster",
        "referentiel",
        "mapping",
        "group",
    ),
    "plugins": ("dirs", "template_dirs", "disabled", "timeout", "entry_points"),
    "ocr": ("enabled", "language", "dpi", "page_timeout", "min_confidence"),
    "watch": ("quiet_period", "rescan_interval", "polling", "poll_interval", "unreadable_after"),
    "serve": ("host", "port", "upload_limit_mb", "accounts", "secure_cookies"),
    "limits": ("max_pages", "memory", "document_timeout"),
    "run": ("jobs",),
    "mail": (
        "accounts",
        "interval",
        "max_attachment_size",
        "max_attachments",
        "max_message_size",
        "retry_max",
    ),
}


def load_config(path: Path) -> Config:
    """Read and check a configuration file."""
    return parse_config(DataFile.read(path, "configuration file"))


def parse_config(file: DataFile) -> Config:
    """Build a :class:`Config` from a parsed file, resolving paths against its folder.

    Every section and key is checked: an unknown one (a misspelling), a value of the
    wrong kind or a missing folder is a :class:`ConfigError` with the line of the key.
    """
    file.root.check_keys(SECTIONS)
    section = {name: file.table(name, known=keys) for name, keys in SECTIONS.items()}
    base = file.path.resolve().parent

    def resolve(value: str) -> Path:
        return (base / Path(value).expanduser()).resolve()

    def optional(table: Table, key: str) -> Path | None:
        value = table.text(key, "")
        return resolve(value) if value else None

    def folder(key: str) -> Path:
        table = section["paths"]
        value = table.text(key)
        if not value.strip():
            raise table.error("is required", key)
        return resolve(value)

    paths = section["paths"]
    group = paths.text("group", "") or None
    if group is not None:
        try:
            group_id(group)
        except KeyError:
            raise paths.error(f"names no group of this machine ({group!r})", "group") from None
    plugins = section["plugins"]
    ocr = section["ocr"]
    watch = section["watch"]
    serve = section["serve"]
    limits = section["limits"]
    ocr_default = OcrConfig()
    port = serve.number("port", 8765, minimum=0)
    if port != int(port) or port > 65535:
        raise serve.error(
            f"must be a whole number up to 65535 (0: any free port), not {port:g}", "port"
        )
    config = Config(
        source=file.path,
        paths=Paths(
            inbox=folder("inbox"),
            dossiers=folder("dossiers"),
            review=folder("review"),
            quarantine=folder("quarantine"),
            state=folder("state"),
            roster=folder("roster"),
            referentiel=optional(paths, "referentiel"),
            mapping=optional(paths, "mapping"),
            group=group,
        ),
        plugins=PluginSettings(
            dirs=tuple(resolve(d) for d in plugins.texts("dirs", ())),
            template_dirs=tuple(resolve(d) for d in plugins.texts("template_dirs", ())),
            disabled=plugins.texts("disabled", ()),
            timeout=plugins.number("timeout", 10.0, minimum=0),
            entry_points=plugins.flag("entry_points", True),
        ),
        ocr=OcrConfig(
            enabled=ocr.flag("enabled", ocr_default.enabled),
            language=ocr.text("language", ocr_default.language),
            dpi=int(ocr.number("dpi", ocr_default.dpi, minimum=0)),
            page_timeout=ocr.number("page_timeout", ocr_default.page_timeout, minimum=0),
            min_confidence=ocr.number("min_confidence", ocr_default.min_confidence, minimum=0),
        ),
        watch=WatchConfig(
            quiet_period=watch.number("quiet_period", 1.0, minimum=0),
            rescan_interval=watch.number("rescan_interval", 30.0, minimum=0),
            polling=watch.flag("polling", False),
            poll_interval=watch.number("poll_interval", 2.0, minimum=0),
            unreadable_after=watch.number("unreadable_after", 300.0, minimum=0),
        ),
        mail=_mail(section["mail"], resolve),
        serve=ServeConfig(
            host=serve.text("host", "127.0.0.1"),
            port=int(port),
            upload_limit_mb=serve.number("upload_limit_mb", 50.0, minimum=0),
            accounts=optional(serve, "accounts"),
            secure_cookies=serve.flag("secure_cookies", True),
        ),
        max_pages=int(limits.number("max_pages", 5000, minimum=1)),
        jobs=int(section["run"].number("jobs", 1, minimum=0)),
        memory=_size(limits, "memory", DEFAULT_MEMORY),
        document_timeout=limits.number("document_timeout", DEFAULT_DOCUMENT_TIMEOUT, minimum=0),
    )
    if config.document_timeout <= 0:
        raise limits.error("must be more than 0 seconds", "document_timeout")
    check_layout(config)
    return config


def _size(table: Table, key: str, default: int) -> int:
    """A size in bytes, given as a number of bytes or a string: ``"512MB"``, ``"1GB"``."""
    value = table.value(key, default)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        size = value
    else:
        match = _SIZE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise table.error(f'must be a size such as "1GB" or "512MB", not {value!r}', key)
        size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < MIN_MEMORY:
        raise table.error(f"must be at least {MIN_MEMORY >> 20}MB, not {size} bytes", key)
    return size


def _mail(mail: Table, resolve: Callable[[str], Path]) -> MailConfig:
    """The ``[mail]`` section and its ``[[mail.accounts]]``."""
    accounts = []
    names: set[str] = set()
    for table in mail.tables("accounts"):
        account = _mail_account(table, resolve)
        if account.name in names:
            raise table.error(
                f"{account.name!r} is another account's name too: each needs its own", "name"
            )
        names.add(account.name)
        accounts.append(account)
    return MailConfig(
        accounts=tuple(accounts),
        interval=mail.number("interval", 300.0, minimum=0),
        max_attachment_size=int(mail.number("max_attachment_size", 20_000_000, minimum=1)),
        max_attachments=int(mail.number("max_attachments", 20, minimum=1)),
        max_message_size=int(mail.number("max_message_size", 50_000_000, minimum=0)),
        retry_max=mail.number("retry_max", 1800.0, minimum=0),
    )


def _mail_account(account: Table, resolve: Callable[[str], Path]) -> MailAccount:
    """One ``[[mail.accounts]]`` table."""
    if "password" in account:
        raise account.error(
            "is never kept in the configuration; name an environment variable "
            "(password_env) or a file readable only by its owner (password_file)",
            "password",
        )
    account.check_keys(MailAccount.__dataclass_fields__)
    name = account.text("name", empty=False)
    security = account.choice("security", MAIL_SECURITY, "imaps")
    host = account.text("host", empty=False)
    if security == "plain" and host not in LOOPBACK_HOSTS:
        raise account.error(
            f"= \"plain\" is allowed towards this machine only (127.0.0.1, ::1, localhost), "
            f"not {host!r}; use imaps or starttls",
            "security",
        )
    password_env = account.text("password_env", "")
    password_file = account.text("password_file", "")
    if bool(password_env) == bool(password_file):
        raise account.error(f"({name}) needs exactly one of password_env and password_file")
    folders = account.texts("folders", ("INBOX",), empty=False)
    if not all(folders):
        raise account.error("must be folder names, not an empty text", "folders")
    ca_file = account.text("ca_file", "")
    keyword = account.text("keyword", "$AttestCollected")
    if not _KEYWORD.fullmatch(keyword):
        raise account.error(
            f"must be an IMAP keyword (letters, digits, $ _ . -), not {keyword!r}", "keyword"
        )
    return MailAccount(
        name=name,
        host=host,
        user=account.text("user", empty=False),
        port=int(account.number("port", 993 if security == "imaps" else 143, minimum=0)),
        security=security,
        password_env=password_env,
        password_file=resolve(password_file) if password_file else None,
        folders=folders,
        keyword=keyword,
        move_to=account.text("move_to", ""),
        no_pdf_folder=account.text("no_pdf_folder", ""),
        ca_file=resolve(ca_file) if ca_file else None,
        timeout=account.number("timeout", 60.0, minimum=0),
    )


def outputs(paths: Paths) -> dict[str, Path]:
    """The folders the pipeline writes, by configuration key."""
    return {
        "dossiers": paths.dossiers,
        "review": paths.review,
        "quarantine": paths.quarantine,
        "state": paths.state,
    }


def check_layout(config: Config) -> None:
    """Refuse folders that overlap.

    An output inside the inbox would be ingested again; an output inside another (review
    as the working area ``state/work``, dossiers inside ``state``) would mix what one
    folder holds with what the pipeline writes into the other.
    """
    paths = config.paths
    folders = outputs(paths)
    for name, output in folders.items():
        if output == paths.inbox or output.is_relative_to(paths.inbox):
            raise ConfigError(config.source, f"[paths] {name} ({output}) lies inside the inbox")
        if paths.inbox.is_relative_to(output):
            raise ConfigError(config.source, f"the inbox lies inside [paths] {name} ({output})")
        for other, folder in folders.items():
            if other == name:
                continue
            if output == folder:
                raise ConfigError(
                    config.source,
                    f"[paths] {name} and [paths] {other} are the same folder ({output}); "
                    "each output needs its own",
                )
            if output.is_relative_to(folder):
                raise ConfigError(
                    config.source,
                    f"[paths] {name} ({output}) lies inside [paths] {other} ({folder}); "
                    "each output needs its own folder",
                )

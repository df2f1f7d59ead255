"""The configuration file (``config.toml``): paths, plugins, limits, OCR, watch, mail, page.

Relative paths are relative to the configuration file, so that a configuration works
wherever it is started from. Every problem is a :class:`~attest_pipeline.errors.ConfigError`
naming the file (and the line when the TOML itself is malformed).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attest_pipeline.access import group_id
from attest_pipeline.errors import ConfigError, toml_error

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

# File systems on which SQLite's locking cannot be trusted (SQLite FAQ, "over a network").
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "lustre",
    }
)


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


def load_config(path: Path) -> Config:
    """Read and check a configuration file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "configuration file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read the configuration: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise toml_error(path, error) from None
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path) -> Config:
    """Build a :class:`Config` from parsed TOML, resolving paths against ``path``'s folder."""
    reader = _Reader(raw, path)
    base = path.resolve().parent

    def resolve(value: str) -> Path:
        return (base / Path(value).expanduser()).resolve()

    def optional(section: str, key: str) -> Path | None:
        value = reader.get(section, key, str, "")
        return resolve(value) if value else None

    paths = Paths(
        inbox=resolve(reader.require("paths", "inbox")),
        dossiers=resolve(reader.require("paths", "dossiers")),
        review=resolve(reader.require("paths", "review")),
        quarantine=resolve(reader.require("paths", "quarantine")),
        state=resolve(reader.require("paths", "state")),
        roster=resolve(reader.require("paths", "roster")),
        referentiel=optional("paths", "referentiel"),
        mapping=optional("paths", "mapping"),
        group=reader.get("paths", "group", str, "") or None,
    )
    if paths.group is not None:
        try:
            group_id(paths.group)
        except KeyError:
            raise ConfigError(
                path, f"[paths] group: there is no group named {paths.group!r} on this machine"
            ) from None
    plugins = PluginSettings(
        dirs=tuple(resolve(d) for d in reader.get("plugins", "dirs", list, [])),
        template_dirs=tuple(resolve(d) for d in reader.get("plugins", "template_dirs", list, [])),
        disabled=tuple(str(d) for d in reader.get("plugins", "disabled", list, [])),
        timeout=reader.number("plugins", "timeout", 10.0),
        entry_points=reader.get("plugins", "entry_points", bool, True),
    )
    ocr_default = OcrConfig()
    ocr = OcrConfig(
        enabled=reader.get("ocr", "enabled", bool, ocr_default.enabled),
        language=reader.get("ocr", "language", str, ocr_default.language),
        dpi=int(reader.number("ocr", "dpi", ocr_default.dpi)),
        page_timeout=reader.number("ocr", "page_timeout", ocr_default.page_timeout),
        min_confidence=reader.number("ocr", "min_confidence", ocr_default.min_confidence),
    )
    watch = WatchConfig(
        quiet_period=reader.number("watch", "quiet_period", 1.0),
        rescan_interval=reader.number("watch", "rescan_interval", 30.0),
        polling=reader.get("watch", "polling", bool, False),
        poll_interval=reader.number("watch", "poll_interval", 2.0),
        unreadable_after=reader.number("watch", "unreadable_after", 300.0),
    )
    port = reader.number("serve", "port", 8765)
    if port != int(port) or port > 65535:
        raise ConfigError(
            path, f"[serve] port must be a whole number up to 65535 (0: any free port), not {port}"
        )
    serve = ServeConfig(
        host=reader.get("serve", "host", str, "127.0.0.1"),
        port=int(port),
        upload_limit_mb=reader.number("serve", "upload_limit_mb", 50.0),
        accounts=optional("serve", "accounts"),
        secure_cookies=reader.get("serve", "secure_cookies", bool, True),
    )
    config = Config(
        source=path,
        paths=paths,
        plugins=plugins,
        ocr=ocr,
        watch=watch,
        mail=_mail(reader, resolve),
        serve=serve,
        max_pages=int(reader.number("limits", "max_pages", 5000)),
        jobs=int(reader.number("run", "jobs", 1)),
        memory=reader.size("limits", "memory", DEFAULT_MEMORY),
        document_timeout=reader.number("limits", "document_timeout", DEFAULT_DOCUMENT_TIMEOUT),
    )
    check_layout(config)
    return config


def _mail(reader: _Reader, resolve: Callable[[str], Path]) -> MailConfig:
    """The ``[mail]`` section and its ``[[mail.accounts]]``."""
    section = reader.section("mail")
    raw_accounts = section.get("accounts", [])
    if not isinstance(raw_accounts, list) or not all(
        isinstance(a, Mapping) for a in raw_accounts
    ):
        raise ConfigError(reader.path, "[[mail.accounts]] must be tables (one per mailbox)")
    accounts = []
    for number, raw in enumerate(raw_accounts, start=1):
        accounts.append(_mail_account(_Reader({"account": raw}, reader.path), number, resolve))
    names = [a.name for a in accounts]
    if len(set(names)) != len(names):
        raise ConfigError(reader.path, "[[mail.accounts]] names must be different")
    config = MailConfig(
        accounts=tuple(accounts),
        interval=reader.number("mail", "interval", 300.0),
        max_attachment_size=int(reader.number("mail", "max_attachment_size", 20_000_000)),
        max_attachments=int(reader.number("mail", "max_attachments", 20)),
        max_message_size=int(reader.number("mail", "max_message_size", 50_000_000)),
        retry_max=reader.number("mail", "retry_max", 1800.0),
    )
    if config.max_attachments < 1 or config.max_attachment_size < 1:
        raise ConfigError(
            reader.path, "[mail] max_attachments and max_attachment_size must be at least 1"
        )
    return config


def _mail_account(reader: _Reader, number: int, resolve: Callable[[str], Path]) -> MailAccount:
    """One ``[[mail.accounts]]`` table; errors name it by its position."""
    where = f"[[mail.accounts]] #{number}"
    raw = reader.section("account")
    if "password" in raw:
        raise ConfigError(
            reader.path,
            f"{where}: a password is never kept in the configuration; name an environment "
            "variable (password_env) or a file readable only by its owner (password_file)",
        )
    unknown = sorted(set(raw) - set(MailAccount.__dataclass_fields__))
    if unknown:
        raise ConfigError(reader.path, f"{where}: unknown key(s): {', '.join(unknown)}")
    name = reader.require("account", "name")
    security = reader.get("account", "security", str, "imaps")
    if security not in MAIL_SECURITY:
        raise ConfigError(
            reader.path, f"{where}: security must be one of {', '.join(MAIL_SECURITY)}"
        )
    host = reader.require("account", "host")
    if security == "plain" and host not in LOOPBACK_HOSTS:
        raise ConfigError(
            reader.path,
            f"{where} ({name}): security = \"plain\" is allowed towards this machine only "
            "(127.0.0.1, ::1, localhost); use imaps or starttls",
        )
    password_env = reader.get("account", "password_env", str, "")
    password_file = reader.get("account", "password_file", str, "")
    if bool(password_env) == bool(password_file):
        raise ConfigError(
            reader.path, f"{where} ({name}): give exactly one of password_env and password_file"
        )
    folders = reader.get("account", "folders", list, ["INBOX"])
    if not folders or not all(isinstance(f, str) and f for f in folders):
        raise ConfigError(reader.path, f"{where} ({name}): folders must be folder names")
    ca_file = reader.get("account", "ca_file", str, "")
    keyword = reader.get("account", "keyword", str, "$AttestCollected")
    if not _KEYWORD.fullmatch(keyword):
        raise ConfigError(
            reader.path,
            f"{where} ({name}): keyword must be an IMAP keyword (letters, digits, $ _ . -), "
            f"not {keyword!r}",
        )
    return MailAccount(
        name=name,
        host=host,
        user=reader.require("account", "user"),
        port=int(reader.number("account", "port", 993 if security == "imaps" else 143)),
        security=security,
        password_env=password_env,
        password_file=resolve(password_file) if password_file else None,
        folders=tuple(folders),
        keyword=keyword,
        move_to=reader.get("account", "move_to", str, ""),
        no_pdf_folder=reader.get("account", "no_pdf_folder", str, ""),
        ca_file=resolve(ca_file) if ca_file else None,
        timeout=reader.number("account", "timeout", 60.0),
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
    if config.max_pages < 1:
        raise ConfigError(config.source, "[limits] max_pages must be at least 1")
    if config.jobs < 0:
        raise ConfigError(config.source, "[run] jobs must be 0 (all cores) or more")
    if config.memory < MIN_MEMORY:
        raise ConfigError(
            config.source,
            f"[limits] memory must be at least {MIN_MEMORY >> 20}MB, not {config.memory} bytes",
        )
    if config.document_timeout <= 0:
        raise ConfigError(config.source, "[limits] document_timeout must be more than 0 seconds")


def filesystem_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (from /proc/mounts), if known."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = path.resolve()
    while not target.exists() and target != target.parent:
        target = target.parent
    best: tuple[int, str] | None = None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = Path(parts[1].replace("\\040", " "))
        if target == mount_point or target.is_relative_to(mount_point):
            depth = len(mount_point.parts)
            if best is None or depth > best[0]:
                best = (depth, parts[2])
    return best[1] if best else None


#: File systems that hold no files of ours: the kernel's views (/proc, /sys, /dev...).
VIRTUAL_FILESYSTEMS = frozenset(
    {
        "proc",
        "sysfs",
        "devtmpfs",
        "devpts",
        "cgroup",
        "cgroup2",
        "debugfs",
        "tracefs",
        "securityfs",
        "pstore",
        "bpf",
        "configfs",
        "efivarfs",
        "fusectl",
        "mqueue",
        "binfmt_misc",
        "autofs",
    }
)


def output_problems(config: Config, *, existing: bool = True) -> list[str]:
    """What stops the output folders from being created or written, one line per folder.

    An output that is a file, lies on a virtual file system (``/proc``...), or cannot be
    created (its nearest existing folder is a file or is not writable) would otherwise fail
    on the first document written. Without ``existing``, an existing dossiers, review or
    quarantine folder that is not writable is not a problem here: each document that cannot
    be written there waits in ``state/work`` for the next run (the per-document boundary),
    while the others are filed. ``state`` must always be writable. Each line names the key.
    """
    problems = []
    for name, path in outputs(config.paths).items():
        problem = _output_problem(path, existing or name == "state")
        if problem:
            problems.append(f"[paths] {name} ({path}) {problem}")
    return problems


def _output_problem(path: Path, writable: bool) -> str | None:
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        return "is a file, not a folder"
    if not existing.is_dir():
        return f"cannot be created: {existing} is a file"
    kind = filesystem_type(existing)
    if kind in VIRTUAL_FILESYSTEMS:
        return f"is on a virtual file system ({kind}): nothing can be kept there"
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing != path:
            return f"cannot be created: {existing} is not writable"
        if writable:
            return "is not writable"
    return None


def check_outputs(config: Config) -> None:
    """Raise :class:`ConfigError` naming the first output folder that cannot work at all.

    What :func:`output_problems` reports without ``existing``: the run would fail as a
    whole, not one document at a time.
    """
    problems = output_problems(config, existing=False)
    if problems:
        raise ConfigError(config.source, problems[0])


def check_state_is_local(config: Config) -> None:
    """Refuse a ``state`` folder on a network file system, where SQLite locking is unsafe."""
    kind = filesystem_type(config.paths.state)
    if kind in NETWORK_FILESYSTEMS:
        raise ConfigError(
            config.source,
            f"[paths] state ({config.paths.state}) is on a network file system ({kind}); "
            "the database and the working area must be on a local disk",
        )


class _Reader:
    """Typed access to the sections of the raw TOML, with errors naming the key."""

    def __init__(self, raw: Mapping[str, Any], path: Path) -> None:
        self.raw = raw
        self.path = path

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(self.path, f"[{name}] must be a table")
        return value

    def get(self, section: str, key: str, kind: type, default: Any) -> Any:
        value = self.section(section).get(key, default)
        if not isinstance(value, kind):
            raise ConfigError(
                self.path, f"[{section}] {key} must be a {kind.__name__}, not {value!r}"
            )
        return value

    def require(self, section: str, key: str) -> str:
        value = self.get(section, key, str, "")
        if not value:
            raise ConfigError(self.path, f"[{section}] {key} is required")
        return str(value)

    def size(self, section: str, key: str, default: int) -> int:
        """A size in bytes, given as a number of bytes or a string: ``"512MB"``, ``"1GB"``."""
        value = self.section(section).get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        match = _SIZE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ConfigError(
                self.path,
                f'[{section}] {key} must be a size such as "1GB" or "512MB", not {value!r}',
            )
        return int(float(match.group(1)) * _UNITS[match.group(2).lower()])

    def number(self, section: str, key: str, default: float) -> float:
        value = self.section(section).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(
                self.path, f"[{section}] {key} must be a non-negative number, not {value!r}"
            )
        return float(value)

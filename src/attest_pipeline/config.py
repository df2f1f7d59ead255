"""The configuration file (``config.toml``): paths, plugins, limits, OCR, watching, the page.

Relative paths are relative to the configuration file, so that a configuration works
wherever it is started from. Every problem is a :class:`~attest_pipeline.errors.ConfigError`
naming the file (and the line when the TOML itself is malformed).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attest_pipeline.errors import ConfigError, toml_error

DEFAULT_CONFIG = Path("config.toml")
ENV_VAR = "ATTEST_CONFIG"

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
    roster: Path
    referentiel: Path | None = None
    mapping: Path | None = None

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
    """OCR of pages without a text layer (Tesseract)."""

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


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration, as read from one file."""

    source: Path
    paths: Paths
    plugins: PluginSettings = field(default_factory=PluginSettings)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    max_pages: int = 5000
    jobs: int = 1


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
    )
    plugins = PluginSettings(
        dirs=tuple(resolve(d) for d in reader.get("plugins", "dirs", list, [])),
        template_dirs=tuple(resolve(d) for d in reader.get("plugins", "template_dirs", list, [])),
        disabled=tuple(str(d) for d in reader.get("plugins", "disabled", list, [])),
        timeout=reader.number("plugins", "timeout", 10.0),
        entry_points=reader.get("plugins", "entry_points", bool, True),
    )
    ocr = OcrConfig(
        enabled=reader.get("ocr", "enabled", bool, True),
        language=reader.get("ocr", "language", str, "fra"),
        dpi=int(reader.number("ocr", "dpi", 200)),
        page_timeout=reader.number("ocr", "page_timeout", 30.0),
        min_confidence=reader.number("ocr", "min_confidence", 80.0),
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
        serve=serve,
        max_pages=int(reader.number("limits", "max_pages", 5000)),
        jobs=int(reader.number("run", "jobs", 1)),
    )
    check_layout(config)
    return config


def check_layout(config: Config) -> None:
    """Refuse folders that overlap: an output inside the inbox would be ingested again."""
    paths = config.paths
    outputs = {
        "dossiers": paths.dossiers,
        "review": paths.review,
        "quarantine": paths.quarantine,
        "state": paths.state,
    }
    for name, output in outputs.items():
        if output == paths.inbox or output.is_relative_to(paths.inbox):
            raise ConfigError(config.source, f"[paths] {name} ({output}) lies inside the inbox")
        if paths.inbox.is_relative_to(output):
            raise ConfigError(config.source, f"the inbox lies inside [paths] {name} ({output})")
    if config.max_pages < 1:
        raise ConfigError(config.source, "[limits] max_pages must be at least 1")
    if config.jobs < 0:
        raise ConfigError(config.source, "[run] jobs must be 0 (all cores) or more")


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

    def number(self, section: str, key: str, default: float) -> float:
        value = self.section(section).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(
                self.path, f"[{section}] {key} must be a non-negative number, not {value!r}"
            )
        return float(value)

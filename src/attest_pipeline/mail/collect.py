"""The IMAP side of ``attest mail``: poll mailboxes, save PDFs into the inbox, mark messages.

One poll of one mailbox, folder by folder: select it (its UIDVALIDITY), search the messages
without the collector's keyword, leave out those the database has seen, fetch each new one
whole (``BODY.PEEK[]``: the server's Seen flag is left to people), read it
(:mod:`~attest_pipeline.mail.parse`) and:

- PDFs: record the message and the names chosen for its attachments, write each into the
  inbox (hidden temporary name, fsync, rename: the watcher and ``attest run`` see only
  whole files, and claim them as any dropped file), note each written, then the message
  saved; once the folder is done, add the keyword to every saved message (and move them
  when ``move_to`` is set), then note them marked. A crash between saving and marking
  leaves messages "saved": the next poll marks them without fetching them again; a crash
  while saving leaves a message "saving": the next poll fetches it again and writes only
  what was not written, and an attachment whose bytes were already received is never
  written twice (sha256).
- Only links: filed to review at once (reason ``link_only``), the message's own bytes kept
  as an ``.eml``; nothing is fetched from the links.
- No PDF, a limit broken, unreadable: recorded and reported once, left unmarked (or moved
  to ``no_pdf_folder``).

A mailbox that is down or refuses the login is tried again with a growing delay, said once
when it starts failing and once when it is back; the database keeps the streak for
``attest doctor`` and ``attest status``. Passwords come from the environment or from a
file only its owner can read, and are never logged.
"""

from __future__ import annotations

import hashlib
import imaplib
import os
import ssl
import stat
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attest_pipeline.config import Config, MailAccount, MailConfig, Paths
from attest_pipeline.errors import AttestError, ConfigError
from attest_pipeline.filing import durable_write, safe_component
from attest_pipeline.inbox import pending_claims
from attest_pipeline.mail.ledger import (
    LEFT,
    SAVED,
    SAVING,
    MailLedger,
    Planned,
    Where,
)
from attest_pipeline.mail.parse import (
    Envelope,
    Limits,
    Parsed,
    mail_summary,
    parse_envelope,
    parse_message,
)
from attest_pipeline.signals import stop_on_signals
from attest_pipeline.store import Store
from attest_pipeline.text.printable import printable

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from attest_pipeline.pipeline import Pipeline

#: Where the collector's messages go.
Say = Callable[[str], None]

#: The first delay before a failing mailbox is tried again; doubled at each failure up to
#: ``[mail] retry_max``.
RETRY_FIRST = 5.0
#: The longest the loop sleeps without looking at its stop flag.
MAX_WAIT = 0.5
#: Message sizes are asked for this many messages at a time: a first poll of a mailbox
#: holding years of mail must not send one command line of tens of thousands of UIDs.
FETCH_CHUNK = 200

#: What a mailbox that is down, unreachable, refusing the login or dropping the
#: connection raises (ssl.SSLError and socket timeouts are OSErrors).
MAILBOX_FAILURES: tuple[type[BaseException], ...] = (imaplib.IMAP4.error, OSError, EOFError)


class CredentialError(ConfigError):
    """A mailbox's password cannot be had safely (exit code 2)."""


class InboxWriteError(AttestError):
    """An attachment could not be written into the inbox (a full disk...)."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------- credentials


def read_password(account: MailAccount, source: Path) -> str:
    """The account's password, from its environment variable or its owner-only file.

    A file that its group or others may read is refused, as ssh refuses such a key.
    """
    if account.password_env:
        value = os.environ.get(account.password_env)
        if not value:
            raise CredentialError(
                source,
                f"mail account {account.name}: the environment variable "
                f"{account.password_env} (password_env) is not set",
            )
        return value
    path = account.password_file
    assert path is not None  # the configuration requires one of the two
    try:
        info = path.stat()
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialError(
                source,
                f"mail account {account.name}: the password file {path} is readable by others "
                f"(mode {stat.S_IMODE(info.st_mode):04o}); make it readable by its owner only: "
                f"chmod 600 {path}",
            )
        value = path.read_text(encoding="utf-8").strip("\r\n")
    except OSError as error:
        raise CredentialError(
            source,
            f"mail account {account.name}: cannot read the password file {path}: "
            f"{error.strerror or error}",
        ) from None
    if not value:
        raise CredentialError(source, f"mail account {account.name}: {path} is empty")
    return value


def connect(account: MailAccount, password: str) -> IMAPClient:
    """A logged-in connection to the account's server (IMAPS, STARTTLS, or plain on loopback)."""
    from imapclient import IMAPClient

    context = ssl.create_default_context(
        cafile=str(account.ca_file) if account.ca_file else None
    )
    client = IMAPClient(
        account.host,
        port=account.port,
        ssl=account.security == "imaps",
        ssl_context=context,
        timeout=account.timeout,
    )
    try:
        if account.security == "starttls":
            client.starttls(context)
        client.login(account.user, password)
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    with suppress(Exception):  # the connection may already be gone
        client.logout()
    with suppress(Exception):
        client.shutdown()


def describe(error: BaseException) -> str:
    """An error in one line, never with a password (imapclient's messages hold none)."""
    text = printable(" ".join(str(error).split())) or "no detail"
    return f"{type(error).__name__}: {text}"


# --------------------------------------------------------------------------- report


@dataclass
class AccountReport:
    """What one poll of one mailbox did."""

    account: str
    messages: int = 0
    collected: int = 0
    attachments: int = 0
    already_received: int = 0
    link_only: int = 0
    no_pdf: int = 0
    left: dict[str, int] = field(default_factory=dict)
    refused_attachments: int = 0
    marked: int = 0
    notes: list[str] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (``attest mail --json``)."""
        return {
            "account": self.account,
            "messages": self.messages,
            "collected": self.collected,
            "attachments": self.attachments,
            "already_received": self.already_received,
            "link_only": self.link_only,
            "no_pdf": self.no_pdf,
            "left": dict(sorted(self.left.items())),
            "refused_attachments": self.refused_attachments,
            "marked": self.marked,
            "saved": list(self.saved),
            "notes": list(self.notes),
            "error": self.error,
        }

    def line(self) -> str:
        """The report in one line."""
        if self.error:
            return f"mail {self.account}: not polled: {self.error}"
        left = "".join(f", {n} left ({code})" for code, n in sorted(self.left.items()))
        return (
            f"mail {self.account}: {self.messages} new message(s): {self.collected} with PDFs "
            f"({self.attachments} saved into the inbox, {self.already_received} already "
            f"received), {self.link_only} link only (review), {self.no_pdf} without PDF"
            f"{left}; {self.refused_attachments} attachment(s) not taken; "
            f"{self.marked} marked"
        )


# ------------------------------------------------------------------------ collector


def mail_name(where: Where, number: int, filename: str, suffix: str = ".pdf") -> str:
    """The inbox name of a message's ``number``-th attachment: unique, stable, ASCII.

    The same message and attachment always get the same name, so that a poll interrupted
    while saving writes the same file again rather than a second one.
    """
    stem = Path(filename).stem if filename.lower().endswith(suffix) else filename
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return (
        f"mail_{safe_component(where.account, 20)}_{where.uidvalidity}-{where.uid}_{number}_"
        f"{safe_component(ascii_stem, 40)}{suffix}"
    )


class Collector:
    """Polls the configured mailboxes; keeps each one's next due time and failure streak."""

    def __init__(
        self,
        config: Config,
        *,
        say: Say = _stderr,
        clock: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
    ) -> None:
        self.config = config
        #: Set to stop after the message in progress (Ctrl-C, SIGTERM, the watcher stopping).
        self.stop = stop or threading.Event()
        self.settings: MailConfig = config.mail
        self.paths: Paths = config.paths
        self.say = say
        self.clock = clock
        self.limits = Limits(self.settings.max_attachment_size, self.settings.max_attachments)
        self.passwords = {
            account.name: read_password(account, config.source)
            for account in self.settings.accounts
        }
        self._due = {account.name: 0.0 for account in self.settings.accounts}

    def next_due(self) -> float:
        """The clock time at which the next mailbox is due."""
        return min(self._due.values(), default=float("inf"))

    def poll(self, *, due_only: bool = False) -> list[AccountReport]:
        """Poll every mailbox (or only those due); one report each."""
        now = self.clock()
        return [
            self.poll_account(account)
            for account in self.settings.accounts
            if not due_only or self._due[account.name] <= now
        ]

    def poll_account(self, account: MailAccount) -> AccountReport:
        """One poll of one mailbox: every folder, then its health recorded."""
        report = AccountReport(account.name)
        with Store(self.paths.database) as store:
            ledger = MailLedger(store)
            try:
                client = connect(account, self.passwords[account.name])
                try:
                    for folder in account.folders:
                        _FolderPoll(self, client, account, folder, ledger, report).run()
                finally:
                    _close(client)
            except MAILBOX_FAILURES as error:
                report.error = describe(error)
                failures = ledger.poll_failed(account.name, report.error)
                delay = min(RETRY_FIRST * 2.0 ** (failures - 1), self.settings.retry_max)
                self._due[account.name] = self.clock() + delay
                if failures == 1:
                    self.say(
                        f"mail {account.name} ({account.host}:{account.port}): cannot be polled: "
                        f"{report.error}; trying again in {delay:g} s, then less and less "
                        f"often (at most every {self.settings.retry_max:g} s); said once, "
                        "until it is back"
                    )
                return report
            back = ledger.poll_succeeded(account.name)
            if back:
                self.say(f"mail {account.name}: back after {back} failed attempt(s)")
            self._due[account.name] = self.clock() + self.settings.interval
        return report


class _FolderPoll:
    """One folder of one mailbox, polled once (see the module docstring for the order)."""

    def __init__(
        self,
        collector: Collector,
        client: IMAPClient,
        account: MailAccount,
        folder: str,
        ledger: MailLedger,
        report: AccountReport,
    ) -> None:
        self.collector = collector
        self.client = client
        self.account = account
        self.folder = folder
        self.ledger = ledger
        self.report = report
        self.paths = collector.paths

    def run(self) -> None:
        info = self.client.select_folder(self.folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        here = Where(self.account.name, self.folder, uidvalidity, 0)
        unmarked = self.client.search(["NOT", "KEYWORD", self.account.keyword])
        uids = sorted(int(uid) for uid in unmarked)
        seen = self.ledger.seen(here)
        to_mark = [uid for uid in uids if seen.get(uid) == SAVED]
        new = [uid for uid in uids if uid not in seen or seen[uid] == SAVING]
        no_pdf: list[int] = []
        for start in range(0, len(new), FETCH_CHUNK):
            if self.collector.stop.is_set():
                break
            chunk = new[start : start + FETCH_CHUNK]
            sizes = self.client.fetch(chunk, ["RFC822.SIZE"])
            for uid in chunk:
                if self.collector.stop.is_set():
                    break  # what is saved is marked below; the rest waits for the next poll
                if uid not in sizes:
                    continue  # expunged meanwhile
                where = replace(here, uid=uid)
                outcome = self._message(where, int(sizes[uid].get(b"RFC822.SIZE", 0)))
                if outcome == "mark":
                    to_mark.append(uid)
                elif outcome == "no_pdf":
                    no_pdf.append(uid)
        self._mark(here, to_mark)
        if no_pdf and self.account.no_pdf_folder:
            self._move(no_pdf, self.account.no_pdf_folder)

    # ----------------------------------------------------------------- one message

    def _message(self, where: Where, size: int) -> str | None:
        limit = self.collector.settings.max_message_size
        raw: bytes | None = None
        if size > limit:
            header = self._fetch(where.uid, "BODY.PEEK[HEADER]", b"BODY[HEADER]")
            if header is None:
                return None
            parsed = Parsed(
                parse_envelope(header),
                problem=("too_large", f"the message is {size} bytes, more than {limit}"),
            )
        else:
            raw = self._fetch(where.uid, "BODY.PEEK[]", b"BODY[]")
            if raw is None:
                return None
            parsed = parse_message(raw, self.collector.limits)
        self.report.messages += 1
        refused = [r.to_json() for r in parsed.refused]
        self.report.refused_attachments += len(refused)
        for item in parsed.refused:
            self.report.notes.append(
                f"not taken: {item.filename} ({item.code}: {item.detail}) "
                f"in {_about(parsed.envelope)}"
            )
        detail: dict[str, Any] = {"refused": refused, "defects": list(parsed.defects)}
        outcome = parsed.outcome
        if outcome == "collect":
            self._collect(where, parsed, detail)
            return "mark"
        if outcome == "link_only" and raw is not None:
            self._link_only(where, parsed, raw, detail)
            return "mark"
        if outcome == "no_pdf":
            self.report.no_pdf += 1
        else:
            self.report.left[outcome] = self.report.left.get(outcome, 0) + 1
        problem = parsed.problem[1] if parsed.problem else "no PDF attachment, no link"
        self.report.notes.append(f"left: {_about(parsed.envelope)}: {outcome}: {problem}")
        self.ledger.record(where, parsed.envelope, outcome, LEFT, {**detail, "problem": problem})
        _journal_line(self.paths, where, parsed.envelope, outcome)
        return outcome

    def _fetch(self, uid: int, item: str, key: bytes) -> bytes | None:
        answer = self.client.fetch([uid], [item])
        data = answer.get(uid, {}).get(key)
        return bytes(data) if data is not None else None

    def _collect(self, where: Where, parsed: Parsed, detail: dict[str, Any]) -> None:
        """Save the message's PDFs into the inbox (see the module docstring)."""
        written_before = self.ledger.saved_names(where)
        planned: list[Planned] = []
        known: dict[str, str] = {}
        in_message: dict[str, str] = {}
        for number, attachment in enumerate(parsed.attachments, start=1):
            name = mail_name(where, number, attachment.filename)
            sha256 = hashlib.sha256(attachment.data).hexdigest()
            planned.append(Planned(name, attachment.filename, attachment.origin, sha256,
                                   len(attachment.data)))
            if name in written_before:
                continue
            earlier = in_message.get(sha256) or self.ledger.received(sha256, besides=name)
            if earlier is not None:
                known[name] = earlier
            in_message.setdefault(sha256, name)
        message = self.ledger.record(
            where, parsed.envelope, "collected", SAVING, detail, planned, known
        )
        claimed = {claim.name for claim in pending_claims(self.paths.work)}
        for item, attachment in zip(planned, parsed.attachments, strict=True):
            if item.name in written_before:
                continue
            if item.name in known:
                self.report.already_received += 1
                self.report.notes.append(
                    f"already received: {attachment.filename} in {_about(parsed.envelope)}: "
                    f"{known[item.name]}"
                )
                continue
            target = self.paths.inbox / item.name
            if not target.exists() and item.name not in claimed:
                try:
                    durable_write(target, attachment.data)
                except OSError as error:
                    raise InboxWriteError(
                        f"cannot write {target}: {error.strerror or error}"
                    ) from None
            self.report.attachments += 1
            self.report.saved.append(item.name)
        self.ledger.saved(message, [item.name for item in planned if item.name not in known])
        self.report.collected += 1

    def _link_only(self, where: Where, parsed: Parsed, raw: bytes, detail: dict[str, Any]) -> None:
        """File the message itself to review: a person follows the links, not the software."""
        from attest_pipeline.filing import Filer
        from attest_pipeline.journal import journal_line
        from attest_pipeline.models import Problem, Source
        from attest_pipeline.outcomes import failed
        from attest_pipeline.reasons import Reason

        name = mail_name(where, 0, parsed.envelope.subject or "link", suffix=".eml")
        sha256 = hashlib.sha256(raw).hexdigest()
        detail = {**detail, "links": list(parsed.links)}
        message = self.ledger.record(
            where, parsed.envelope, "link_only", SAVING, detail,
            [Planned(name, name, "message", sha256, len(raw))],
        )
        claim = f"mail-{where.account}-{where.uidvalidity}-{where.uid}"
        store = self.ledger.store
        # The same message seen again under a new UIDVALIDITY, or in a second folder.
        earlier = self.ledger.received(sha256, besides=name)
        if earlier is not None:
            self.report.notes.append(f"already in review: {_about(parsed.envelope)}: {earlier}")
        elif not store.claim_known(claim):
            problem = Problem(
                Reason.LINK_ONLY,
                "the message holds no PDF, only link(s), not followed: " + " ".join(parsed.links),
            )
            record = replace(
                failed(Source(name, sha256, ()), problem), fields={"links": list(parsed.links)}
            )
            filer = Filer(self.paths, store)
            try:
                try:
                    with store.transaction():
                        filed = filer.file_document(claim, name, raw, None, [record])
                        filer.sync()
                except BaseException:
                    filer.discard()  # the rows were rolled back: so are the files
                    raise
                filer.committed()
            finally:
                # Its list of written files, empty once committed or discarded, would stay
                # in the working area until the next run's recovery.
                filer.close()
            with open(self.paths.journal, "a", encoding="utf-8") as journal:
                for item in filed:
                    journal.write(journal_line(name, item) + "\n")
        self.ledger.saved(message, [name])
        self.report.link_only += 1
        self.report.notes.append(f"link only, to review: {_about(parsed.envelope)}")

    # -------------------------------------------------------------------- marking

    def _mark(self, here: Where, uids: Sequence[int]) -> None:
        if not uids:
            return
        self.client.add_flags(list(uids), [self.account.keyword], silent=True)
        if self.account.move_to:
            self._move(uids, self.account.move_to)
        self.ledger.marked([replace(here, uid=uid) for uid in uids])
        self.report.marked += len(uids)

    def _move(self, uids: Sequence[int], folder: str) -> None:
        if self.client.has_capability("MOVE"):
            self.client.move(list(uids), folder)
            return
        self.client.copy(list(uids), folder)
        self.client.delete_messages(list(uids), silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(list(uids))


def _about(envelope: Envelope) -> str:
    return f"message {envelope.subject or '(no subject)'!r} from {envelope.sender or '?'}"


def _journal_line(paths: Paths, where: Where, envelope: Envelope, reason: str) -> None:
    """One line in journal.log for a message left alone: which one, from whom, and why."""
    line = (
        f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {'mail-left':<9} "
        f"{printable(where.account)}/{printable(where.folder)} uid {where.uid} "
        f"reasons={reason} {mail_summary(envelope.to_json())}"
    )
    paths.journal.parent.mkdir(parents=True, exist_ok=True)
    with open(paths.journal, "a", encoding="utf-8") as journal:
        journal.write(line + "\n")


# ----------------------------------------------------------------------------- loops


def collect_loop(
    collector: Collector,
    stop: threading.Event,
    *,
    on_poll: Callable[[list[AccountReport]], None] | None = None,
) -> None:
    """Poll each mailbox when due until ``stop`` is set; one poll's failure never ends it."""
    while not stop.is_set():
        if collector.next_due() <= collector.clock():
            try:
                reports = collector.poll(due_only=True)
            except Exception as error:  # the inbox unwritable, a bug: said, tried again later
                collector.say(f"mail: poll failed: {describe(error)}; tried again later")
                for name in collector._due:
                    collector._due[name] = collector.clock() + collector.settings.interval
                continue
            if on_poll is not None:
                on_poll(reports)
        wait = min(max(collector.next_due() - collector.clock(), 0.0), MAX_WAIT)
        stop.wait(wait)


class MailThread:
    """``attest watch``'s mail collector: polls in a thread of its own, saves into the inbox.

    The watcher sees what it saves as any dropped file. The thread never raises: a failing
    mailbox is retried with backoff, anything else is said and tried again.
    """

    def __init__(self, config: Config, say: Say) -> None:
        self.stop = threading.Event()
        self.collector = Collector(config, say=say, stop=self.stop)
        self.thread = threading.Thread(target=self._run, name="attest-mail", daemon=True)

    def _run(self) -> None:
        try:
            collect_loop(self.collector, self.stop)
        except Exception as error:  # a thread's exception would otherwise vanish
            self.collector.say(f"mail: stopped on an error: {describe(error)}")

    def start(self) -> None:
        """Start polling."""
        self.thread.start()

    def close(self) -> None:
        """Stop polling and wait for the poll in progress (its network timeout at most)."""
        self.stop.set()
        self.thread.join(timeout=max(a.timeout for a in self.collector.settings.accounts) + 5)


class MailboxError(AttestError):
    """``attest mail --once`` could not poll every mailbox (exit code 1)."""


def mail_command(
    config: Config,
    make_pipeline: Callable[[], Pipeline],
    *,
    once: bool,
    as_json: bool = False,
    say: Say = _stderr,
) -> None:
    """``attest mail [--once]``: collect, then file what was collected (unless a watcher does).

    Each poll that leaves files in the inbox is followed by a pass of the pipeline, as
    ``attest run``; when another process (``attest watch``) holds the state lock, the files
    are left to it. ``--once`` polls every mailbox once, files, prints its report and exits,
    with code 1 when a mailbox could not be polled.
    """
    import json

    from attest_pipeline.errors import UsageError
    from attest_pipeline.inbox import candidate_names
    from attest_pipeline.pipeline import Busy

    if not config.mail.accounts:
        raise UsageError(
            f"{config.source}: no [[mail.accounts]] configured: no mailbox to poll "
            "(README, \"Attestations by e-mail\")"
        )
    stop = threading.Event()
    collector = Collector(config, say=say, stop=stop)
    pipelines: list[Pipeline] = []
    results: list[dict[str, Any]] = []

    def file_collected(reports: list[AccountReport]) -> None:
        summary = None
        waiting = candidate_names(config.paths.inbox) or pending_claims(config.paths.work)
        if waiting:
            if not pipelines:
                pipelines.append(make_pipeline())
            try:
                summary = pipelines[0].run()
            except Busy as busy:
                say(str(busy))
        if as_json:
            results.append(
                {
                    "accounts": [r.to_json() for r in reports],
                    "run": summary.to_json() if summary is not None else None,
                }
            )
            if not once:
                print(json.dumps(results.pop(), ensure_ascii=False), flush=True)
            return
        for report in reports:
            if report.error and not once:
                continue  # said once by the collector, not at every retry
            if report.messages or report.error or once:
                print(report.line(), flush=True)
                for note in report.notes:
                    print(f"  {note}", flush=True)
        if summary is not None:
            print(f"inbox: {summary.text()}", flush=True)

    if once:
        reports = collector.poll()
        file_collected(reports)
        if as_json:
            print(json.dumps(results[0], ensure_ascii=False, indent=2))
        failed = [r.account for r in reports if r.error]
        if failed:
            raise MailboxError(f"mailbox(es) not polled: {', '.join(failed)}")
        return
    say(
        f"polling {len(config.mail.accounts)} mailbox(es) every {config.mail.interval:g} s "
        "into the inbox; stop with Ctrl-C or SIGTERM"
    )
    with stop_on_signals(stop.set):
        collect_loop(collector, stop, on_poll=file_collected)
    say("mail: stopped")


def doctor_lines(config: Config) -> list[tuple[bool, str]]:
    """``attest doctor``: each mailbox's credentials, a live login and folder check, its record."""
    from attest_pipeline.mail.ledger import accounts
    from attest_pipeline.reports import format_mail_account

    lines: list[tuple[bool, str]] = []
    store = Store.open_existing(config.paths.database)
    try:
        recorded = {a["account"]: a for a in accounts(store.db)} if store else {}
    finally:
        if store is not None:
            store.close()
    for account in config.mail.accounts:
        where = f"mail {account.name} ({account.security} {account.host}:{account.port})"
        try:
            password = read_password(account, config.source)
        except CredentialError as error:
            lines.append((False, f"{where}: {error.problem}"))
            continue
        try:
            client = connect(account, password)
            try:
                # Selected as the collector does (read-write): a read-only EXAMINE answers
                # no PERMANENTFLAGS, and keywords are what the collector marks with.
                no_keywords = [
                    folder
                    for folder in account.folders
                    if b"\\*" not in client.select_folder(folder).get(b"PERMANENTFLAGS", ())
                ]
                targets = [f for f in (account.move_to, account.no_pdf_folder) if f]
                missing = [f for f in targets if not client.folder_exists(f)]
            finally:
                _close(client)
            if missing:
                lines.append((False, f"{where}: folder(s) missing: {', '.join(missing)}"))
            elif no_keywords and not account.move_to:
                lines.append((False, f"{where}: the server keeps no keywords in "
                                     f"{', '.join(no_keywords)}: set move_to"))
            else:
                lines.append(
                    (True, f"{where}: logged in as {account.user}; "
                           f"folder(s) {', '.join(account.folders)} readable")
                )
        except MAILBOX_FAILURES as error:
            lines.append((False, f"{where}: {describe(error)}"))
        state = recorded.get(account.name)
        if state is not None:
            lines.append((not state["failing_since"], format_mail_account(state)))
    return lines

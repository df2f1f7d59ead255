"""Reading one e-mail: its envelope, its PDFs, what is refused, and its links.

Messages come from anyone, built by any mailer: every header and every part is read inside
its own guard, so that broken MIME (a missing boundary, bad base64, a header the parser
trips on) costs that header or that part, never the message, and :func:`parse_message`
never raises. Attachment names arrive in every encoding mailers have invented: RFC 2231
parameters (``filename*=utf-8''...``, split over ``filename*0*``...), RFC 2047 encoded
words inside quotes (Outlook, Gmail), and raw 8-bit bytes in Latin-1 or Windows-1252;
the standard library's parser decodes the first two, and :func:`_name_from_raw` recovers
the third from the header's bytes.

A part is a PDF by its bytes (``%PDF-`` in its first kilobyte), whatever its declared type
or name: mailers send PDFs as ``application/octet-stream`` and name other files ``.pdf``.
ZIP attachments are opened (one level) and their PDFs taken, each under the same size limit,
read with a bound so that a lying header cannot make a bomb of it.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from attest_pipeline.text.printable import printable

#: A PDF reader accepts the header anywhere in the first kilobyte.
_PDF_MAGIC = b"%PDF-"
_PDF_HEAD = 1024
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
#: Links a person would follow to fetch an attestation; mailto: and the like are not.
_LINK = re.compile(r"""https?://[^\s<>"'()\[\]]+""", re.IGNORECASE)
#: At most this many links are kept in a report: enough for a person to see what it is.
MAX_LINKS = 10
#: A message with more parts than this is malformed or hostile; its report says so.
MAX_PARTS = 500
_FILENAME_PARAM = re.compile(
    rb"""(?:file)?name\*?(?:0\*?)?\s*=\s*(?:"([^"]*)"|([^;\s]+))""", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sent a message, when, about what, and its Message-ID (each ``None`` when unreadable)."""

    sender: str | None = None
    date: str | None = None
    subject: str | None = None
    message_id: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The envelope as JSON (the ``mail`` object of sidecars and dossiers)."""
        return {
            "from": self.sender,
            "date": self.date,
            "subject": self.subject,
            "message_id": self.message_id,
        }


@dataclass(frozen=True, slots=True)
class Attachment:
    """A PDF found in a message: its name as sent, its bytes, and where it was."""

    filename: str
    data: bytes
    origin: str  # "attachment", "inline" or "zip:<name of the ZIP>"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A part that was not taken, with a code and what a person needs to know."""

    filename: str
    code: str  # not_pdf, too_large, encrypted_zip, bad_zip, undecodable
    detail: str

    def to_json(self) -> dict[str, str]:
        """The refusal as JSON."""
        return {"filename": self.filename, "code": self.code, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one message may bring (``[mail] max_attachment_size``, ``max_attachments``)."""

    max_attachment_size: int
    max_attachments: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """What was read in one message.

    ``problem`` is set when the message as a whole breaks a limit or could not be read
    (``too_many_attachments``, ``too_large``, ``malformed``): then nothing of it is taken.
    """

    envelope: Envelope
    attachments: tuple[Attachment, ...] = ()
    refused: tuple[Refusal, ...] = ()
    links: tuple[str, ...] = ()
    problem: tuple[str, str] | None = None
    defects: tuple[str, ...] = field(default=())

    @property
    def outcome(self) -> str:
        """One word: ``collect``, ``link_only``, ``no_pdf``, or the problem's code."""
        if self.problem is not None:
            return self.problem[0]
        if self.attachments:
            return "collect"
        return "link_only" if self.links else "no_pdf"


def mail_summary(mail: Mapping[str, Any]) -> str:
    """The e-mail an attestation came from, for its journal line (one line, escaped)."""

    def quoted(value: Any) -> str:
        return '"' + printable(str(value or "")).replace('"', "'") + '"'

    return (
        f"mail: from={quoted(mail.get('from'))} date={printable(str(mail.get('date') or '-'))} "
        f"subject={quoted(mail.get('subject'))} "
        f"message-id={printable(str(mail.get('message_id') or '-'))}"
    )


def parse_message(raw: bytes, limits: Limits) -> Parsed:
    """Read a raw message (RFC 5322 bytes); never raises."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the parser is meant not to raise; a message must not stop us
        return Parsed(Envelope(), problem=("malformed", f"unreadable message: {error}"))
    envelope = read_envelope(message)
    try:
        return _parse_parts(message, envelope, limits)
    except Exception as error:  # one hostile message costs itself, never the loop
        return Parsed(envelope, problem=("malformed", f"{type(error).__name__}: {error}"))


def parse_envelope(raw: bytes) -> Envelope:
    """Only the envelope of a message (from its header); never raises."""
    try:
        return read_envelope(email.message_from_bytes(raw, policy=email.policy.default))
    except Exception:  # a header that cannot be read leaves an empty envelope
        return Envelope()


def read_envelope(message: Message) -> Envelope:
    """Sender, date, subject and Message-ID of a parsed message, each read on its own."""
    sender = _header(message, "From", _format_sender)
    date = _header(message, "Date", _format_date)
    subject = _header(message, "Subject", _one_line)
    message_id = _header(message, "Message-ID", lambda value: _one_line(value).strip() or None)
    return Envelope(sender, date, subject, message_id)


def _header(message: Message, name: str, shape: Callable[[str], str | None]) -> str | None:
    try:
        value = message.get(name)
        if value is None:
            return None
        return shape(str(value))
    except Exception:  # a header the parser trips on: fall back to its raw text
        pass
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return _one_line(_from_surrogates(str(value))) or None
    return None


def _format_sender(value: str) -> str | None:
    pairs = [(name, address) for name, address in getaddresses([value]) if name or address]
    if not pairs:
        return _one_line(value) or None
    name, address = pairs[0]
    name = _one_line(name)
    return f"{name} <{address}>" if name and address else (address or name)


def _format_date(value: str) -> str | None:
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return _one_line(value) or None


def _one_line(value: str) -> str:
    return printable(" ".join(_from_surrogates(value).split()))


def _from_surrogates(text: str) -> str:
    """Undo the parser's surrogate escapes of 8-bit bytes: UTF-8 if they are, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    return _decode(data)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


# --------------------------------------------------------------------------- parts


def _parse_parts(message: Message, envelope: Envelope, limits: Limits) -> Parsed:
    attachments: list[Attachment] = []
    refused: list[Refusal] = []
    links: list[str] = []
    defects = [type(d).__name__ for d in getattr(message, "defects", [])]
    for number, part in enumerate(_leaves(message)):
        if number >= MAX_PARTS:
            return Parsed(
                envelope,
                problem=("malformed", f"more than {MAX_PARTS} parts"),
                defects=tuple(defects),
            )
        defects.extend(type(d).__name__ for d in getattr(part, "defects", []))
        try:
            _read_part(part, limits, attachments, refused, links)
        except Exception as error:  # a broken part costs itself
            refused.append(Refusal(_filename(part) or "", "undecodable", f"{error}"))
        if len(attachments) > limits.max_attachments:
            return Parsed(
                envelope,
                refused=tuple(refused),
                problem=(
                    "too_many_attachments",
                    f"more than {limits.max_attachments} PDF attachments",
                ),
                defects=tuple(defects),
            )
    if any(r.code == "too_large" for r in refused):
        big = next(r for r in refused if r.code == "too_large")
        return Parsed(
            envelope,
            refused=tuple(refused),
            problem=("too_large", f"{big.filename}: {big.detail}"),
            defects=tuple(defects),
        )
    unique_links = tuple(dict.fromkeys(links))[:MAX_LINKS]
    return Parsed(
        envelope, tuple(attachments), tuple(refused), unique_links, defects=tuple(defects)
    )


def _leaves(message: Message) -> Iterator[Message]:
    """Every non-multipart part, forwarded messages (message/rfc822) included."""
    for part in message.walk():
        if not part.is_multipart():
            yield part


def _read_part(
    part: Message,
    limits: Limits,
    attachments: list[Attachment],
    refused: list[Refusal],
    links: list[str],
) -> None:
    content_type = part.get_content_type()
    filename = _filename(part)
    disposition = (part.get_content_disposition() or "").lower()
    if content_type.startswith("text/") and not filename and disposition != "attachment":
        text = _text(part)
        if content_type == "text/html":
            text = text.replace("&amp;", "&")
        links.extend(m.group().rstrip(".,;:!?") for m in _LINK.finditer(text))
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return
    label = filename or f"(unnamed {content_type})"
    if len(data) > limits.max_attachment_size:
        refused.append(
            Refusal(
                label, "too_large", f"{len(data)} bytes, more than {limits.max_attachment_size}"
            )
        )
        return
    # A ZIP first: one that stores a PDF uncompressed has ``%PDF-`` in its first kilobyte.
    if data.startswith(_ZIP_MAGIC) or content_type in _ZIP_TYPES or label.lower().endswith(".zip"):
        _read_zip(label, data, limits, attachments, refused)
        return
    if _PDF_MAGIC in data[:_PDF_HEAD]:
        origin = "inline" if disposition == "inline" else "attachment"
        attachments.append(Attachment(filename or "attachment.pdf", data, origin))
        return
    if filename or not content_type.startswith(("image/", "text/")):
        refused.append(Refusal(label, "not_pdf", f"{content_type}, not a PDF"))


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return _decode(data)


def _read_zip(
    label: str,
    data: bytes,
    limits: Limits,
    attachments: list[Attachment],
    refused: list[Refusal],
) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        refused.append(Refusal(label, "bad_zip", f"not a readable ZIP: {error}"))
        return
    found = False
    for info in members:
        if info.is_dir():
            continue
        inner = f"{label}/{_clean_name(info.filename)}"
        if info.flag_bits & 0x1:
            refused.append(Refusal(inner, "encrypted_zip", "the ZIP member needs a password"))
            continue
        if info.file_size > limits.max_attachment_size:
            refused.append(Refusal(inner, "too_large", f"{info.file_size} bytes unzipped"))
            continue
        try:
            with archive.open(info) as handle:
                # Read one byte past the limit: a member whose header lies about its size
                # is caught without inflating it all.
                content = handle.read(limits.max_attachment_size + 1)
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError) as error:
            refused.append(Refusal(inner, "bad_zip", f"cannot be unzipped: {error}"))
            continue
        if len(content) > limits.max_attachment_size:
            refused.append(Refusal(inner, "too_large", "more than the limit once unzipped"))
            continue
        if _PDF_MAGIC in content[:_PDF_HEAD]:
            found = True
            attachments.append(Attachment(_clean_name(info.filename), content, f"zip:{label}"))
        else:
            refused.append(Refusal(inner, "not_pdf", "a file in the ZIP that is not a PDF"))
    if not found and not members:
        refused.append(Refusal(label, "bad_zip", "an empty ZIP"))


# --------------------------------------------------------------------------- names


def _filename(part: Message) -> str:
    """The part's file name as sent, decoded, without any folder; ``""`` when none."""
    name: Any = None
    try:
        name = part.get_filename()
        if not name:
            name = part.get_param("name")
    except Exception:  # a parameter the parser trips on: read the raw header below
        name = None
    if isinstance(name, tuple):  # an RFC 2231 value the library left undecoded
        charset, _, value = name
        raw = value.encode("latin-1", "surrogateescape") if isinstance(value, str) else value
        try:
            name = raw.decode(charset or "utf-8")
        except (LookupError, UnicodeDecodeError):
            name = _decode(raw)
    if isinstance(name, str) and name:
        if "\ufffd" in name or any("\udc80" <= ch <= "\udcff" for ch in name):
            name = _name_from_raw(part) or _from_surrogates(name)
        return _clean_name(name)
    return _clean_name(_name_from_raw(part) or "")


def _name_from_raw(part: Message) -> str | None:
    """A file name read from the raw bytes of the headers (8-bit names in no declared charset)."""
    for key, value in part.raw_items():
        if key.lower() not in ("content-disposition", "content-type"):
            continue
        data = str(value).encode("utf-8", "surrogateescape")
        match = _FILENAME_PARAM.search(data)
        if match:
            found = match.group(1) if match.group(1) is not None else match.group(2)
            if found.startswith(b"=?"):
                continue  # an encoded word: the library's job
            return _decode(found.split(b"''", 1)[-1] if b"''" in found else found)
    return None


def _clean_name(name: str) -> str:
    """A name as sent, made harmless: no folders, no control characters, NFC."""
    name = unicodedata.normalize("NFC", _from_surrogates(name))
    name = PureWindowsPath(PurePosixPath(name).name).name
    return printable(" ".join(name.split())).strip(" .") or ""

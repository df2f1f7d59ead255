"""Reading e-mails: envelopes, PDFs wherever they are, odd names, broken MIME, limits."""

from __future__ import annotations

import base64
import zipfile
from email.message import EmailMessage
from io import BytesIO

import pytest

from attest_pipeline.mail.parse import (
    MAX_PARTS,
    Envelope,
    Limits,
    mail_summary,
    parse_envelope,
    parse_message,
)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
LIMITS = Limits(max_attachment_size=10_000, max_attachments=3)


def raw_message(headers: bytes, parts: list[bytes], boundary: bytes = b"b") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return (
        b"From: Dr A <a@example.fr>\r\nSubject: s\r\nMIME-Version: 1.0\r\n" + headers
        + b"Content-Type: multipart/mixed; boundary=\"" + boundary + b"\"\r\n\r\n"
        + body + b"--" + boundary + b"--\r\n"
    )


def pdf_part(
    disposition: bytes, content_type: bytes = b"application/pdf", data: bytes = PDF
) -> bytes:
    return (
        b"Content-Type: " + content_type + b"\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: " + disposition + b"\r\n\r\n" + base64.encodebytes(data)
    )


def names(raw: bytes) -> list[str]:
    return [a.filename for a in parse_message(raw, LIMITS).attachments]


def test_the_envelope_is_read_and_decoded() -> None:
    raw = (
        b"From: =?utf-8?q?Dr_Jos=C3=A9_L=C3=A9vy?= <jose@example.fr>\r\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
        b"Subject: =?iso-8859-1?q?Attestation_pour_la_d=E9claration?=\r\n"
        b"Message-ID: <abc@example.fr>\r\n\r\nbody\r\n"
    )
    envelope = parse_message(raw, LIMITS).envelope
    assert envelope == Envelope(
        "Dr José Lévy <jose@example.fr>",
        "2026-11-30T10:00:00+01:00",
        "Attestation pour la déclaration",
        "<abc@example.fr>",
    )
    assert parse_envelope(raw) == envelope


def test_an_unparseable_date_is_kept_as_written_and_missing_headers_are_none() -> None:
    envelope = parse_message(b"Date: le 30 novembre\r\n\r\nbody", LIMITS).envelope
    assert envelope.date == "le 30 novembre"
    assert envelope.sender is None and envelope.subject is None and envelope.message_id is None


def test_a_subject_with_newlines_and_bidi_controls_becomes_one_harmless_line() -> None:
    raw = b"Subject: =?utf-8?q?a=0Ab=E2=80=AEfdp.exe?=\r\n\r\nbody"
    subject = parse_message(raw, LIMITS).envelope.subject
    assert subject is not None and "\n" not in subject and "\u202e" not in subject
    assert "\\u202e" in subject


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        (b'attachment; filename="attestation.pdf"', "attestation.pdf"),
        (b"attachment; filename*=utf-8''attestation%20%C3%A9t%C3%A9.pdf", "attestation été.pdf"),
        (b"attachment; filename*=iso-8859-1''caf%E9.pdf", "café.pdf"),
        (b"attachment; filename*0*=utf-8''long%C3%A9; filename*1=name.pdf", "longéname.pdf"),
        (b'attachment; filename="=?utf-8?B?w6l0w6kucGRm?="', "été.pdf"),
        (b'attachment; filename="r\xe9sum\xe9.pdf"', "résumé.pdf"),  # raw Latin-1
        (b'attachment; filename="\xc3\xa9t\xc3\xa9.pdf"', "été.pdf"),  # raw UTF-8
        (b'attachment; filename="../../etc/passwd.pdf"', "passwd.pdf"),
        (b'attachment; filename="C:\\\\Users\\\\x\\\\a.pdf"', "a.pdf"),
        (b"attachment", "attachment.pdf"),
    ],
)
def test_attachment_names_in_every_encoding_mailers_use(disposition: bytes, expected: str) -> None:
    assert names(raw_message(b"", [pdf_part(disposition)])) == [expected]


def test_a_pdf_is_known_by_its_bytes_not_its_declared_type_or_name() -> None:
    parsed = parse_message(
        raw_message(b"", [
            pdf_part(b'attachment; filename="scan"', b"application/octet-stream"),
            pdf_part(b'attachment; filename="fake.pdf"', data=b"MZ\x90 an executable"),
            pdf_part(b'attachment; filename="photo.jpg"', b"image/jpeg", b"\xff\xd8\xff"),
        ]),
        LIMITS,
    )
    assert [a.filename for a in parsed.attachments] == ["scan"]
    assert [(r.filename, r.code) for r in parsed.refused] == [
        ("fake.pdf", "not_pdf"), ("photo.jpg", "not_pdf")
    ]
    assert parsed.outcome == "collect"


def test_inline_pdfs_and_forwarded_messages_are_found() -> None:
    inner = EmailMessage()
    inner["Subject"] = "original"
    inner.set_content("see attached")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="inner.pdf")
    outer = EmailMessage()
    outer["Subject"] = "Fwd: original"
    outer.set_content("forwarding")
    outer.add_attachment(PDF + b"inline", maintype="application", subtype="pdf",
                         filename="inline.pdf", disposition="inline")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes(), LIMITS)
    assert [(a.filename, a.origin) for a in parsed.attachments] == [
        ("inline.pdf", "inline"), ("inner.pdf", "attachment")
    ]
    assert parsed.envelope.subject == "Fwd: original"


def zipped(*members: tuple[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_pdfs_inside_zips_are_taken_and_the_rest_reported() -> None:
    archive = zipped(("dir/a.pdf", PDF), ("b.pdf", PDF + b"b"), ("notes.txt", b"x"),
                     method=zipfile.ZIP_STORED)
    parsed = parse_message(
        raw_message(b"", [pdf_part(b'attachment; filename="all.zip"', b"application/zip", archive),
                          pdf_part(b'attachment; filename="broken.zip"', b"application/zip",
                                   b"PK\x03\x04 truncated")]),
        LIMITS,
    )
    assert [(a.filename, a.origin) for a in parsed.attachments] == [
        ("a.pdf", "zip:all.zip"), ("b.pdf", "zip:all.zip")
    ]
    assert [(r.filename, r.code) for r in parsed.refused] == [
        ("all.zip/notes.txt", "not_pdf"), ("broken.zip", "bad_zip")
    ]


def test_a_zip_bomb_is_stopped_at_the_size_limit() -> None:
    bomb = zipped(("huge.pdf", PDF + b"0" * 5_000_000))
    assert len(bomb) < 10_000
    parsed = parse_message(
        raw_message(b"", [pdf_part(b'attachment; filename="b.zip"', b"application/zip", bomb)]),
        LIMITS,
    )
    assert parsed.outcome == "too_large"
    assert parsed.attachments == ()


def test_limits_leave_the_whole_message_alone() -> None:
    parts = [pdf_part(f'attachment; filename="{n}.pdf"'.encode()) for n in range(4)]
    many = raw_message(b"", parts)
    assert parse_message(many, LIMITS).outcome == "too_many_attachments"
    big = raw_message(b"", [pdf_part(b'attachment; filename="big.pdf"', data=PDF + b"0" * 20_000)])
    parsed = parse_message(big, LIMITS)
    assert parsed.outcome == "too_large" and parsed.attachments == ()
    assert "big.pdf" in (parsed.problem or ("", ""))[1]


def test_links_without_pdf_make_a_link_only_message() -> None:
    html = (
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p>Votre attestation : <a href="https://dpc.example.fr/att?id=1&amp;k=2">ici</a>.'
        b' <a href="mailto:x@example.fr">contact</a></p>'
    )
    parsed = parse_message(raw_message(b"", [html]), LIMITS)
    assert parsed.outcome == "link_only"
    assert parsed.links == ("https://dpc.example.fr/att?id=1&k=2",)
    plain = parse_message("Subject: merci\r\n\r\nMerci beaucoup, bonne journée.".encode(), LIMITS)
    assert plain.outcome == "no_pdf"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02\xff\xfe\r\n\r\n\x80",
        b'Content-Type: multipart/mixed; boundary="never"\r\n\r\n--never\r\n'
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%!!",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b"Content-Type: application/pdf; name*=bogus-charset''x%FF.pdf\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=",
        b"From: <<<>>>@@@\r\nDate: 99 Foo 99999 99:99\r\nSubject: =?x-unknown?q?abc?=\r\n\r\n.",
    ],
)
def test_malformed_messages_never_raise(raw: bytes) -> None:
    parsed = parse_message(raw, LIMITS)
    assert parsed.outcome in ("no_pdf", "link_only", "collect", "malformed")


def test_a_pdf_after_a_broken_part_is_still_found() -> None:
    raw = raw_message(b"", [
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!not base64",
        pdf_part(b'attachment; filename="good.pdf"'),
    ])
    assert "good.pdf" in names(raw)


def test_a_message_with_too_many_parts_is_malformed() -> None:
    raw = raw_message(b"", [b"Content-Type: text/plain\r\n\r\nx"] * (MAX_PARTS + 1))
    parsed = parse_message(raw, LIMITS)
    assert parsed.outcome == "malformed"


def test_the_journal_summary_is_one_escaped_line() -> None:
    line = mail_summary({"from": 'A "B" <a@b>', "date": None, "subject": "x\ny",
                         "message_id": "<1@b>"})
    assert line == "mail: from=\"A 'B' <a@b>\" date=- subject=\"x\\ny\" message-id=<1@b>"

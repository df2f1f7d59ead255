"""Hostile PDFs written byte by byte: decompression bombs, deep page trees, no xref table.

Each is a real PDF with a text layer the test plugins read ("ORGANISME TEST PAR PAGE",
"Participant : ...", "Date : ..."), damaged or loaded in one precise way.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

FILLER = "Attestation de formation continue du medecin generaliste"
_MB = 1 << 20


def deflated_zeros(megabytes: int) -> bytes:
    """A zlib stream inflating to ``megabytes`` MiB of zeros (about 1 KiB per MiB).

    Built from one compressed MiB repeated: after a full flush the compressor starts afresh,
    so the same input gives the same block; an empty final block and the Adler-32 of the
    whole close the stream.
    """
    chunk = bytes(_MB)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    return first + block * (megabytes - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")


def stream(data: bytes, entries: str = "") -> bytes:
    """A stream object's body."""
    head = f"<< /Length {len(data)} {entries}>>\nstream\n".encode()
    return head + data + b"\nendstream"


def assemble(objects: Sequence[bytes], *, startxref: bool = True) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first is the catalog).

    Without ``startxref`` nothing says where the cross-reference table is: pdfium finds
    it by scanning the file, pypdf gives up.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    if startxref:
        out += f"startxref\n{start}\n".encode()
    return bytes(out + b"%%EOF\n")


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines: Sequence[str]) -> bytes:
    shown = " T* ".join(f"({_escape(line)}) Tj" for line in [*lines, FILLER])
    return f"BT /F1 11 Tf 14 TL 60 780 Td {shown} ET".encode("latin-1")


def text_pdf(
    pages: Sequence[Sequence[str]],
    *,
    depth: int = 1,
    startxref: bool = True,
    page_bomb: int = 0,
    metadata_bomb: int = 0,
) -> bytes:
    """A PDF with one page per item of ``pages`` (lines of ASCII text).

    ``depth``: levels of /Pages nodes above the pages; ``startxref``: whether the file says
    where its cross-reference table is (see :func:`assemble`); ``page_bomb``, ``metadata_bomb``: MiB
    of zeros inflated from a FlateDecode stream in the first page's content, in the
    catalog's /Metadata stream.
    """
    objects: list[bytes] = [b""]  # the catalog, written last
    font = 1 + depth + 2 * len(pages) + 1
    first_page = depth + 2
    for level in range(depth):
        number = 2 + level
        parent = f"/Parent {number - 1} 0 R " if level else ""
        if level < depth - 1:
            kids = f"{number + 1} 0 R"
        else:
            kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
        objects.append(f"<< /Type /Pages {parent}/Kids [{kids}] /Count {len(pages)} >>".encode())
    extra: list[bytes] = []
    for index, lines in enumerate(pages):
        number = first_page + 2 * index
        contents = f"{number + 1} 0 R"
        if index == 0 and page_bomb:
            contents = f"[{number + 1} 0 R {font + 1} 0 R]"
            extra.append(stream(deflated_zeros(page_bomb), "/Filter /FlateDecode "))
        objects.append(
            f"<< /Type /Page /Parent {depth + 1} 0 R /MediaBox [0 0 595 842] "
            f"/Contents {contents} /Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(stream(_content(lines)))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.extend(extra)
    catalog = "<< /Type /Catalog /Pages 2 0 R"
    if metadata_bomb:
        objects.append(
            stream(
                deflated_zeros(metadata_bomb), "/Type /Metadata /Subtype /XML /Filter /FlateDecode "
            )
        )
        catalog += f" /Metadata {len(objects)} 0 R"
    objects[0] = (catalog + " >>").encode()
    return assemble(objects, startxref=startxref)


def per_page(name: str, day: str = "12/03/2025") -> list[str]:
    """The lines of one attestation that the test plugin ``good`` splits page by page."""
    return ["ORGANISME TEST PAR PAGE", f"Participant : {name}", f"Date : {day}"]

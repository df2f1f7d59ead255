"""E-signed PDFs: a PAdES signature (pyHanko) over the visible signature block of a page.

The page already prints its signature block (``Signé électroniquement par ... le ...``):
the signature field is placed over that block, found in the rendered PDF by its text,
whatever renderer laid it out, and pyHanko draws its own stamp there (the signer, the
time stamp) in the widget's appearance. The signing key and its self-signed certificate
are fictitious and derived from a fixed seed (Ed25519): nothing is read from outside.
The signing time pyHanko records is the time of signing, so the signed PDFs are cached
by their source (:mod:`gen.render`), which keeps a second run's bytes the same.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from functools import cache
from typing import Any

from gen.render import CACHE, cached, keep

#: The words that open a page's signature block: the field is placed over them.
ANCHOR = "Signé électroniquement"
_KEY_SEED = b"attest-pipeline sample signer"
#: The stamp's place under its block and its text: part of the cache key, so that a
#: change here is never hidden by a signed PDF of before.
STAMP = ((0, -66, 220, -24), "Signature électronique\n%(signer)s\nle %(ts)s")


def missing() -> str:
    """Why e-signing cannot run here ("" when it can)."""
    try:
        import pyhanko.sign  # noqa: F401
    except ImportError:
        return "pyhanko not installed (pip install -e '.[test]')"
    return ""


@cache
def _signer() -> Any:
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(_KEY_SEED).digest())
    name = cx509.Name([
        cx509.NameAttribute(NameOID.COMMON_NAME, "Secrétariat des formations (exemple)"),
        cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "Organisme fictif"),
        cx509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
    ])
    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(20260101)
            .not_valid_before(datetime(2023, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2031, 12, 31, tzinfo=UTC))
            .sign(key, None))  # Ed25519 hashes by itself: no digest given
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    certificate = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return signers.SimpleSigner(
        signing_cert=certificate, signing_key=keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([certificate]))


def _anchors(data: bytes) -> list[tuple[int, tuple[int, int, int, int]]]:
    """(page index, box) of each page's signature stamp: under its block's two lines."""
    import pypdfium2 as pdfium

    found = []
    with pdfium.PdfDocument(data) as pdf:
        for index in range(len(pdf)):
            text = pdf[index].get_textpage()
            searcher = text.search(ANCHOR)
            hit = searcher.get_next()
            if hit:
                left, bottom, _, _ = text.get_charbox(hit[0])
                dx0, dy0, dx1, dy1 = STAMP[0]
                x, y = round(left), round(bottom)
                found.append((index, (x + dx0, y + dy0, x + dx1, y + dy1)))
    return found


def sign(data: bytes, when: str, cache_dir: Any = CACHE) -> bytes:
    """``data`` with a PAdES signature over each page's signature block.

    ``when`` is the time stamp the blocks print: it goes into the cache key only, the
    signature's own time being the time of signing.
    """
    path, done = cached("pades", repr(STAMP).encode() + data + when.encode(), cache_dir)
    if done is not None:
        return done
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    style = TextStampStyle(stamp_text=STAMP[1], border_width=1)
    out = data
    for number, (page, box) in enumerate(_anchors(data), start=1):
        name = f"Signature{number}"
        writer = IncrementalPdfFileWriter(io.BytesIO(out))
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter
                                         .PADES, location="Rennes"),
            signer=_signer(), stamp_style=style,
            new_field_spec=fields.SigFieldSpec(name, on_page=page, box=box))
        buffer = pdf_signer.sign_pdf(writer)
        out = buffer.getvalue()
    keep(path, out)
    return out

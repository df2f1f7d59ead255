"""Attestations that arrive by e-mail: ``attest mail`` collects them from IMAP mailboxes.

- :mod:`~attest_pipeline.mail.parse`: a raw message in, its envelope (sender, date,
  subject, Message-ID), its PDFs (attached, inline, forwarded, inside ZIPs), what was
  refused and why, and its links out; never raises, whatever the MIME.
- :mod:`~attest_pipeline.mail.schema`: the database tables that remember every message
  seen (UIDVALIDITY + UID) and every attachment saved (name in the inbox, sha256).
- :mod:`~attest_pipeline.mail.ledger`: reads and writes of those tables, and the origin
  of a document the pipeline files.
- :mod:`~attest_pipeline.mail.collect`: the IMAP side (imapclient): connect, log in,
  fetch, save into the inbox, mark or move; backoff on failures.

This package's ``__init__`` imports nothing, so that :mod:`~attest_pipeline.store` can
import the schema without pulling in the IMAP client.
"""

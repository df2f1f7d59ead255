"""A real IMAP server for the mail tests: Dovecot on loopback, as an unprivileged user.

The tests write the whole configuration (nothing of the system's ``/etc/dovecot`` is read),
pick free loopback ports, make a throw-away self-signed certificate with the ``openssl``
command (a dependency of Debian's ``dovecot-core``) and run ``dovecot -F`` as ``nobody``
when the tests run as root, as the current user otherwise. Without Dovecot the tests that
need it fail when ``$CI`` is set (``.ci/run`` installs it) and are skipped otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "secretariat"
PASSWORD = "s3cret-for-tests"


def require_dovecot() -> None:
    """Fail (under CI) or skip (elsewhere) when Dovecot or openssl is missing."""
    missing = [tool for tool in (DOVECOT, "openssl") if shutil.which(tool) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (apt-get install dovecot-imapd)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Account:
    """How a client reaches the server."""

    host: str
    port: int
    tls_port: int
    user: str
    password: str
    ca_file: Path


class Dovecot:
    """One Dovecot instance in its own folder; :meth:`start`, :meth:`stop`, :meth:`restart`."""

    def __init__(self) -> None:
        require_dovecot()
        # Not under pytest's tmp_path: that folder is private to root, and the server runs as
        # nobody, which must be able to reach its own files.
        self.root = Path(tempfile.mkdtemp(prefix="attest-imap-"))
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            self.uid, self.gid = 65534, 65534
        else:
            self.uid, self.gid = os.geteuid(), os.getegid()
        self._make_certificate()
        self._write_config()
        for path in (self.root, *self.root.rglob("*")):
            os.chown(path, self.uid, self.gid)
        self.account = Account(
            "127.0.0.1", self.port, self.tls_port, USER, PASSWORD, self.root / "cert.pem"
        )

    def _make_certificate(self) -> None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.root / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )

    def _write_config(self) -> None:
        root = self.root
        (root / "run").mkdir()
        (root / "state").mkdir()
        (root / "home").mkdir()
        (root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{self.uid}:{self.gid}::{root}/home/{USER}\n"
        )
        user = "nobody" if self.uid == 65534 else os.environ.get("USER", "root")
        group = "nogroup" if self.gid == 65534 else user
        (root / "dovecot.conf").write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
first_valid_gid = 0
disable_plaintext_auth = no
auth_mechanisms = plain login
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        assert self.process is None
        command = [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")]
        kwargs: dict[str, object] = {}
        if os.geteuid() == 0:
            kwargs = {"user": self.uid, "group": self.gid, "extra_groups": []}
        self.process = subprocess.Popen(  # type: ignore[call-overload]
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            **kwargs,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                log = self.log()
                self.process = None
                raise RuntimeError(f"dovecot exited: {error}\n{log}")
            if self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start:\n{self.log()}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                return connection.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (and every process it started)."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        if process.stderr is not None:
            process.stderr.close()
        # Its login and mail processes leave with it; wait until the port is free again.
        deadline = time.monotonic() + 15
        while self._answers() and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        """Stop, then start again on the same ports with the same mailboxes."""
        self.stop()
        self.start()

    def log(self) -> str:
        """What the server logged."""
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting this server's certificate only."""
        return ssl.create_default_context(cafile=str(self.account.ca_file))

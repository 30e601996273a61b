"""A real IMAP server for the inbox tests: Debian's Dovecot, started on
loopback with a configuration of its own written into a temporary folder
(no system configuration, no root-owned paths), and helpers that act as the
mail's other readers do: append a message, list a folder's UIDs and flags,
create and delete folders.

The server listens for plain IMAP (which offers STARTTLS) and for IMAP over
TLS, with a self-signed certificate made by `openssl` (Dovecot depends on
it). Tests that use TLS keep certificate verification on and trust that
certificate through SSL_CERT_FILE, as an operator with a private CA would.

Each test gets an account of its own (`imap_mailbox`): an unused user, so a
new, empty mailbox with its own UIDVALIDITY, and RAPPORT_IMAP_URL pointing
at its INBOX."""

from __future__ import annotations

import grp
import imaplib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import need_peer

DOVECOT = "/usr/sbin/dovecot"
HOST = "127.0.0.1"
PASSWORD = "s3cret pass/word"  # needs percent-encoding in a URL
ACCOUNTS = 1000  # written once: Dovecot notices a changed passwd-file only a second later
_user_numbers = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _quote_folder(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Dovecot:
    folder: Path
    port: int  # plain IMAP, offering STARTTLS
    tls_port: int  # IMAP over TLS
    cert: Path  # the self-signed certificate, to trust in tests
    mail_uid: int
    mail_gid: int

    @property
    def passwd(self) -> Path:
        return self.folder / "passwd"

    def account(self) -> ImapAccount:
        """An account nobody has used yet: an empty mailbox of its own."""
        n = next(_user_numbers)
        if n > ACCOUNTS:
            raise RuntimeError(f"The test IMAP server has only {ACCOUNTS} accounts; add more.")
        return ImapAccount(server=self, user=f"replies{n}", password=PASSWORD)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"


@dataclass
class ImapAccount:
    server: Dovecot
    user: str
    password: str

    def url(
        self,
        *,
        folder: str = "",
        scheme: str = "imap",
        password: str | None = None,
        port: int | None = None,
    ) -> str:
        secret = quote(self.password if password is None else password, safe="")
        if port is None:
            port = self.server.tls_port if scheme == "imaps" else self.server.port
        path = "/" + quote(folder, safe="") if folder else ""
        return f"{scheme}://{quote(self.user, safe='')}:{secret}@{HOST}:{port}{path}"

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(HOST, self.server.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, raw: bytes, folder: str = "INBOX") -> int:
        """Deliver `raw` into `folder` as the mail server would; returns its UID."""
        imap = self.connect()
        try:
            typ, data = imap.append(_quote_folder(folder), None, None, raw)
            assert typ == "OK", data
            found = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            assert found, data
            return int(found.group(1))
        finally:
            imap.logout()

    def listing(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """Every message of `folder`: its UID and its flags (without \\Recent,
        which belongs to a session, not to the message). Read with EXAMINE,
        so looking changes nothing."""
        imap = self.connect()
        try:
            typ, data = imap.select(_quote_folder(folder), readonly=True)
            assert typ == "OK", data
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            assert typ == "OK", data
            found: dict[int, set[str]] = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                uid = re.search(rb"UID (\d+)", line)
                flags = re.search(rb"FLAGS \(([^)]*)\)", line)
                if uid and flags:
                    found[int(uid.group(1))] = set(flags.group(1).decode().split()) - {"\\Recent"}
            return found
        finally:
            imap.logout()

    def uidvalidity(self, folder: str = "INBOX") -> int:
        imap = self.connect()
        try:
            typ, data = imap.status(_quote_folder(folder), "(UIDVALIDITY)")
            assert typ == "OK", data
            found = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"")
            assert found, data
            return int(found.group(1))
        finally:
            imap.logout()

    def create(self, folder: str) -> None:
        self._simple("create", folder)

    def delete(self, folder: str) -> None:
        self._simple("delete", folder)

    def folders(self) -> list[str]:
        imap = self.connect()
        try:
            typ, data = imap.list()
            assert typ == "OK", data
            names = []
            for line in data:
                found = (
                    re.match(rb'\(.*?\) (?:NIL|"[^"]*") "?(.*?)"?$', line)
                    if isinstance(line, bytes)
                    else None
                )
                if found:
                    names.append(found.group(1).decode())
            return names
        finally:
            imap.logout()

    def _simple(self, command: str, folder: str) -> None:
        imap = self.connect()
        try:
            typ, data = getattr(imap, command)(_quote_folder(folder))
            assert typ == "OK", data
        finally:
            imap.logout()


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=localhost", "-addext", f"subjectAltName=IP:{HOST},DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _users() -> tuple[str, str, str, int, int]:
    """Dovecot refuses to run its login processes, or to read mail, as root:
    under root (as in CI) it uses the unprivileged users its Debian package
    created; anyone else runs every part of it as themselves."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        return "dovecot", grp.getgrgid(mail.pw_gid).gr_name, "dovenull", mail.pw_uid, mail.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_name, me.pw_uid, me.pw_gid


def _config(server: Dovecot, *, key: Path, internal: str, group: str, login: str) -> str:
    root = server.folder
    unprivileged = os.geteuid() != 0
    chroot = "  chroot =\n" if unprivileged else ""
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = {HOST}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
ssl = yes
ssl_cert = <{server.cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_max_userip_connections = 100
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {server.passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {server.passwd}
  default_fields = uid={server.mail_uid} gid={server.mail_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {server.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {server.tls_port}
    ssl = yes
  }}
{chroot}}}
service anvil {{
  # No growing delay after the wrong-password tests' failed logins.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
{chroot}}}
"""


def _wait_until_ready(server: Dovecot, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Dovecot stopped at start:\n{server.log()}")
        try:
            with socket.create_connection((HOST, server.port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"Dovecot did not answer on {HOST}:{server.port}:\n{server.log()}")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    need_peer(
        os.path.exists(DOVECOT) and shutil.which("openssl") is not None,
        f"the IMAP tests need Dovecot ({DOVECOT}; Debian: apt-get install dovecot-imapd)",
    )
    folder = Path(tempfile.mkdtemp(prefix="rapport-dovecot-"))
    internal, group, login, uid, gid = _users()
    # Dovecot's own unprivileged processes must reach their sockets in here.
    folder.chmod(0o755)
    (folder / "home").mkdir()
    os.chown(folder / "home", uid, gid)
    cert, key = _certificate(folder)
    server = Dovecot(
        folder=folder, port=_free_port(), tls_port=_free_port(), cert=cert, mail_uid=uid,
        mail_gid=gid,
    )  # fmt: skip
    server.passwd.write_text(
        "".join(f"replies{n}:{{PLAIN}}{PASSWORD}::::::\n" for n in range(1, ACCOUNTS + 1))
    )
    config = folder / "dovecot.conf"
    config.write_text(_config(server, key=key, internal=internal, group=group, login=login))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_ready(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def imap_mailbox(dovecot: Dovecot, settings: Any) -> ImapAccount:
    """A new, empty mailbox of its own, with RAPPORT_IMAP_URL set to its INBOX
    and no move folder."""
    account = dovecot.account()
    settings.IMAP_URL = account.url()
    settings.IMAP_MOVE_TO = ""
    return account

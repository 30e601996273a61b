"""Fixtures of the inbox tests: the SMTP sink and delivery of the outreach
tests (a reply answers mail that was really sent), and the IMAP server."""

from __future__ import annotations

import pytest

from tests.inbox.corpus_check import accuracy_lines
from tests.inbox.dovecot import dovecot, imap_mailbox
from tests.inbox.world import world
from tests.outreach.conftest import always_open, deliver, smtp_sink

__all__ = ["always_open", "deliver", "dovecot", "imap_mailbox", "smtp_sink", "world"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The corpus accuracy, printed after every run that classified it."""
    for line in accuracy_lines():
        terminalreporter.write_line(line)

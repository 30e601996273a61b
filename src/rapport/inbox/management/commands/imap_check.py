"""`rapport imap_check`: connect to the mailbox of RAPPORT_IMAP_URL and say
what the reader would find there; `--read` also reads it once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.inbox.imap import ImapError, Status, mailbox_read_once, mailbox_status


class Command(BaseCommand):
    help = (
        "Connect to the mailbox of RAPPORT_IMAP_URL (read-only) and print the folder, its "
        "UIDVALIDITY and message count, how far Rapport has read, and whether the server "
        "offers IDLE. With --read, also read the new mail once, as a worker would."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--read", action="store_true", help="Read the new mail once after checking."
        )

    def handle(self, *args: Any, read: bool = False, **options: Any) -> None:
        if not settings.IMAP_URL:
            raise CommandError(
                "RAPPORT_IMAP_URL is not set; set it to the mailbox replies arrive in, such as "
                "imaps://replies%40example.com:PASSWORD@mail.example.com/INBOX."
            )
        try:
            status = mailbox_status()
        except (ImapError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        for label, value in _lines(status):
            self.stdout.write(f"{label + ':':<12} {value}")
        if read:
            try:
                count = mailbox_read_once()
            except ImapError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Read {_messages(count, 'new message')}.")


def _lines(status: Status) -> list[tuple[str, str]]:
    target, mailbox = status.target, status.mailbox
    lines = [
        ("Mailbox", f"{target.user} at {target.where} ({target.scheme})"),
        (
            "Folder",
            f"{target.folder}, {_messages(status.exists)}, UIDVALIDITY {status.uidvalidity}",
        ),
    ]
    if mailbox is None or mailbox.uidvalidity is None:
        position = "not read yet; the first read takes every message in the folder"
    elif mailbox.uidvalidity != status.uidvalidity:
        position = (
            f"up to UID {mailbox.last_uid} of UIDVALIDITY {mailbox.uidvalidity}, which has "
            "changed: the next read starts again from the first message"
        )
    else:
        position = f"up to UID {mailbox.last_uid}"
    lines.append(("Read", f"{position} ({_messages(status.unread)} not read yet)"))
    if not status.idle:
        idle = f"not offered; the folder is polled every {settings.IMAP_POLL_SECONDS} s"
    elif settings.IMAP_IDLE:
        idle = "offered and used: new mail is read as it arrives"
    else:
        idle = f"offered, but RAPPORT_IMAP_IDLE is off: polled every {settings.IMAP_POLL_SECONDS} s"
    lines.append(("IDLE", idle))
    lines.append(("Move to", _move(status)))
    if mailbox is not None:
        checked = f"{mailbox.checked_at:%Y-%m-%d %H:%M:%S} UTC" if mailbox.checked_at else "never"
        lines.append(("Checked", checked))
        lines.append(("Last error", mailbox.error or "none"))
        if mailbox.lease_owner and mailbox.lease_expires_at:
            lines.append(
                (
                    "Reader",
                    f"{mailbox.lease_owner}, lease until "
                    f"{mailbox.lease_expires_at:%Y-%m-%d %H:%M:%S} UTC",
                )
            )
    return lines


def _messages(count: int, noun: str = "message") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _move(status: Status) -> str:
    folder = settings.IMAP_MOVE_TO
    if not folder:
        return "not set: Rapport never changes the mailbox"
    if not status.move:
        return (
            f"{folder!r}, but the server offers neither MOVE nor UIDPLUS: reading will stop "
            "with an error; unset RAPPORT_IMAP_MOVE_TO"
        )
    made = "exists" if status.move_folder_exists else "will be created on the first read"
    return f"{folder!r} ({made}): processed mail is moved there"

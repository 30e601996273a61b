from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import Role
from rapport.accounts.services import password_generate, user_create


class Command(BaseCommand):
    help = "Create a user and print a generated password (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", choices=Role.values, default=Role.RECRUITER)
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, email: str, role: str, name: str, **options: Any) -> None:
        password = password_generate()
        try:
            user = user_create(email=email, role=role, name=name, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Created {user.get_role_display().lower()} {user.email}")
        self.stdout.write(f"Password (shown once): {password}")

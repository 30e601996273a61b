from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import ApiToken, User
from rapport.accounts.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Manage API tokens: `token create EMAIL [--name N]`, `token list EMAIL`, `token revoke PREFIX`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("email")
        create.add_argument("--name", default="")
        listing = sub.add_parser("list", help="List a user's active tokens.")
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="Revoke the token that starts with PREFIX.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "revoke":
            self._revoke(options["prefix"])
            return
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(
                f"There is no user {options['email']}; create one with `rapport createuser`."
            )
        if action == "create":
            token, plain = token_create(user=user, name=options["name"])
            self.stdout.write(f"Token “{token.name}” for {user.email} (shown once):")
            self.stdout.write(plain)
        else:
            for token in user.api_tokens.filter(revoked_at__isnull=True):
                used = (
                    f"last used {token.last_used_at:%Y-%m-%d}"
                    if token.last_used_at
                    else "never used"
                )
                self.stdout.write(
                    f"{token.prefix}…  {token.name}  created {token.created_at:%Y-%m-%d}, {used}"
                )

    def _revoke(self, prefix: str) -> None:
        matches = list(
            ApiToken.objects.filter(prefix__startswith=prefix[:12], revoked_at__isnull=True)
        )
        if len(matches) != 1:
            raise CommandError(
                f"{len(matches)} active tokens start with {prefix!r}; give a longer prefix."
            )
        token_revoke(token=matches[0])
        self.stdout.write(f"Revoked {matches[0]}.")

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rapport.accounts.models import Role, User
from rapport.accounts.services import password_generate, user_create


class Command(BaseCommand):
    help = (
        "Prepare this installation: migrate, collect static files, load demo data on the "
        "first run, and make an admin login (its password is printed once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo-candidates", type=int, default=1000, help="0 for no demo data.")
        parser.add_argument("--admin-email", default="admin@example.com")

    def handle(self, *args: Any, demo_candidates: int, admin_email: str, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if demo_candidates:
            call_command("demo", candidates=demo_candidates, if_empty=True)
            call_command("inbox_demo")
            call_command("jobs_demo")
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        url = settings.BASE_URL + "/"
        if admin is None:
            password = password_generate()
            admin = user_create(email=admin_email, role=Role.ADMIN, name="Admin", password=password)
            self.stdout.write(self.style.SUCCESS("\nRapport is ready. Sign in at " + url))
            self.stdout.write(f"  email:    {admin.email}")
            self.stdout.write(f"  password: {password}   (shown once: keep it somewhere safe)\n")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"\nRapport is ready. Sign in at {url} as {admin.email}")
            )
            self.stdout.write(
                "  (the password was printed on the first run; set a new one with "
                f"`rapport changepassword {admin.email}`)\n"
            )

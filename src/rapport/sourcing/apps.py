from __future__ import annotations

from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "rapport.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"

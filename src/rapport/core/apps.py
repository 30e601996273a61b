from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rapport.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from rapport.core.pgtime import quick_loader_install

        connection_created.connect(quick_loader_install, dispatch_uid="rapport-pgtime")

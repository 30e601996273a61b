"""The entry point of a sending process (see delivery.SendingProcesses).

Kept apart from `delivery`, which imports models: a spawned process must set
Django up before anything touches a model."""

from __future__ import annotations

import os


def main(*, owner: str, connections: int, parent: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from rapport.outreach import delivery

    delivery.sending_process(owner=owner, connections=connections, parent=parent)

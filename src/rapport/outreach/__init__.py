"""Outreach: templates, campaigns, sequences, the outbox and its delivery,
sending policies, unsubscribes and the preference centre (see models.py)."""

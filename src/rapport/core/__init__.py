"""Core: what every other app stands on.

Owns the Activity log (the one append-only record of what happened to whom),
the worker and its leases, the role capabilities and access helpers, and small
utilities. Imports nothing from the other Rapport apps except accounts' User
through settings.AUTH_USER_MODEL.
"""

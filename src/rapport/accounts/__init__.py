"""Accounts: users, their roles, API tokens and the login throttle.

A role decides what a user may do (capabilities) and, with the people app's
sharing, what they may see. Imports nothing from the other Rapport apps.
"""

"""Rapport: a self-hosted candidate relationship management system."""

__version__ = "0.1.0"

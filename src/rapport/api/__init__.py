"""The REST API (django-ninja) under /api/v1/: one router module per app.

Endpoints authenticate with a Bearer token (or the browser session), fetch
through the apps' selectors and write through their services, so the API
shows and changes exactly what the same user could in the UI.
"""

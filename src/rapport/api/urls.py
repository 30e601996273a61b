"""The REST API under /api/v1/, with its OpenAPI schema at openapi.json and
the interactive docs at docs."""

from __future__ import annotations

from rapport.api import (
    accounts,
    candidates,
    capture,
    inbox,
    interviews,
    jobs,
    merges,
    pools,
    privacy,
    rediscovery,
    resumes,
    search,
    skills,
    tags,
)
from rapport.api.auth import BearerToken, BrowserSession
from rapport.api.errors import RapportAPI, install_handlers

api = RapportAPI(
    title="Rapport API",
    version="1",
    description=(
        "Candidates, their contact points, notes, tags and pools; search with the query "
        "language and saved segments; the team inbox; jobs, their stages and applications. "
        "Authenticate with "
        "`Authorization: Bearer <token>` (make a token on your account page) or, from "
        "the browser, with your logged-in session. You see and change exactly what your "
        "role lets you see and change in the app; anything outside it answers 404."
    ),
    urls_namespace="api",
    auth=[BearerToken(), BrowserSession()],
)
install_handlers(api)
for area in (
    candidates,
    search,
    tags,
    pools,
    skills,
    inbox,
    merges,
    capture,
    resumes,
    jobs,
    interviews,
    rediscovery,
    privacy,
    accounts,
):
    api.add_router("", area.router)

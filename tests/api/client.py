"""A small client for the API tests: a real Bearer token on every request,
JSON in and out, and a way to find one error among a 422's items."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

BASE = "/api/v1"


@dataclass
class ApiClient:
    token: str
    client: Client = field(default_factory=Client)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self.headers)

    def _send(self, method: str, path: str, body: Any) -> Any:
        send = getattr(self.client, method)
        data = json.dumps(body if body is not None else {})
        return send(BASE + path, data, content_type="application/json", headers=self.headers)


def error_at(response: Any, *loc: str | int) -> dict[str, Any]:
    """The one 422 item whose `loc` is exactly `loc`."""
    assert response.status_code == 422, response.content
    items = [item for item in response.json()["detail"] if tuple(item["loc"]) == loc]
    assert len(items) == 1, f"no single error at {loc}: {response.json()}"
    return items[0]

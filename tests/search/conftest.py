from __future__ import annotations

from collections.abc import Iterator

import pytest

from rapport.search import plans


@pytest.fixture(autouse=True)
def fresh_samples() -> Iterator[None]:
    """Each test has a pool of its own: no share sampled from another's."""
    plans.samples_forget()
    yield
    plans.samples_forget()

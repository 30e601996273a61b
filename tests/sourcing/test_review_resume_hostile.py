"""Résumé reading stays quick on hostile lines: a line of nothing but
date ranges must not make each range re-read the whole line."""

from __future__ import annotations

import datetime as dt
import time

from rapport.sourcing.resume_extract import MAX_READ, MAX_SPANS, extract, lines_of, spans

TODAY = dt.date(2026, 11, 26)


def test_one_line_of_date_ranges_yields_no_more_than_the_span_limit() -> None:
    line = "2019 - " * (MAX_READ // 7)

    found = spans(lines_of(line), today=TODAY)

    assert len(found) <= MAX_SPANS


def test_a_line_of_forty_thousand_characters_of_date_ranges_is_read_in_seconds() -> None:
    started = time.monotonic()

    extract("2019 - " * (MAX_READ // 7), today=TODAY)

    assert time.monotonic() - started < 5

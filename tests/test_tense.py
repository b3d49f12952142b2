"""Which way a "when" question looks in time, and which way a date in an item points from the
item's day."""
from __future__ import annotations

import datetime as dt

import pytest

from dateline.qa.tense import AHEAD, BACK, EITHER, looks, points

DAY = dt.date(1987, 4, 7)  # the item's date: Reuters, 7 Apr 1987


@pytest.mark.parametrize("question, way", [
    ("When will Chase Manhattan shut down its consumer banking business in Peru?", AHEAD),
    ("When is Anderson due to be sentenced?", AHEAD),
    ("When are the talks scheduled to resume?", AHEAD),
    ("When did Chase open its consumer banking operation in Lima?", BACK),
    ("When was the Iranian operation Karbala-5 launched into Iraq?", BACK),
    ("When will the company that was founded in 1920 list its shares?", AHEAD),  # the first verb sets it
    ("When does the subscription period end?", EITHER),
])
def test_looks(question, way):
    assert looks(question) == way


@pytest.mark.parametrize("span, after, way", [
    ("June 30", ".", AHEAD),
    ("september 1984", ".", BACK),
    ("September", " 1984.", BACK),
    ("1984", ".", BACK),
    ("1988", ".", AHEAD),
    ("March 16", " the bank said", BACK),
    ("April 16", ".", AHEAD),
    ("June 19th", " report", AHEAD),
    ("3rd March", " report", BACK),
    ("April 7", ".", EITHER),
    ("July 16", ", 1990, Aegon may", AHEAD),
    ("December", " last year", BACK),  # a month without a year: the nearest, here the December before
    ("August", ".", AHEAD),
    ("April", ".", EITHER),  # written in April
    ("yesterday", "", BACK),
    ("next month", "", AHEAD),
    ("last week", "", BACK),
    ("Monday", "", EITHER),
    ("first quarter", "", EITHER),
    ("today", "", EITHER),
])
def test_points(span, after, way):
    assert points(span, after, DAY) == way

"""Datelines in their common shapes, date parsing and year inference."""
import datetime as dt

import pytest

from dateline.index.dates import display_date, infer_year, parse_date, parse_dateline


@pytest.mark.parametrize("text, place, day, month, year", [
    ("London, 30 Jun - Political prisoners have", "London", 30, 6, None),
    ("WASHINGTON, Feb 26 - The U.S. Agriculture", "Washington", 26, 2, None),
    ("SALVADOR, Brazil, March 2 - Showers continued", "Salvador, Brazil", 2, 3, None),
    ("Washington CNN — A bipartisan group", "Washington", None, None, None),
    ("New York CNN Business —\n\nFor the first time", "New York", None, None, None),
    ("LONDON, March 2, 1987 – Sterling rose", "London", 2, 3, 1987),
    ("PORTLAND, Ore., Feb 26 - Shares", "Portland, Ore.", 26, 2, None),
    ("Paris, 1 July 2017 — The rally", "Paris", 1, 7, 2017),
    ("CNN —\n\nAfter an alarmed caller", "", None, None, None),
    ("Washington (CNN) Tuesday's shooting at a", "Washington", None, None, None),
    ("New York (CNN Business) US drivers have", "New York", None, None, None),
    ("(CNN) After an alarmed 911 caller", "", None, None, None),
])
def test_dateline_shapes(text, place, day, month, year):
    dateline, rest = parse_dateline(text)
    assert (dateline.place, dateline.day, dateline.month, dateline.year) == (place, day, month, year)
    assert text.startswith(dateline.text)
    assert not rest.startswith(("-", "—", "–", " "))


@pytest.mark.parametrize("text", [
    "The Iranian Resistance has called on all - organisations",
    "In a statement, dated Monday June 26, 265 members",
    "Iran - something happened",
])
def test_sentences_are_not_datelines(text):
    assert parse_dateline(text) is None


def test_year_is_the_latest_that_does_not_pass_the_files_latest_date():
    latest = dt.date(2017, 8, 22)
    assert infer_year(6, 30, latest) == 2017
    assert infer_year(8, 22, latest) == 2017
    assert infer_year(11, 23, latest) == 2016


@pytest.mark.parametrize("raw, iso, precision", [
    ("2017-06-30", "2017-06-30", "day"),
    ("2017-06", "2017-06-01", "month"),
    ("1987", "1987-01-01", "year"),
    ("2022/06/11", "2022-06-11", "day"),
    ("26-FEB-1987 15:01:01.79", "1987-02-26", "day"),
    ("Fri, 30 Jun 2017 10:00:00 GMT", "2017-06-30", "day"),
    ("June 30, 2017", "2017-06-30", "day"),
    ("2022-06-12T10:00:00Z", "2022-06-12", "day"),
])
def test_parse_date(raw, iso, precision):
    parsed = parse_date(raw)
    assert (parsed.iso, parsed.precision) == (iso, precision)


@pytest.mark.parametrize("raw", ["2017-02-30", "2017-13-01", "yesterday", "30 February 2017"])
def test_impossible_or_unreadable_dates_are_errors(raw):
    with pytest.raises(ValueError, match="impossible|unreadable"):
        parse_date(raw)


def test_display_marks_inferred_years():
    assert display_date("2017-06-30", "day", False) == "30 Jun 2017"
    assert display_date("2017-06-30", "day", True) == "30 Jun 2017?"
    assert display_date("2017-06-01", "month", False) == "Jun 2017"
    assert display_date(None, None, False) == "undated"

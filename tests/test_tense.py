"""Which way a "when" question looks in time, and which way a date in an item points from the
item's day."""
from __future__ import annotations

import datetime as dt

import pytest

from dateline.qa.tense import AHEAD, BACK, EITHER, SAME_DAY, looks, points

DAY = dt.date(1987, 4, 7)  # the item's date: Reuters, 7 Apr 1987


@pytest.mark.parametrize("question, way", [
    ("When will Chase Manhattan shut down its consumer banking business in Peru?", AHEAD),
    ("When is Anderson due to be sentenced?", AHEAD),
    ("When are the talks scheduled to resume?", AHEAD),
    ("When are student loan payments set to restart?", AHEAD),  # "set to", "slated to": a plan
    ("When are the talks slated to resume?", AHEAD),
    ("When was the discount rate set to 5.5 pct?", BACK),  # a value set, in the past
    ("When did Chase open its consumer banking operation in Lima?", BACK),
    ("When was the Iranian operation Karbala-5 launched into Iraq?", BACK),
    ("When will the company that was founded in 1920 list its shares?", AHEAD),  # the first verb sets it
    ("When does the subscription period end?", EITHER),
    ("When is the payment that was deferred due?", AHEAD),  # the verb after "when", not the clause's
    ("When is the new Dutch exchange to be set up?", AHEAD),
    ("To what date did CooperVision delay its annual meeting?", AHEAD),  # the date delayed to lies ahead
    ("By what deadline did Hockin hope to reach agreement?", AHEAD),
    ("When didn't the board meet?", BACK),
    ("When won't the plant run?", AHEAD),
    ("Washington protested when?", EITHER),  # "was" inside a word is no "was"
    ("When does the company plan to open the plant?", AHEAD),  # a plan: its date lies ahead
    # "Wales' plan" is a noun: the question's own "did" looks back, to the day the strikes began.
    ("On what date did New South Wales' plan to cut workers' compensation first spark strikes?", BACK),
    ("When did the plan to merge the two banks fail?", BACK),
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
    ("April 7", ".", SAME_DAY),
    ("April 7", ", 1987, the", SAME_DAY),
    ("July 16", ", 1990, Aegon may", AHEAD),
    ("December", " last year", BACK),  # a month without a year: the nearest, here the December before
    ("August", ".", AHEAD),
    ("April", ".", EITHER),  # written in April
    ("yesterday", "", BACK),
    ("next month", "", AHEAD),
    ("last week", "", BACK),
    ("Monday", "", EITHER),
    ("first quarter", "", EITHER),
    ("today", "", SAME_DAY),  # "will resume at noon gmt today" answers "When will ...?"
    ("Feb 29", ".", BACK),  # no 29 February in 1987: the day is taken as the 28th
    ("February", ".", BACK),
    ("June 30", " 2000 tonnes", AHEAD),  # a year follows a day only after a comma
])
def test_points(span, after, way):
    assert points(span, after, DAY) == way


def test_last_or_next_before_a_month_says_which_way_it_points():
    # Written on 7 April: June alone is the June ahead; "last June" the one before.
    assert points("June", ".", DAY, "broke down last ") == BACK
    assert points("June", ".", DAY) == AHEAD
    assert points("December", ".", DAY, "next ") == AHEAD


def test_may_and_march_are_months_only_as_names_or_with_a_day():
    """The modal "may" and a protest "march" are no dates; "May 7", "in March" and "MAY 7" are."""
    from dateline.qa.answer_type import DATE, candidates

    text = "The company may sell it in March after a protest march, MAY 7, on 7 May, 1st Marine Division."
    assert [text[s:e] for s, e in candidates(DATE, text, set())] == ["March", "MAY 7", "7 May"]


def test_only_a_day_of_writing_says_which_way_a_date_points():
    """An item dated only by its month or year has no day to count from: no tense either way."""
    from dateline.index.item import Item
    from dateline.qa import answer_type, tense
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    asked = stems("When did Chase open its consumer banking business in Peru?")
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=answer_type.DATE,
                 focus=frozenset(), find=WordFinder(set(asked)), looks=tense.looks("When did Chase open it?"))
    body = "Chase opened its consumer banking business in Peru in March, the bank said."
    by_day = choose(Item(source="T", title="Chase", body=body, id="d", date="1987-07-15"), 0, 0.0, q)
    by_year = choose(Item(source="T", title="Chase", body=body, id="y", date="1987-01-01", date_precision="year"), 0, 0.0, q)
    assert by_day.features["tense"] == 1.0 and by_year.features["tense"] == 0.0
    headline_only = choose(Item(source="T", title="Chase opened Peru consumer banking business in March", body="",
                                id="h", date="1987-07-15"), 0, 0.0, q)
    assert headline_only.features["tense"] == 1.0  # a title-only item knows its day too

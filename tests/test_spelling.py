"""A word typed one letter off is read as the word the archive holds (qa/spelling.py)."""
from __future__ import annotations

import pytest

from dateline.qa.spelling import one_edit, respelled

HELD = {"shares": 575, "saraes": 1, "acquiring": 40, "snipped": 3}


def test_one_edit_drops_adds_changes_and_swaps_one_letter():
    edits = one_edit("shraes")
    assert {"shares", "shraes"[1:], "shrae", "sharaes"} <= edits and "shraes" not in edits
    assert "hsraes" in edits and "seahrs" not in edits  # only letters next to each other swap


def test_a_slip_is_read_as_the_word_most_items_hold():
    question, fixes = respelled("how many shraes is heileman aquiring?", lambda w: HELD.get(w, 0))
    assert question == "how many shares is heileman acquiring?"
    assert fixes == [("shraes", "shares"), ("aquiring", "acquiring")]


@pytest.mark.parametrize("question", [
    "who snapped up the unit",  # a common word the archive lacks is no slip
    "Who bought Shraes Inc?",  # a capitalised word may be a name the archive lacks
    "how many saraes",  # a reading held by one item is as likely another slip ("sarges"?)
    "which ship ran aground",  # an English word the archive lacks is no slip ("around" is held)
    "what jobless rate",  # "job" and "less": English, though the vocabulary lacks it
    "who is misusing funds",  # "mis" and "using", no slip for "missing"
])
def test_what_is_not_a_slip_is_left_as_typed(question):
    held = {"shares": 0, "saraes": 0, "sarges": 1, "snipped": 3, "around": 500, "jobness": 2, "missing": 90}
    assert respelled(question, lambda w: held.get(w, 0)) == (question, [])


def test_the_answer_says_how_it_read_a_slip_and_keeps_the_question_as_typed(web_data):
    from dateline.qa.engine import Engine

    answer = Engine(web_data).ask("who wrote the op-ed for fox news about the iranian regmie")
    assert answer.question == "who wrote the op-ed for fox news about the iranian regmie"
    assert answer.notes[0] == 'read "regmie" as "regime"' and "Terzi" in answer.answer.split("[1]")[0]

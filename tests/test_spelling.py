"""A word typed one letter off is read as the word the archive holds (qa/spelling.py)."""
from __future__ import annotations

import pytest

from dateline.qa.spelling import name_edits, one_edit, respelled

HELD = {"shares": 575, "saraes": 1, "acquiring": 40, "snipped": 3}


def test_one_edit_drops_adds_changes_and_swaps_one_letter_but_the_first():
    edits = one_edit("shraes")
    assert {"shares", "shrae", "sharaes", "shrues"} <= edits and "shraes" not in edits
    assert "seahrs" not in edits  # only letters next to each other swap
    assert "hraes" not in edits and "hsraes" not in edits and "thraes" not in edits  # slips seldom touch it
    assert one_edit("opec") == {"oepc", "opce"}  # a short word: a swap only ("opec" is no "spec")


def test_a_slip_is_read_as_the_word_most_items_hold():
    question, fixes = respelled("how many shraes is heileman aquiring?", lambda w: HELD.get(w, 0))
    assert question == "how many shares is heileman acquiring?"
    assert fixes == [("shraes", "shares"), ("aquiring", "acquiring")]


@pytest.mark.parametrize("question", [
    "who snapped up the unit",  # a common word the archive lacks is no slip
    "Who bought Shraes Inc?",  # a capitalised word may be a name the archive lacks
    "how many saraes",  # a reading no word of the vocabulary shares a stem with is as likely another slip ("sarges"?)
    "which ship ran aground",  # an English word the archive lacks is no slip ("around" is held)
    "what jobless rate",  # "job" and "less": English, though the vocabulary lacks it
    "who is misusing funds",  # "mis" and "using", no slip for "missing"
    "why wasnt the merger approved",  # a contraction without its apostrophe, no slip for "want"
])
def test_what_is_not_a_slip_is_left_as_typed(question):
    held = {"shares": 0, "saraes": 0, "sarges": 1, "snipped": 3, "around": 500, "jobness": 2, "missing": 90,
            "want": 200}
    assert respelled(question, lambda w: held.get(w, 0)) == (question, [])


def test_one_item_holding_a_word_of_the_vocabulary_or_of_its_stem_is_enough():
    # "humiliate" is split by WordPiece, but its stem is that of the vocabulary's "humiliated";
    # a small archive holds it once.
    held = {"humiliate": 1, "announcement": 1}
    assert respelled("where did khamenei humilate rouhani", lambda w: held.get(w, 0)) == (
        "where did khamenei humiliate rouhani", [("humilate", "humiliate")])
    assert respelled("rouhani win anouncement", lambda w: held.get(w, 0))[1] == [("anouncement", "announcement")]


def test_a_reading_the_vocabulary_lacks_is_taken_when_many_items_hold_it_and_names_are_kept():
    held = {"dividend": 3000, "divided": 100, "politics": 40}
    assert respelled("what dividned did texaco pay", lambda w: held.get(w, 0)) == ("what dividend did texaco pay",
                                                                  [("dividned", "dividend")])
    # A source or a place of the archive, typed in lower case, is its name.
    assert respelled("what did politico report", lambda w: held.get(w, 0),
                     frozenset({"politico"})) == ("what did politico report", [])


def test_a_names_usual_slips_are_a_vowel_a_swap_or_a_double():
    edits = name_edits("khamanei")
    assert {"khamenei", "khamanai", "khmanei", "khaamanei", "khammanei", "khaamnei"} <= edits
    assert "kxamanei" not in edits and "hkamanei" not in edits  # no consonant changed; the first letter kept
    assert {"parliament", "investmento"} <= name_edits("parliment") | name_edits("investimento")


def test_a_capitalised_slip_is_read_as_the_name_items_write():
    held = {"khamenei": 1, "qataring": 3}  # "qataring": what full-text search stems to "qatar"
    written = {"khamenei"}

    assert respelled("Who criticised Khamanei?", lambda w: held.get(w, 0), writes=written.__contains__) == (
        "Who criticised Khamenei?", [("Khamanei", "Khamenei")])
    # A name no item writes one slip away is a name the archive lacks; so is one searched only by its stem.
    for question in ["What did Tillerson say?", "Who owns Qatarina Holdings?"]:
        assert respelled(question, lambda w: held.get(w, 0), writes=written.__contains__) == (question, [])
    # Without a way to tell what items write, capitalised words are left as typed.
    assert respelled("Who criticised Khamanei?", lambda w: held.get(w, 0)) == ("Who criticised Khamanei?", [])


def test_a_misspelt_name_of_the_archive_is_answered_with_a_note(web_data):
    from dateline.qa.engine import Engine

    answer = Engine(web_data).ask("Which newspaper reported that Khamanei has grown more critical of President Rouhani?")
    assert answer.found and answer.notes[0] == 'read "Khamanei" as "Khamenei"', answer.notes
    assert "The Guardian" in answer.answer.split("[1]")[0], answer.answer


def test_a_slip_of_a_word_one_story_holds_is_answered_from_that_story(web_data):
    from dateline.qa.engine import Engine

    answer = Engine(web_data).ask("where did khamenei humilate rouhani")
    assert answer.found and 'read "humilate" as "humiliate"' in answer.notes, answer.notes
    assert "meeting of top officials" in answer.answer.split("[1]")[0], answer.answer


def test_the_answer_says_how_it_read_a_slip_and_keeps_the_question_as_typed(web_data):
    from dateline.qa.engine import Engine

    answer = Engine(web_data).ask("who wrote the op-ed for fox news about the iranian regmie")
    assert answer.question == "who wrote the op-ed for fox news about the iranian regmie"
    assert answer.notes[0] == 'read "regmie" as "regime"' and "Terzi" in answer.answer.split("[1]")[0]

""""Tell me more" (qa/read_on.py): what asks for more, which citation it names, and where the
next passage starts and ends, without the model."""
from __future__ import annotations

import pytest

from dateline.qa.read_on import MORE_CHARS, asks_more, named_citation, next_passage, where_to_read_on


@pytest.mark.parametrize("question", ["Tell me more", "tell me more.", "More?", "more please", "Go on",
                                      "Can you tell me more about it?", "Tell me more about the second one",
                                      "And more on the last story", "Show me more of [2]", "Continue"])
def test_asks_for_more(question):
    assert asks_more(question)


@pytest.mark.parametrize("question", ["Tell me more about the oil price", "More oil was shipped?",
                                      "What more did he say?", "Who reported it?", "Tell me about Rouhani"])
def test_a_question_with_a_topic_of_its_own_is_not_a_request_for_more(question):
    assert not asks_more(question)


def test_the_citation_named():
    assert named_citation("Tell me more", 3) is None
    assert named_citation("Tell me more about the second one", 3) == 2
    assert named_citation("More on the last story", 3) == 3
    assert named_citation("Show me more of [2]", 3) == 2


BODY = ("Qantas ordered four jets. Each costs 250 mln dlrs.\n\n"
        "The first arrives in April 1989. The others follow that year.\n\n"
        "REUTER")


def test_the_next_passage_is_whole_sentences_after_what_was_shown():
    shown_end = BODY.index("Each costs") - 1
    start, end = next_passage(BODY, shown_end)
    assert BODY[start:end] == "Each costs 250 mln dlrs.\n\nThe first arrives in April 1989. The others follow that year."
    # A wire's sign-off is no more of the story.
    assert next_passage(BODY, BODY.index("REUTER")) is None and next_passage(BODY, len(BODY)) is None
    long = " ".join(f"Sentence number {i} says something." for i in range(100))
    start, end = next_passage(long, 0)
    assert end - start <= MORE_CHARS and long[start:end].endswith(".")


def test_where_to_read_on_follows_the_citation_asked_about():
    previous = {"citations": [{"n": 1, "item_id": "a", "start": 0, "end": len(BODY)},
                              {"n": 2, "item_id": "b", "start": 0, "end": 25}]}
    bodies = {"a": BODY, "b": BODY}
    # The first citation has nothing left: the next one that has is read on.
    assert where_to_read_on("Tell me more", previous, bodies).item_id == "b"
    assert where_to_read_on("Tell me more about the first one", previous, bodies) is None
    second = where_to_read_on("More of the second one", previous, bodies)
    assert (second.item_id, second.n, BODY[second.start:second.start + 10]) == ("b", 2, "Each costs")
    # An item that changed since (its excerpt no longer fits) or was deleted is skipped.
    assert where_to_read_on("More", {"citations": [{"n": 1, "item_id": "a", "end": 10_000}]}, bodies) is None
    assert where_to_read_on("More", {"citations": [{"n": 1, "item_id": "gone", "end": 3}]}, bodies) is None


def test_with_nothing_after_its_excerpt_an_item_is_read_from_its_start():
    # The answer quoted the item's last sentence: its lead, never shown, is more of it.
    last = BODY.rindex(". ") + 2
    previous = {"citations": [{"n": 1, "item_id": "a", "start": last, "end": len(BODY)}]}
    lead = where_to_read_on("Tell me more", previous, {"a": BODY})
    assert lead.before and lead.start == 0 and lead.end <= last and BODY[lead.start:lead.end].strip()
    # ... unless that answer was itself read on: its excerpt follows what an earlier one showed.
    assert where_to_read_on("Tell me more", previous, {"a": BODY}, from_start=False) is None

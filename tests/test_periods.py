"""A note when the story quoted first does not mention the year or quarter the question names."""
import pytest

from dateline.index.item import Item
from dateline.qa.periods import unmentioned


def _story(body: str, date: str = "1987-03-30", title: str = "TEXTRON <TXT> TO REPAY DEBT") -> Item:
    return Item(source="Reuters", title=title, body=body, date=date)


def test_a_year_the_story_never_mentions_is_named():
    story = _story("Textron Inc said it will repay debt through the sale of three units.")
    assert unmentioned("What was Textron's net income for 1985?", story) == ["1985"]
    assert unmentioned("What was Textron's net income in 1986?", story) == ["1986"]


def test_the_story_year_and_last_year_reported_without_its_number_count_as_mentioned():
    results = _story("Coleco reported a net loss of 111.2 mln dlrs for the year ended December 31.")
    assert unmentioned("How much did Coleco lose in 1986?", results) == []
    assert unmentioned("Will Coleco make a profit in 1987?", results) == []  # a story of 1987
    assert unmentioned("What did Coleco lose in 1985?", results) == ["1985"]


@pytest.mark.parametrize("question, body, missing", [
    ("What were Damon's sales in the first quarter of 1987?", "Damon's lab unit is riding high on AIDS tests.",
     ["the first quarter"]),
    ("damon q1 sales", "Damon's lab unit is riding high on AIDS tests.", ["the first quarter"]),
    ("What were Damon's sales in the first quarter?", "Shr 12 cts vs 10 cts. 1st qtr net 1.2 mln.", []),
    ("What were Damon's sales in the first quarter?", "Sales for the three months to March 31 rose.", []),
    ("What did Hachette earn in the first half?", "First-half net profit rose 20 pct.", []),
    ("What did Hachette earn in the first half?", "Six months net profit rose 20 pct.", []),
    ("What did Hachette earn in the second half?", "First-half net profit rose 20 pct.", ["the second half"]),
    # Half of a month is no period of results.
    ("Which unit lost money in the results released in the second half of October?", "Sears said ...", []),
])
def test_a_quarter_or_half_counts_in_the_forms_news_writes_it(question, body, missing):
    assert unmentioned(question, _story(body)) == missing


TEXACO_1984 = "What was Texaco Canada's net income in 1984?"  # the slice's Texaco story: crude prices
NOTE = "the story quoted first does not mention 1984"


def test_the_api_and_the_cli_carry_the_note(reuters_data):
    from click.testing import CliRunner

    from dateline.cli import main
    from dateline.web import create_app

    client = create_app({"DATA_DIR": str(reuters_data), "RELOAD_INTERVAL": 0, "TESTING": True}).test_client()
    body = client.post("/api/ask", json={"question": TEXACO_1984}).get_json()
    assert body["found"] and NOTE in body["notes"], body["notes"]
    shown = CliRunner().invoke(main, ["ask", TEXACO_1984, "--data", str(reuters_data)])
    assert shown.exit_code == 0 and f"note: {NOTE}" in shown.output, shown.output


def test_the_markdown_answer_shows_what_to_check_and_reads_back_without_it():
    from dateline.web.markdown import answer_from_markdown, answer_markdown

    answer = {"answer": "Texaco Canada said it lowered the contract price ... [1]",
              "notes": ['"in 1984" read as part of the topic', NOTE],
              "citations": [{"n": 1, "item_id": "t1", "source": "Reuters", "dateline": "", "date": "1987-02-26",
                             "date_display": "26 Feb 1987", "title": "TEXACO CANADA LOWERS CRUDE POSTINGS"}]}
    text = answer_markdown(answer, "http://x")
    assert text.split("\n")[:3] == [answer["answer"], "", f"> Check: {NOTE}"]
    assert "read as part of the topic" not in text  # how the question was read stays out
    # A chat client sends the text back: the answer it quoted, not the check.
    assert answer_from_markdown(text) == {"answer": answer["answer"], "citations": [{"n": 1, "item_id": "t1"}]}

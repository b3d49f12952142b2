"""Word starts found in a chunk's word marks are the ones a scan of its text finds."""
from dateline.qa.word_starts import mark_key, starts_a_word, word_marks

TEXTS = [
    "Reuters | London | 1987-03-02 | OPEC output\nThe executive committee executed its plan.",
    "foo_bar and bar_foo; O'Neil's deal with U.S. Steel (Pittsburgh)",
    "Zürich’s İstanbul office: naïve rôles, 4.5 pct, 12,000 ounces",
    "",
]
PREFIXES = ["execut", "bar", "foo", "neil", "o'neil", "u.s", "steel", "pittsburgh", "zürich", "i̇stanbul",
            "istanbul", "naïve", "rôl", "pct", "12", "000", "ounce", "plan", "london", "1987", "x"]


def test_a_word_start_is_found_exactly_where_a_scan_of_the_text_finds_it():
    for text in TEXTS:
        marks, lowered = word_marks(text), text.lower()
        for prefix in PREFIXES:
            key = mark_key(prefix)
            found = key in marks if key else starts_a_word(lowered, prefix)
            assert found == starts_a_word(lowered, prefix), (text, prefix)


def test_a_word_inside_another_or_after_an_underscore_does_not_start_one():
    marks = word_marks("The executive committee met foo_bar.")
    assert mark_key("execut") in marks
    assert mark_key("cutive") not in marks  # inside "executive"
    assert mark_key("bar") not in marks  # after "_", as retrieval has always read it
    assert mark_key("u.s") is None and mark_key("o'neil") is None  # looked for in the text itself

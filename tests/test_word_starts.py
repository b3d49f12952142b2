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


def test_a_body_s_question_words_are_found_as_one_regex_pass_over_it_finds_them():
    """WordFinder's str.find loop over a body must find what its regex, the definition, finds."""
    import random

    from dateline.qa.sentence_choice import WordFinder

    rng = random.Random(3)
    pieces = ["execut", "executive", "Executed", "foo_bar", "_bar", "bar", "O'Neil", "o’neil's", "U.S.", "u.s",
              "steel", "Steelworkers", "12,000", "ounce", "co-op", "--", "(", ")", "\n\n", " ", " ", " "]
    for n in range(2000):
        body = "".join(rng.choice(pieces) + rng.choice(["", " ", ", ", ". "]) for _ in range(rng.randint(0, 30)))
        finder = WordFinder(set(rng.sample(["execut", "bar", "neil", "o'neil", "u.s", "steel", "12", "ounc", "co"], 4)))
        assert finder._words(body) == [(m.start(), m.group(0)) for m in finder.pattern.finditer(body)], body

"""The model that chooses the answering sentence: exact when it skips work, fitted from question
sets by `dateline eval fit-sentences`, and judged on sets it was not fitted on."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from dateline.cli import main
from dateline.index.errors import DatelineError
from dateline.qa import sentence_fit
from dateline.qa.engine import Engine
from dateline.qa.sentence_choice import FEATURES, recording

REUTERS_QUESTIONS = [
    {"question": "How many ships were waiting at the Panama Canal?", "gold_ids": ["5f6ce4753a52d23f"], "answer": "39"},
    {"question": "Which country was Shultz travelling to when he said he would not resign?",
     "gold_ids": ["0c311f816a529d98"], "answer": "China"},
]
SAMPLE_QUESTIONS = [
    {"question": "Who sponsored a resolution condemning the 1988 massacre?", "gold_ids": ["db3f4be049b17f96"],
     "answer": "Forty-Six US Congressmen"},
    {"question": "Which former Italian foreign minister wrote for Fox News?", "gold_ids": ["a7f22ff82b93a0e8"],
     "answer": "Giulio Terzi"},
]


@pytest.mark.slow
def test_skipping_sentences_that_cannot_win_chooses_as_scoring_them_all(reuters_data):
    """`ask` searches only the sentences whose bound could still beat the best for answer
    candidates; recording (what fitting does) scores every one. Both must quote the same."""
    engine = Engine(reuters_data)
    titles = [r[0] for r in engine.reader().conn.execute("SELECT title FROM items ORDER BY rowid LIMIT 40")]
    questions = [f"Who is behind {t.lower()}?" for t in titles[:20]] + [
        f"How much was {t.lower()}?" for t in titles[20:]] + [q["question"] for q in REUTERS_QUESTIONS]
    for q in questions:
        quick = engine.ask(q, top_k=5)
        with recording() as rows:
            thorough = engine.ask(q, top_k=5)
        assert quick.answer == thorough.answer, q
        if thorough.found:
            assert rows and all(set(c.features) == set(FEATURES) for _, cands in rows for c in cands)


def test_question_words_are_found_where_they_start_a_word_whatever_their_case():
    """The word finder reads each word that starts with a question stem (str.find per stem):
    whole words from their start, the longest stem first, a possessive and an apostrophe's
    tail kept, nothing inside a word already read, offsets into the body as written."""
    from dateline.qa.sentence_choice import WordFinder

    finder = WordFinder({"found", "o'neil", "neil", "u.n", "istanbul", "shar", "share"})
    body = ("O'Neil met U.N. officials; Neil's shares were sharing. Istanbul's founder "
            "refounded nothing, un-founded. The FOUNDERS' day; sharp.")
    words = finder._words(body)
    assert [w for _, w in words] == ["O'Neil", "U.N", "Neil's", "shares", "sharing", "Istanbul's", "founder",
                                     "founded", "FOUNDERS", "sharp"]
    assert all(body[at:at + len(w)] == w for at, w in words)
    # The same as one regex pass trying every stem at every character (the way it was read before).
    assert words == [(m.start(), m.group(0)) for m in finder.pattern.finditer(body)]
    # A letter whose lower case is longer ("İ" -> "i̇") would move offsets: the regex reads such a body.
    body = "İİ İstanbul, Istanbul's"
    assert finder._words(body) == [(3, "İstanbul"), (13, "Istanbul's")]
    # Beyond ASCII, ignoring case is not lower-casing: "ı" and "I" meet, as the regex has them.
    finder = WordFinder({"diyarbakır", "sea"})
    body = "DIYARBAKIR and Diyarbakir, Diyarbakır by the ſea"
    assert [w for _, w in finder._words(body)] == ["DIYARBAKIR", "Diyarbakir", "Diyarbakır", "ſea"]


def test_the_pruned_choice_is_the_best_of_all_candidates():
    """Without the model: random questions over small items, chosen as `ask` does (answer
    candidates searched only while they could still win) and as fitting does (all searched)."""
    import random

    from dateline.index.item import Item
    from dateline.qa import answer_type
    from dateline.qa.sentence_choice import Question, WordFinder, _candidates, choose, score
    from dateline.qa.words import stems

    rng = random.Random(7)
    names = ["Kenneth May", "Holly Farms", "Little Rock", "Sardinia", "Paul Mellon", "Nathan W. Pearson"]
    verbs = ["said", "bought", "sold", "named", "reported", "will succeed", "is based in", "expects"]
    things = ["the bank", "shares", "the plant", "65 mln dlrs", "April 23", "the company", "coffee", "1987"]

    def sentence() -> str:
        return f"{rng.choice(names)} {rng.choice(verbs)} {rng.choice(things)} on {rng.choice(things)}."

    for n in range(3000):
        paragraphs = [" ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 4))]
        item = Item(source="Test", title=sentence().upper() if n % 2 else sentence(),
                    body="" if n % 10 == 0 else "\n\n".join(paragraphs), id=f"i{n}",
                    date=rng.choice([None, "1987-04-07", "1987-05-20"]))
        asked = stems(" ".join(rng.sample(names + verbs + things, 4)))
        # Every third is a follow-up: some sentences were quoted before, and count only for its own words.
        follow_up = n % 3 == 0
        own = frozenset(rng.sample(sorted(asked), 1)) if follow_up else frozenset()
        starts = [0] + [m.end() for m in re.finditer(r"[.]\s+", item.body)]
        quoted = set(rng.sample(starts, rng.randint(0, len(starts)))) if follow_up else set()
        q = Question(qstems=frozenset(asked), asked=frozenset(asked), weight={w: rng.uniform(0.5, 3) for w in asked},
                     kind=rng.choice(answer_type.KINDS + (None,)), focus=frozenset(rng.sample(sorted(asked), 1)),
                     find=WordFinder(set(asked)), own=own, looks=rng.choice((-1, 0, 1)),
                     counted=stems(rng.choice(["", "mln dlrs", "shares", "the bank"])))
        rank, gap = rng.randint(0, 6), rng.uniform(0, 4)
        # Candidates are scored from the features they can have before the kind is looked for:
        # exactly the model's score of all of them.
        assert all(c.score == score(c.features) for c in _candidates(item, rank, gap, q, quoted) if not c.kind_described)
        quick = choose(item, rank, gap, q, quoted)
        with recording() as rows:
            thorough = choose(item, rank, gap, q, quoted)
        assert (quick.start, quick.end, quick.in_title) == (thorough.start, thorough.end, thorough.in_title)
        assert quick.score == thorough.score == max(c.score for _, cands in rows for c in cands)


def test_of_two_sentences_holding_the_same_words_the_one_naming_its_answer_beside_them_answers():
    """Both sentences name Willy Olsen and hold "Statoil" and "gas field"; only in the second
    does he stand beside them (offer_near), and it answers though the first leads."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import PERSON
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("Willy Olsen said the weather in the north was fine all week, while the gas field belongs to Statoil.\n\n"
            "The weather in the north was fine all week, while the gas field belongs to Statoil, said Willy Olsen.")
    asked = stems("Who spoke for Statoil about the gas field?")
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=PERSON, focus=frozenset(),
                 find=WordFinder(set(asked)))
    chosen = choose(Item(source="Test", title="Statoil", body=body, id="s1"), 0, 0.0, q)
    assert body[chosen.start:chosen.end].startswith("The weather"), chosen
    assert chosen.features["offer_near"] > 0


def _evenly_weighted(question: str, kind: str):
    """``question`` as the sentence model reads it, each of its words weighing the same."""
    from dateline.qa.sentence_choice import Question, WordFinder
    from dateline.qa.words import stems

    asked = stems(question)
    return Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=kind, focus=frozenset(),
                    find=WordFinder(set(asked)))


def test_a_wire_headline_in_capitals_gives_way_to_a_lead_that_answers_too():
    """"ASIAN DOLLAR ASSETS EXCEED 200 BILLION DLRS" rounds what the lead gives in full; the
    lead, which offers a figure too, answers."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import NUMBER
    from dateline.qa.sentence_choice import choose

    body = ("The Asian dollar market continued to expand in December with total assets and liabilities rising to "
            "200.60 billion U.S. Dlrs from 188.54 billion in November, the Monetary Authority of Singapore said.\n\n"
            "It said the increase came mainly from interbank activity.")
    q = _evenly_weighted("How large had total assets of the Asian dollar market grown?", NUMBER)
    title = "ASIAN DOLLAR ASSETS EXCEED 200 BILLION DLRS"
    chosen = choose(Item(source="Reuters", title=title, body=body, id="a1"), 0, 0.0, q)
    assert not chosen.in_title and chosen.text.startswith("The Asian dollar market"), chosen
    # A headline in ordinary case is still quoted when it names the answer.
    chosen = choose(Item(source="Reuters", title="Asian dollar assets exceed 200 billion dlrs", body=body, id="a1"),
                    0, 0.0, q)
    assert chosen.in_title, chosen


def test_a_number_before_what_how_many_counts_answers():
    """The lead holds most of the question and a number ("2 counts"); the next sentence's number
    stands before what the question counts ("12 years"), and it answers."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import NUMBER, counted
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("Cheer star Harris, who pleaded guilty to 2 counts this week, was sentenced on Thursday by the "
            "court in Chicago.\n\nHe got 12 years in prison, the attorney said.")
    question = "How many years was Cheer star Harris sentenced to?"
    assert counted(question) == {"year"}
    asked = stems(question)
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=NUMBER, focus=frozenset(),
                 find=WordFinder(set(asked)), counted=counted(question))
    with recording() as rows:
        chosen = choose(Item(source="Test", title="Harris sentenced", body=body, id="h1"), 0, 0.0, q)
    assert body[chosen.start:].startswith("He got 12 years"), chosen
    assert {c.text[:5]: c.features["counts"] for _, cands in rows for c in cands if not c.in_title} == \
        {"Cheer": 0.0, "He go": 1.0}


def test_a_number_counting_something_else_does_not_answer_how_many():
    from dateline.qa.sentence_choice import _counts_else
    from dateline.qa.words import stems

    def counts_else(text: str, number: str, counted: str) -> bool:
        at = text.index(number)
        return _counts_else(text, (at, at + len(number)), stems(counted))

    assert counts_else("He pleaded guilty to 2 counts this week.", "2", "years")
    assert counts_else("Sales rose 50 pct in March.", "50", "stores")
    assert not counts_else("It will refurbish 12 new stores.", "12", "stores")  # what is counted, three words on
    assert not counts_else("About 2.6 mln shares changed hands.", "2.6", "shares")  # past the scale word
    assert not counts_else("Officials said 12 were killed.", "12", "people")  # a verb says nothing of what it counts
    assert not counts_else("It bought 12 Boeing jets.", "12", "aircraft")  # nor does a name
    assert not counts_else("The toll rose to 12.", "12", "people")


def test_how_much_a_buyer_pays_is_answered_by_an_amount_of_money_not_a_share():
    """The headline holds the question's words and a number, "34 PCT"; the question asks what
    Sara Lee pays, and only the lead names an amount of money (reut2-001, 3 March 1987)."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import NUMBER, asks_money
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("Sara Lee Corp said it agreed to buy a 34 pct interest in Paris-based DIM S.A., a subsidiary of BIC "
            "S.A., at a cost of about 84 mln dlrs.\n\nDIM S.A., a hosiery manufacturer, had 1985 sales of about "
            "260 mln dlrs.")
    question = "How much will Sara Lee pay for its stake in DIM?"
    assert asks_money(question) and not asks_money("By how much are meat prices going up?")
    asked = stems(question)
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=NUMBER, focus=frozenset(),
                 find=WordFinder(set(asked)), money=True)
    chosen = choose(Item(source="Reuters", title="SARA LEE <SLE> TO BUY 34 PCT OF DIM", body=body, id="d1"), 0, 0.0, q)
    assert not chosen.in_title and "84 mln dlrs" in chosen.text, chosen


def test_an_amount_of_money_counts_nothing_and_a_price_per_share_is_an_amount_a_share():
    """The lead names the series by their dividends ("4.50-dlr convertible series I"): money,
    which counts no shares; the shares are counted further on (reut2-014, ITT)."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import NUMBER, asks_per_share, counted
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("ITT Corp said it will redeem the outstanding shares of its four-dlr convertible series H and "
            "4.50-dlr convertible series I preferred stock.\n\nITT has about 124,000 shares of series H "
            "outstanding and 839,000 shares of series I.")
    question = "How many shares of its series I preferred stock are outstanding?"
    asked = stems(question)
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=NUMBER, focus=frozenset(),
                 find=WordFinder(set(asked)), counted=counted(question))
    chosen = choose(Item(source="Reuters", title="ITT TO REDEEM PREFERRED", body=body, id="i1"), 0, 0.0, q)
    assert body[chosen.start:].startswith("ITT has about 124,000 shares"), chosen
    # "What cash price per share ...?": of the lead's amounts, only one is a share's price.
    body = ("The board recommended the one billion dlr takeover bid by Cruden Investments for Queensland Press."
            "\n\nThe 23 dlrs a share cash-only offer is nearly double the market price.")
    question = "What cash price per share is Cruden Investments offering for Queensland Press?"
    asked = stems(question)
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=NUMBER, focus=frozenset(),
                 find=WordFinder(set(asked)), money=True, per_share=asks_per_share(question))
    chosen = choose(Item(source="Reuters", title="CRUDEN BID", body=body, id="c1"), 0, 0.0, q)
    assert body[chosen.start:].startswith("The 23 dlrs a share"), chosen


def test_the_subject_every_sentence_names_weighs_less_beside_a_date_than_the_word_asked_about():
    """Anderson and the Treasury are named throughout; "sentencing" once. The date beside the
    word the question asks about answers, not the one beside the subject (offer_near divides a
    word's weight by how many of the item's sentences hold it)."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import DATE
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("Former Treasury Secretary Robert Anderson pleaded guilty to tax evasion.\n\n"
            "Anderson ran the Treasury in 1957, under Eisenhower.\n\n"
            "The judge set May 7 for sentencing of Anderson, lawyers said.")
    asked = stems("When is former Treasury Secretary Robert Anderson to be sentenced?")
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=DATE, focus=frozenset(),
                 find=WordFinder(set(asked)))
    with recording() as rows:
        chosen = choose(Item(source="Test", title="Anderson", body=body, id="s1", date="1987-03-26"), 0, 0.0, q)
    assert body[chosen.start:].startswith("The judge set May 7"), chosen
    near = {c.text[:8]: c.features["offer_near"] for _, cands in rows for c in cands}
    assert near["The judg"] > near["Anderson"], near


@pytest.mark.parametrize("question, wanted", [
    ("When will Chase close its consumer banking business in Peru?", "Chase will close its consumer banking business in Peru by June 30"),
    ("When did Chase open its consumer banking business in Peru?", "Chase opened its consumer banking business in Peru in September 1984"),
])
def test_a_when_question_takes_the_date_that_points_the_way_it_looks(question, wanted):
    """Of two sentences holding the same words, "When will ...?" takes the one whose date lies
    after the item's day and "When did ...?" the one whose date lies before (the tense feature)."""
    from dateline.index.item import Item
    from dateline.qa import tense
    from dateline.qa.answer_type import DATE
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("Chase opened its consumer banking business in Peru in September 1984, the bank said.\n\n"
            "Chase will close its consumer banking business in Peru by June 30, the bank said.")
    asked = stems("Chase consumer banking business Peru")
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=DATE, focus=frozenset(),
                 find=WordFinder(set(asked)), looks=tense.looks(question))
    chosen = choose(Item(source="Test", title="Chase", body=body, id="c1", date="1987-04-07"), 0, 0.0, q)
    assert body[chosen.start:].startswith(wanted), chosen
    assert chosen.features["tense"] == 1.0


def test_a_follow_up_gives_the_sentence_it_quoted_nothing_for_the_words_it_held():
    """In a follow-up, a sentence the previous answer quoted counts only for the follow-up's own
    words: neither its overlap nor the nearness of its words to a name may lift it again."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import PERSON
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    body = ("Statoil spokesman Willy Olsen said the gas field is big.\n\n"
            "The field was found in 1986, said Peter Brandt of the ministry.")
    asked = stems("Who spoke for Statoil about the gas field in 1986?")
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=PERSON, focus=frozenset(),
                 find=WordFinder(set(asked)), own=stems("1986"), moves_on=True)
    with recording() as rows:
        chosen = choose(Item(source="Test", title="Statoil", body=body, id="s1"), 0, 0.0, q, quoted={0})
    first = next(c for _, cands in rows for c in cands if c.start == 0)
    assert first.features["overlap"] == 0 and first.features["offer_near"] == 0, first.features
    assert body[chosen.start:].startswith("The field"), chosen


def test_fitting_finds_the_feature_that_marks_the_right_sentence():
    rng = np.random.default_rng(0)
    marker = FEATURES.index("exact")

    def question(n: int) -> sentence_fit.Asked:
        x = rng.normal(size=(n, len(FEATURES)))
        right = np.zeros(n, dtype=bool)
        right[rng.integers(n)] = True
        x[:, marker] = np.where(right, 1.0, 0.0) + rng.normal(scale=0.3, size=n)
        return sentence_fit.Asked("q", x, right, [f"item{i}" for i in range(n)])

    train = [question(8) for _ in range(60)]
    held = [question(8) for _ in range(40)]
    weights = sentence_fit.fit(train)
    assert int(np.argmax(np.abs(weights))) == marker and weights[marker] > 0
    assert sentence_fit.chosen_right(held, weights) >= 35
    # A model that ignores the marker does no better than chance on the same questions.
    assert sentence_fit.chosen_right(held, np.zeros(len(FEATURES))) < 35
    with pytest.raises(DatelineError, match="no question"):
        sentence_fit.fit([sentence_fit.Asked("q", np.zeros((3, len(FEATURES))), np.zeros(3, dtype=bool), ["a"] * 3)])


@pytest.mark.slow
def test_eval_fit_sentences_fits_and_judges_each_set_on_the_others(runner, web_data, reuters_data, tmp_path):
    reuters_q, sample_q = tmp_path / "reuters.jsonl", tmp_path / "sample.jsonl"
    reuters_q.write_text("".join(json.dumps(r) + "\n" for r in REUTERS_QUESTIONS))
    sample_q.write_text("".join(json.dumps(r) + "\n" for r in SAMPLE_QUESTIONS))
    r = runner.invoke(main, ["eval", "fit-sentences", str(reuters_q), str(reuters_data), str(sample_q), str(web_data)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out["fitted"]["model"]) == set(FEATURES)
    assert {name: h["questions"] for name, h in out["held_out"].items()} == {"reuters": 2, "sample": 2}
    # The shipped model chooses the answering sentence of each of these questions.
    assert out["shipped_right"] == 1.0 and out["shipped"]["quoted_per_question"] >= 1

    # Bad input is named: a path that is no file, a folder with no archive, a set without its pair.
    for args, says in [([str(tmp_path / "none.jsonl"), str(reuters_data), str(sample_q), str(web_data)], "no such file"),
                       ([str(reuters_q), str(tmp_path), str(sample_q), str(web_data)], "no archive here"),
                       ([str(reuters_q), str(reuters_data), str(sample_q)], "pairs, two at least"),
                       ([str(reuters_q), str(reuters_data), str(reuters_q), str(web_data)], "two question files named")]:
        r = runner.invoke(main, ["eval", "fit-sentences", *args])
        assert r.exit_code != 0 and says in r.output and "Traceback" not in r.output, r.output


def test_a_word_news_writes_for_the_questions_counts_as_it():
    """"Who will replace Barnes?" is answered by "Pearson will succeed Barnes": a word of the
    question's group (words.ALIKE), or an irregular form of its verb ("won" for "win"), is found
    as the question's own word; other words of the sentence are not."""
    from dateline.qa.sentence_choice import WordFinder
    from dateline.qa.words import stems

    finder = WordFinder(set(stems("Who will replace Barnes, and who accused him of winning?")))
    body = "Pearson will succeed Barnes. The allegations were made by McGrath, who won the case."
    found = {body[at:].split()[0].strip(".,"): st for at, st in finder.find(body)}
    assert found == {"succeed": "replac", "Barnes": "barn", "allegations": "accus", "won": "winn"}
    # "take effect" meets "effective", "come into force" is "take effect", a count in words meets
    # one in figures ("the first ten months": "the first 10 months").
    finder = WordFinder(set(stems("When do the cuts for the first ten months take effect?")))
    body = "The cuts come into force on July 1. Another cut, for the first 10 months, is effective today."
    found = {st for _, st in finder.find(body)}
    assert {"effect", "ten", "month"} <= found
    assert sorted(body[at:at + 15] for at, st in finder.find(body) if st == "effect") == ["come into force", "effective today"]
    # An adverb meets its adjective: "Who is in charge nationally ...?" the "national manager".
    finder = WordFinder(set(stems("Who is in charge nationally of the centers, and early?")))
    body = "John H. Rollins, national manager of the centers, said so early."
    assert {body[at:].split()[0].strip(".,"): st for at, st in finder.find(body)} == {
        "national": "nationally", "centers": "center", "early": "early"}


def test_an_item_without_the_questions_rarest_word_covers_it_less():
    """Both stories hold two of "Who has Spartech named as its president?"'s three words; the one
    without "Spartech" (Federal Resources' own new president, reut2-014) covers the question less
    than the one without "named" (Spartech's board "appointed" its president): coverage weighs
    each word by its rarity."""
    from dateline.index.item import Item
    from dateline.qa.answer_type import PERSON
    from dateline.qa.sentence_choice import Question, WordFinder, choose
    from dateline.qa.words import stems

    asked = stems("Who has Spartech named as its president?")
    weight = {"spartech": 6.0, "nam": 1.5, "president": 0.5}
    assert set(weight) == asked
    q = Question(qstems=asked, asked=asked, weight=weight, kind=PERSON, focus=frozenset(), find=WordFinder(set(asked)))
    spartech = Item(source="Reuters", title="SPARTECH <SPTN> REVERSE STOCK SPLIT APPROVED", id="s", body=(
        "Spartech Corp said shareholders approved a reverse stock split.\n\n"
        "Separately, Spartech said its board appointed Bradley Buechler as president, filling a vacancy."))
    federal = Item(source="Reuters", title="FEDERAL RESOURCES <FDRC> NAMES NEW PRESIDENT", id="f", body=(
        "Federal Resources Corp said it has named John Kotts president and chief operating officer."))
    with recording() as rows:
        chosen = {item.id: choose(item, 0, 0.0, q) for item in (spartech, federal)}
    coverage = {item.id: cands[0].features["coverage"] for item, cands in rows}
    assert coverage["s"] == pytest.approx(6.5 / 8) and coverage["f"] == pytest.approx(2 / 8)
    assert "Bradley Buechler" in chosen["s"].text and chosen["s"].score > chosen["f"].score


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


def test_phrasal_verbs_found_around_their_particles_are_the_ones_the_regex_finds():
    """phrasal_verbs looks only near "down", "off", "into" ...; it must find what PHRASAL_VERB,
    the definition, finds over the whole text: every phrase, in order, none inside another."""
    import random

    from dateline.qa.words import PHRASAL_VERB, phrasal_verbs

    rng = random.Random(5)
    pieces = ["stepped", "Step", "down", "DOWN", "laid", "off", "offer", "bought", "out", "outlook", "went", "bust",
              "hand", "handed", "over", "came", "come", "into", "force", "effect", "entered", "back", "go", "x",
              "took", "taking", "from",
              "\n\n   ", "  ", " ", " ", ", ", "-"]
    for n in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice([" ", " ", "  ", "\n", ""]) for _ in range(rng.randint(0, 40)))
        assert [m.span() for m in phrasal_verbs(text)] == [m.span() for m in PHRASAL_VERB.finditer(text)], text


def test_a_figure_asked_of_its_noun_is_no_terms_length():
    """"What is the yield on the bills maturing May 19?": "3.8502 pct", not the "41" of "a 41-day
    repurchase accord", which says how long, not how much."""
    from dateline.qa.answer_type import NUMBER, valued
    from dateline.qa.sentence_choice import Question, WordFinder, _offered
    from dateline.qa.words import stems

    asked = stems("What is the yield on the bills maturing May 19?")
    q = Question(qstems=asked, asked=asked, weight=dict.fromkeys(asked, 1.0), kind=NUMBER, focus=frozenset(),
                 find=WordFinder(set(asked)), valued=valued("What is the yield on the bills maturing May 19?"))
    text = "Of the total, 400 billion yen will yield 3.8502 pct in a 41-day repurchase accord maturing on May 19."
    offered = [text[s:e] for s, e in _offered(q, text)]
    assert "3.8502 pct" in offered and "41" not in offered

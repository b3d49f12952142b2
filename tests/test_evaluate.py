"""Evaluation: metrics, the TIME and RealTime QA readers, and `dateline eval` on a JSONL set."""
from __future__ import annotations

import json
import math

import pytest

from conftest import REALTIMEQA, TIME
from dateline.qa.evaluate import (answer_hit, calibrate, first_sentence, first_sentence_hit, gold_cited, metrics,
                                  read_questions, read_realtimeqa, read_time, repeats)


def test_metrics_by_hand():
    m = metrics(["a", "x", "b", "y"], {"a", "b"})
    assert m["recall@1"] == 0.5 and m["recall@5"] == 1.0 and m["mrr"] == 1.0
    ideal = 1 + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert metrics(["x", "y"], {"a"}) == {"recall@1": 0, "recall@5": 0, "recall@10": 0, "recall@20": 0,
                                          "mrr": 0.0, "ndcg@10": 0.0}


def test_time_judgments_are_positions():
    s = read_time(TIME)
    # Query 23's only judgment, position 425, is past this copy's 423 records read naively.
    assert len(s.records) == 423 and len(s.questions) == 79
    ids = [r["id"] for r in s.records]
    # TIME.REL's "1  268 ..." is the 268th record, *TEXT 334 (Buddhist monks in Saigon).
    assert ids[267] == "time-334" and "time-334" in next(q for q in s.questions if q.qid == "1").gold_ids
    # The irregular header "*TEXT 431 08/30 63" keeps its place and date.
    rec = next(r for r in s.records if r["id"] == "time-431")
    assert rec["date"] == "1963-08-30" and "BUDDHIST" in s.questions[0].question.upper()
    assert not s.parse


def test_time_judgments_past_the_two_lost_records_name_the_story_judged():
    # TIME.REL numbers the collection's original 425 documents; this copy lacks two after
    # position 370, so judgment 386 is the 384th record here, and 425 the last one.
    s = read_time(TIME)
    body = {r["id"]: r["body"] for r in s.records}
    judged = {q.qid: [body[i] for i in q.gold_ids] for q in s.questions}
    assert [b[:8] for b in judged["7"]] == ["CAMBODIA", "CAMBODIA"]  # Sihanouk refuses U.S. aid
    assert any(b.startswith("SOUTH KOREA FATIGUES TO FLANNELS") for b in judged["15"])  # Park Chung Hee elected
    assert judged["23"] == [body["time-563"]] and "ADMISSION" in body["time-563"]  # new U.N. members
    assert "CONGO" in "".join(judged["75"]) and "ADOULA" in "".join(judged["75"])
    # Judgments up to position 370 are read as they are (query 1: *TEXT 334, the 268th record).
    assert "time-334" in next(q for q in s.questions if q.qid == "1").gold_ids


def test_realtimeqa_one_week():
    # Records written for the project in RealTime QA's format (tests/data/SOURCE.md).
    s = read_realtimeqa(REALTIMEQA, weeks=["20220617"])
    assert s.questions and all(q.qid.startswith("20220617_") for q in s.questions)
    q = next(q for q in s.questions if q.qid == "20220617_5")
    assert q.answer == "$5" and q.date_to == "2022-06-16"
    gas = "https://news.example.com/2022/06/11/business/gas-price-average-five-dollars/index.html"
    assert gas in s.gold_urls[q.qid]
    urls = {r["url"] for r in s.records}
    assert gas in urls
    assert not any("electric-school-bus" in u for u in urls)  # the next week's search results
    # Gold urls without text are kept too: the week's search results may hold them.
    assert s.gold_urls["20220617_2"] <= urls  # its text is only in the search results
    assert s.gold_urls["20220617_4"].isdisjoint(urls)  # no text anywhere: kept, unresolved
    assert "20220617_3" not in s.gold_urls  # no gold article at all: not a question
    # A video player's text (under 200 characters) and an undated page are not records.
    assert all(r["date"] and len(r["body"]) >= 200 for r in s.records)
    assert not any(u.endswith(("recall-video/index.html", "summer-travel-checklist")) for u in urls)


def test_answer_hit():
    ans = {"answer": "A gallon now costs $5 on average [1]", "citations": [{"excerpt": "Squid Game is back"}]}
    assert answer_hit(ans, "$5") and answer_hit(ans, "“Squid Game”") and not answer_hit(ans, "$4")
    # A day written as an ordinal holds the date; a longer number does not hold a shorter one.
    dated = {"answer": "According to a June 19th report by Fars [1]", "citations": []}
    assert answer_hit(dated, "June 19") and not answer_hit(dated, "June 1")
    # A refusal lists the nearest items by source: naming one is no answer.
    refused = {"answer": "The archive holds nothing that answers this. Nearest items: \"X\" (Iran Focus, 22 Jun 2017).",
               "found": False, "citations": []}
    assert not answer_hit(refused, "Iran Focus")


def test_first_sentence_hit_needs_the_answer_and_a_gold_citation_in_the_first_sentence():
    cites = [{"n": 1, "item_id": "gold", "excerpt": "It sold 380 head of cattle."},
             {"n": 2, "item_id": "other", "excerpt": "Kuwait bought cattle."}]
    right = {"found": True, "citations": cites,
             "answer": "The CCC accepted a bid for 380 head of dairy cattle to Kuwait. [1] Kuwait bought cattle. [2]"}
    assert first_sentence(right) == ("The CCC accepted a bid for 380 head of dairy cattle to Kuwait. [1]", "gold")
    assert first_sentence_hit(right, "380 head", {"gold"})
    # The right string, but the first sentence cites an item that is not gold.
    assert not first_sentence_hit(right, "380 head", {"other"})
    # The answer only in the second sentence: a hit for answer_hit, a miss here.
    second = {"found": True, "citations": [dict(cites[1], n=1), dict(cites[0], n=2)],
              "answer": "Kuwait bought cattle. [1] The CCC accepted a bid for 380 head. [2]"}
    assert answer_hit(second, "380 head") and not first_sentence_hit(second, "380 head", {"gold"})
    # Marker numbers, not positions, name the item: [2] first still cites "other".
    swapped = {"found": True, "citations": cites, "answer": "A bid for 380 head. [2] Kuwait. [1]"}
    assert not first_sentence_hit(swapped, "380 head", {"gold"})
    # A refusal quotes nothing, whatever its text says; an answer without markers cites nothing.
    refused = {"found": False, "citations": [], "answer": "Nothing about 380 head [1] was found."}
    assert first_sentence(refused) == ("", None) and not first_sentence_hit(refused, "380 head", {"gold"})
    assert not first_sentence_hit({"found": True, "citations": cites, "answer": "380 head."}, "380 head", {"gold"})
    assert gold_cited(second, {"gold"}) and not gold_cited(refused, {"gold"}) and not gold_cited(right, {"x"})


def test_calibrate_fits_a_model_that_separates_the_two_kinds():
    import numpy as np
    from dateline.qa.answer import EVIDENCE_FEATURES
    rng = np.random.default_rng(1)
    # Answerable questions: close chunks, most words found, none unknown; unrelated: the reverse.
    pos = np.column_stack([rng.uniform(0.5, 0.8, 40), rng.uniform(0.6, 1, 40), rng.uniform(0.6, 1, 40), np.zeros(40)])
    neg = np.column_stack([rng.uniform(0.1, 0.4, 40), rng.uniform(0, 0.4, 40), rng.uniform(0, 0.4, 40),
                           rng.uniform(0, 0.5, 40)])
    out = calibrate(pos, neg, groups={"answerable": pos, "unrelated": neg})
    fitted = out["fitted"]
    # Each group's share answered by the fitted model: all of one, none of the other.
    assert out["answered_by_group"]["answerable"] == {"questions": 40, "fitted": 1.0,
                                                      "current": out["answered_by_group"]["answerable"]["current"]}
    assert out["answered_by_group"]["unrelated"]["fitted"] == 0.0
    assert set(fitted["model"]) == {"intercept", *EVIDENCE_FEATURES}
    assert fitted["cross_validated"]["answerable_kept"] == 1.0 and fitted["cross_validated"]["unrelated_refused"] == 1.0
    assert fitted["model"]["cosine"] > 0 and fitted["model"]["unknown_rare"] < 0
    assert (out["answerable"], out["unrelated"]) == (40, 40)


def test_read_questions_errors(tmp_path):
    from dateline.index.errors import DatelineError
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "x"}\n')
    with pytest.raises(DatelineError, match="gold_ids"):
        read_questions(bad)
    bad.write_text('{"question": "x", "gold_ids": ["a"]}\n{"question": "x", "gold_ids": ["a"], "history": "y"}\n')
    with pytest.raises(DatelineError, match=r"q.jsonl:2: \"history\" must be a list"):
        read_questions(bad)
    bad.write_text('{"question": "x", "gold_ids": "notalist"}\n')
    with pytest.raises(DatelineError, match=r"q.jsonl:1: \"gold_ids\" must be a list of ids or urls"):
        read_questions(bad)
    bad.write_text('{"question": "x", "gold_ids": ["a"], "date_to": 2022}\n')
    with pytest.raises(DatelineError, match=r"q.jsonl:1: \"date_to\" must be a string"):
        read_questions(bad)


@pytest.mark.slow
def test_eval_asks_a_follow_up_after_its_earlier_questions(runner, web_data, tmp_path):
    """A line with "history" is a follow-up: scored as asked in a conversation, with the earlier
    answer sent back, and checked for repeating that answer instead of answering."""
    from dateline.cli import main
    path = tmp_path / "follow.jsonl"
    massacre = "Who sponsored a resolution condemning the 1988 massacre?"
    rows = [{"history": [massacre], "question": "Who reported it?", "gold_ids": ["db3f4be049b17f96"],
             "answer": "Iran Focus"},
            {"question": "Who reported it?", "gold_ids": ["db3f4be049b17f96"], "answer": "Iran Focus"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    details = tmp_path / "details.json"
    r = runner.invoke(main, ["eval", str(path), "--data", str(web_data), "--mode", "hybrid", "--details", str(details)])
    assert r.exit_code == 0, r.output
    per_question = json.loads(details.read_text())["details"]
    # In the conversation "it" is the massacre resolution; alone it is nothing, and refused.
    assert [q["found"] for q in per_question] == [True, False]
    assert per_question[0]["first_sentence_hit"] and not per_question[1]["hit"]
    assert not per_question[0]["repeated"] and "repeated" not in per_question[1]
    assert "follow-ups whose first sentence repeats the earlier answer's" in r.stdout


def test_a_follow_up_repeats_when_it_opens_with_the_earlier_first_sentence():
    def answer(text, item, start, highlight):
        return {"answer": text, "found": True,
                "citations": [{"n": 1, "item_id": item, "start": start, "highlight": [highlight, highlight + 9]}]}
    earlier = answer("It sold 380 head of cattle. [1]", "a", 100, 0)
    # The same sentence, led by its date this time, is a repeat; another sentence of the story is not.
    assert repeats(answer("3 Mar 1987, Sydney: It sold 380 head of cattle. [1]", "a", 90, 10), earlier)
    assert not repeats(answer("It paid 2 mln dlrs. [1]", "a", 200, 0), earlier)
    assert not repeats(answer("It sold 380 head of cattle. [1]", "b", 100, 0), earlier)
    assert not repeats({"answer": "The archive holds nothing that answers this.", "found": False}, earlier)


@pytest.mark.slow
def test_eval_jsonl_on_the_sample(runner, web_data, tmp_path):
    from dateline.cli import main
    path = tmp_path / "sample.jsonl"
    rows = [
        {"question": "Who sponsored a resolution condemning the 1988 massacre?", "gold_ids": ["db3f4be049b17f96"],
         "answer": "Forty-Six US Congressmen"},
        {"question": "Who is Shahin Gobadi?", "gold_ids": ["5bb711a2a883ed42"], "answer": "Foreign Affairs Committee"},
        {"question": "Which European Parliament vice president warned businesses?", "gold_ids": ["9cd444e41d6da2e4"]},
        # Refused: what `ask` shows holds nothing, whatever retrieval alone ranks.
        {"question": "Which team won the football cup final on penalties?", "gold_ids": ["9cd444e41d6da2e4"]},
        # Its own `to` date, before the gold item: `ask` must not show it.
        {"question": "Who sponsored a resolution condemning the 1988 massacre?", "gold_ids": ["db3f4be049b17f96"],
         "date_to": "2017-06-01"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    details = tmp_path / "details.json"
    r = runner.invoke(main, ["eval", str(path), "--json", "--data", str(web_data), "--details", str(details)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["questions"] == 5 and set(out["modes"]) == {"ask", "cited", "dense", "fts", "hybrid"}
    assert out["answer_hit_rate"] == 1.0 and out["first_sentence_hit_rate"] == 1.0
    assert out["gold_cited_rate"] == pytest.approx(3 / 5)
    per_question = json.loads(details.read_text())["details"]
    assert [q["ask"]["rank"] is not None for q in per_question] == [True, True, True, False, False]
    assert not per_question[3]["found"] and per_question[3]["ask"]["recall@20"] == 0
    assert out["modes"]["ask"]["recall@5"] == pytest.approx(3 / 5)
    # The citations alone hold the gold item exactly where the answer cites it.
    assert [q["cited"]["rank"] is not None for q in per_question] == [q["gold_cited"] for q in per_question]
    r = runner.invoke(main, ["eval", str(path), "--data", str(web_data), "--mode", "fts"])
    assert r.exit_code == 0 and "fts only" in r.stdout and "ask" in r.stdout and "ndcg@10" in r.stdout


@pytest.mark.slow
@pytest.mark.parametrize("top_k", [5, 10])
def test_the_ranking_rows_read_as_many_candidates_as_ask(web_data, tmp_path, monkeypatch, top_k):
    """The retrieval-only rows are the ranking `ask` draws on: fused from lists of the same depth
    (a deeper list standardises its scores differently and ranks otherwise)."""
    from dateline.qa import retrieve
    from dateline.qa.engine import Engine
    from dateline.qa.evaluate import evaluate
    depths = []
    search = retrieve.Retriever.search

    def spy(self, text, filters=None, *, k=10, depth=None, **kw):
        depths.append(depth or self.depth_for(k))
        return search(self, text, filters, k=k, depth=depth, **kw)

    monkeypatch.setattr(retrieve.Retriever, "search", spy)
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "Who is Shahin Gobadi?", "gold_ids": ["5bb711a2a883ed42"]}) + "\n")
    evaluate(Engine(web_data), read_questions(path), top_k=top_k)
    assert len(depths) == 4 and len(set(depths)) == 1, depths  # ask, then dense, full text, hybrid

"""Reading filters from questions: dates, relative dates, places, sources, the topic rule."""
from __future__ import annotations

import pytest

from dateline.index.errors import DatelineError
from dateline.qa.answer_type import names
from dateline.qa.chat import read_history
from dateline.qa.follow_up import asks_who_reported, is_follow_up, refers_back
from dateline.qa.query import (ArchiveFacts, Filters, merge_filters, names_the_day, parse_question, without_names_read,
                               without_the_day, years_written_out)

REUTERS_LIKE = ArchiveFacts(
    dates=["1987-02-26", "1987-03-02", "1987-03-20", "1987-04-07", "1987-05-01", "1987-10-19"],
    sources=["Reuters", "TIME"], places=["Washington", "San Mateo, Calif.", "London"])
SAMPLE_LIKE = ArchiveFacts(dates=["2016-11-23", "2017-06-19", "2017-06-24", "2017-06-30", "2017-08-22"],
                           sources=["Iran Focus"], places=["London", "Iran"])


@pytest.mark.parametrize("question, date_from, date_to", [
    ("What happened in June 2017?", "2017-06-01", "2017-06-30"),
    ("What happened on 24 June?", "2017-06-24", "2017-06-24"),
    ("What happened on June 24, 2017?", "2017-06-24", "2017-06-24"),
    ("What was reported last week?", "2017-08-16", "2017-08-22"),  # the newest item is 22 Aug 2017
    ("news in the past 3 days", "2017-08-20", "2017-08-22"),
    ("protests since June 2017", "2017-06-01", None),
    ("protests before July 2017", None, "2017-07-31"),
    ("Where was the execution of November 23, 2016?", "2016-11-23", "2016-11-23"),  # a day, not "of November"
])
def test_dates_read_from_the_question(question, date_from, date_to):
    q = parse_question(question, SAMPLE_LIKE)
    assert (q.filters.date_from, q.filters.date_to) == (date_from, date_to)
    assert q.dates_from_question and q.notes


def test_between_months_borrows_the_year():
    q = parse_question("What happened between March and May 1987?", REUTERS_LIKE)
    assert (q.filters.date_from, q.filters.date_to) == ("1987-03-01", "1987-05-31")
    assert "1987" not in q.text and "between" not in q.text


@pytest.mark.parametrize("question, dates", [
    ("What happened between 2 and 4 March?", ("1987-03-02", "1987-03-04")),
    ("What happened from 2 to 4 March 1987?", ("1987-03-02", "1987-03-04")),
    ("What happened 2-4 March?", ("1987-03-02", "1987-03-04")),
    ("What happened March 2 to 4?", ("1987-03-02", "1987-03-04")),
    # "from" a period alone: items of that period; "on" or "onwards" after it: from then on.
    ("news from March 1987", ("1987-03-01", "1987-03-31")),
    ("news from 1987", ("1987-01-01", "1987-12-31")),
    ("news from March onwards", ("1987-03-01", None)),
    ("news since March", ("1987-03-01", None)),
    # "the week of" a day: that day and the six after it (not "the week ended", a reporting period).
    ("What did Tribune report in the week of March 2, 1987?", ("1987-03-02", "1987-03-08")),
])
def test_days_of_one_month_and_news_from_a_period(question, dates):
    q = parse_question(question, REUTERS_LIKE)
    assert (q.filters.date_from, q.filters.date_to) == dates, q.notes


@pytest.mark.parametrize("question", [
    "How many bags arrived in the week ended February 26?",
    "What did the Fed add in the week ending March 2, 1987?",
    "Which bank's profit rose in the year ended March 20?",
])
def test_the_end_of_a_reporting_period_is_topic_not_a_filter(question):
    # The figures of the week ended 26 February ran days later: filtering on that day loses them.
    q = parse_question(question, REUTERS_LIKE)
    assert q.filters.date_from is None and q.filters.date_to is None and not q.dates_from_question
    assert q.text == question


def test_a_year_with_no_items_is_a_topic_not_a_filter():
    q = parse_question("How many prisoners were executed in 1988?", SAMPLE_LIKE)
    assert not q.filters.active
    assert "1988" in q.text
    assert any("topic" in n and "1988" in n for n in q.notes)


def test_a_day_with_no_items_is_a_topic():
    q = parse_question("What is planned on July 1?", SAMPLE_LIKE)
    assert not q.filters.has_dates and "July 1" in q.text


def test_place_and_source_from_the_question():
    q = parse_question("What news from Washington in April?", REUTERS_LIKE)
    assert q.filters.place == "Washington" and q.names_read == ("place",)
    assert (q.filters.date_from, q.filters.date_to) == ("1987-04-01", "1987-04-30")
    q = parse_question("Which companies filed plans, datelined San Mateo?", REUTERS_LIKE)
    assert q.filters.place == "San Mateo"
    assert parse_question("What was reported from San Mateo?", REUTERS_LIKE).filters.place == "San Mateo"
    q = parse_question("What did Reuters report about cocoa?", REUTERS_LIKE)
    assert q.filters.source == "Reuters" and q.names_read == ("source",)


def test_a_bare_from_names_a_topic_not_a_dateline():
    # "officials from Washington", "fruit from San Diego": what the story is about, wherever it
    # was filed; the name stays in the searched text.
    q = parse_question("What did officials from Washington say in April?", REUTERS_LIKE)
    assert q.filters.place is None and "Washington" in q.text
    assert parse_question("Which companies from San Mateo filed plans?", REUTERS_LIKE).filters.place is None
    # Standing apart, it asks for the dateline.
    assert parse_question("What happened to reserves, from San Mateo?", REUTERS_LIKE).filters.place == "San Mateo"
    assert parse_question("From Washington: what did officials say?", REUTERS_LIKE).filters.place == "Washington"


def test_without_names_read_drops_the_filters_the_question_named():
    q = parse_question("Any news from Washington about cocoa, according to Reuters?", REUTERS_LIKE)
    assert (q.filters.place, q.filters.source) == ("Washington", "Reuters")
    wider = without_names_read(q)
    assert (wider.filters.place, wider.filters.source) == (None, None) and wider.names_read == ()
    assert wider.notes[-1] == ("nothing from Reuters or datelined Washington answers this: "
                               "searched without that filter")
    assert not any(n.startswith(("place ", "source ")) for n in wider.notes)


def test_capitalised_source_needs_its_capitals():
    assert parse_question("what happened at the same time in Iran", REUTERS_LIKE).filters.source is None
    assert parse_question("what did TIME report on Laos", REUTERS_LIKE).filters.source == "TIME"


def test_request_fields_win_and_are_checked():
    q = parse_question("What happened in June 2017?", SAMPLE_LIKE, date_from="2017-06", date_to="2017-06")
    assert (q.filters.date_from, q.filters.date_to) == ("2017-06-01", "2017-06-30")
    with pytest.raises(DatelineError) as e:
        parse_question("x", SAMPLE_LIKE, date_from="30/02/2017")
    assert "date_from" in e.value.message and e.value.status == 422
    with pytest.raises(DatelineError) as e:
        parse_question("x", SAMPLE_LIKE, date_from="2017-07-01", date_to="2017-06-01")
    assert e.value.status == 422
    with pytest.raises(DatelineError) as e:
        parse_question("   ", SAMPLE_LIKE)
    assert "question" in e.value.message and e.value.status == 400


def test_a_source_or_place_no_item_has_is_named_with_what_was_meant():
    # Filters on them are exact: a typo silently empties the archive unless the answer says so.
    notes = parse_question("oil", REUTERS_LIKE, source="Reuter").notes
    assert 'no item has source "Reuter": did you mean "Reuters"?' in notes
    notes = parse_question("oil", REUTERS_LIKE, place="Washingtn").notes
    assert 'no item has place "Washingtn": did you mean "Washington"?' in notes
    notes = parse_question("oil", REUTERS_LIKE, source="Bloomberg News Service").notes
    assert notes[-1] == 'no item has source "Bloomberg News Service": the archive\'s sources include "Reuters", "TIME"'
    # Names the filter does match, in any case, or a dateline's part before its comma: no note.
    for source, place in (("reuters", "LONDON"), ("TIME", "San Mateo"), (None, "san mateo, calif.")):
        notes = parse_question("oil", REUTERS_LIKE, source=source, place=place).notes
        assert not [n for n in notes if n.startswith("no item")], notes
    assert not REUTERS_LIKE.has_place("San") and not REUTERS_LIKE.has_place("San Mateo, Cal")
    # A longer name that starts with a place and a space or bracket sorts between the place
    # and the place's "place, ..." forms: the place is still known.
    facts = ArchiveFacts(places=["New York", "New York City", "Washington", "Washington (AP)", "Salvador, Brazil"])
    assert all(facts.has_place(p) for p in ("new york", "New York City", "WASHINGTON", "Salvador"))
    assert not facts.has_place("New") and not facts.has_place("Brazil")


def test_request_names_take_the_archives_spelling():
    # SQLite compares names ignoring the case of ASCII letters only: "SÃO PAULO" must be sent as
    # the archive spells it to match "São Paulo" there.
    facts = ArchiveFacts(sources=["Reuters"], places=["São Paulo", "Salvador, Brazil"])
    q = parse_question("coffee", facts, source="REUTERS", place="SÃO PAULO")
    assert (q.filters.source, q.filters.place) == ("Reuters", "São Paulo")
    assert parse_question("coffee", facts, place="salvador").filters.place == "Salvador"
    assert parse_question("coffee", facts, place="Santos").filters.place == "Santos"  # unknown: as given
    assert not [n for n in q.notes if n.startswith("no item")]
    # A spelling the archive has is kept, even where another differs only in case.
    facts = ArchiveFacts(places=["São Paulo", "SÃO PAULO, Brazil"])
    assert parse_question("x", facts, place="São Paulo").filters.place == "São Paulo"
    assert parse_question("x", facts, place="SÃO PAULO").filters.place == "SÃO PAULO"


def test_follow_up_keeps_filters_unless_it_sets_its_own():
    previous = Filters("2017-06-01", "2017-06-30", None, "London")
    kept = merge_filters(parse_question("And what about the resolution?", SAMPLE_LIKE), previous)
    assert kept.filters == previous
    changed = merge_filters(parse_question("And in August?", SAMPLE_LIKE), previous)
    assert (changed.filters.date_from, changed.filters.date_to) == ("2017-08-01", "2017-08-31")
    assert changed.filters.place == "London"


@pytest.mark.parametrize("follow_up", ["And in July?", "What about July 2017?", "And 2015?"])
def test_a_follow_up_naming_only_a_period_the_archive_lacks_asks_about_that_period(follow_up):
    # No item is dated then: the period is read as topic, but the follow-up takes it as its dates
    # rather than carrying over the previous question's June and searching June for "July".
    previous = Filters("2017-06-01", "2017-06-30", None, None)
    q = merge_filters(parse_question(follow_up, SAMPLE_LIKE), previous)
    assert q.filters.date_from in ("2017-07-01", "2015-01-01"), q.notes
    assert not any("carried over" in n for n in q.notes), q.notes
    # A follow-up with a topic of its own keeps the previous dates.
    kept = merge_filters(parse_question("And the resolution in 2015?", SAMPLE_LIKE), previous)
    assert kept.filters == previous


def test_a_bare_month_and_year_is_a_date_only_when_it_is_all_a_follow_up_says():
    assert parse_question("What about June 2017?", SAMPLE_LIKE).filters.date_to == "2017-06-30"
    assert not parse_question("Who wrote the June 2017 resolution?", SAMPLE_LIKE).filters.has_dates


def test_follow_up_detection_and_history_shapes():
    assert is_follow_up("Who reported it?") and is_follow_up("And in July?") and is_follow_up("Why?")
    # A keyword, a name or the news at large is a new search, however few its words.
    assert not any(map(is_follow_up, ["executions", "Czarnecki", "What is the latest news?", "latest news"]))
    assert not is_follow_up("Who sponsored the resolution condemning the 1988 massacre?")
    # A longer question points back when it names nothing its pronoun or description could stand for.
    assert all(map(is_follow_up, ["What post does he hold in the European Parliament?",
                                  "How big a stake will its parent hold in it through a subsidiary?",
                                  "Who is the bank's chief executive?", "Where is the company based?",
                                  "Which carmakers already run plants there?",
                                  "Which airline hired him to fight off a takeover bid?",
                                  # "he", the subject after the first auxiliary, cannot be the Guards
                                  "Which division of the Guards does he run?",
                                  "Which country did he represent as an MEP?"]))
    assert not any(map(is_follow_up, ["Why did Japan say it would cut its lending rates?",
                                      "Which French minister said he is keeping his inflation target?",
                                      "How many miners ended their protest at Anglo American's mine?",
                                      "Is there a plan to cut the discount rate?",
                                      "Which company said its chairman had resigned after the loss?",
                                      "Who said his company would cut its quarterly dividend?",
                                      # "its" is Volkswagen's: the question names its own subject.
                                      "What did Volkswagen say about its currency losses?",
                                      # "he" after a later auxiliary may be the name before it.
                                      "Where did Gorbachev go and what did he say?"]))
    assert is_follow_up("What did Reagan say about it?") and is_follow_up("Why did profit fall?")
    # "that" after an auxiliary or a preposition points back; after "said" it opens a clause. The
    # letter of a class of shares names nothing of the question's own.
    assert all(map(is_follow_up, ["What interest in the venture would that partner get in return?",
                                  "How much cash per class B share does that offer include?"]))
    assert not is_follow_up("Which company announced that it would cut jobs?")
    assert not is_follow_up("What was Texaco's profit for this year?")  # a time, not something earlier
    # A request that names its own topic, or a country or a name (a word English seldom uses)
    # opening two words, starts a new one.
    assert not any(map(is_follow_up, ["Tell me about coffee quotas", "What do we know about cocoa?",
                                      "Give me an overview of sugar", "Brazil debt?", "Volcker debt?",
                                      "Texaco bankruptcy?"]))
    assert all(map(is_follow_up, ["Tell me about it", "What do we know about the company?", "Profits fell?",
                                  "Dividend raised?"]))
    assert refers_back("Why?") and refers_back("How much?") and not refers_back("And in July?")
    # "Who said so?" asks for the speaker the story quotes, not the outlet that reported it.
    assert is_follow_up("Who said so?") and not asks_who_reported("Who said so?")
    assert asks_who_reported("Who reported it?") and asks_who_reported("Which paper published that?")


def test_the_names_a_question_uses():
    assert names("Who is Winthrop Knowlton?") == ["Winthrop Knowlton"]
    assert names("Who is Sir Roy Denman?") == ["Roy Denman"]  # a title is not the name
    assert names("What did the European Parliament say on June 23?") == ["European Parliament"]
    assert names("What did Brazil say in March?") == []  # common words, months: no name to look for
    turns = read_history([{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
                          {"question": "q2", "answer": {"answer": "a2", "citations": []}}])
    assert [t.question for t in turns] == ["q1", "q2"] and turns[0].answer == {"answer": "a1"}
    with pytest.raises(DatelineError):
        read_history([{"text": "no shape"}])


def test_an_elliptical_follow_up_asks_what_its_question_asked():
    """"And the year before?" after "What was Shell's net income for 1986?" asks for a figure, as
    that question did (its own "year" would ask for a date); "And where?" and "And its partner in
    the venture?" say what they ask for."""
    from dateline.qa.answer_type import NUMBER, expected
    from dateline.qa.chat import resolve
    from dateline.qa.follow_up import is_elliptical

    assert all(map(is_elliptical, ["And the year before?", "How about West Germany?", "And a year earlier?"]))
    assert not any(map(is_elliptical, ["And where?", "And its partner in the Alcatel venture?",
                                       "What about its revenue?", "Who reported it?"]))
    asked = "What was Royal Dutch/Shell's net income for 1986?"
    history = [{"question": asked, "answer": {"answer": "..."}}]
    resolved = resolve("And the year before?", history, SAMPLE_LIKE)
    assert resolved.parsed.asks_as == asked and expected(resolved.parsed.asks_as) == NUMBER
    # Asked of a follow-up in turn, it reaches back to the question that asked.
    history.append({"question": "And the year before?", "answer": {"answer": "..."}})
    assert resolve("And in 1984?", history, SAMPLE_LIKE).parsed.asks_as == asked
    assert resolve("And where?", history[:1], SAMPLE_LIKE).parsed.asks_as is None


def test_a_follow_up_checks_the_filters_the_client_sends_back():
    from dateline.qa.chat import resolve
    history = [{"question": "What did Iran Focus report from London in June 2017?",
                "answer": {"answer": "...", "filters": {"date_from": "2017-06", "date_to": "2017-06", "place": ""}}}]
    resolved = resolve("And what about Iran?", history, SAMPLE_LIKE)
    # Carried over as a request's filters would be: a month spans its days, empty means none.
    assert resolved.parsed.filters == Filters("2017-06-01", "2017-06-30", None, None)
    history[0]["answer"]["filters"] = {"source": "IRAN FOCUS", "place": "london"}  # spelt as the archive does
    assert resolve("And what about Iran?", history, SAMPLE_LIKE).parsed.filters == Filters(None, None, "Iran Focus", "London")
    # Filters the request set and the earlier question's words did not are the client's to send
    # again: the chat page sends its fields with each question, so dates cleared there stay cleared.
    history[0]["question"] = "What did the resolution say?"
    history[0]["answer"]["filters"] = {"date_from": "2017-06-20", "date_to": "2017-06-25", "place": "London"}
    assert resolve("And what about Iran?", history, SAMPLE_LIKE).parsed.filters == Filters()
    for bad in ({"source": 5}, {"date_from": 2020}, {"date_to": "June-ish"}):
        history[0]["answer"]["filters"] = bad
        with pytest.raises(DatelineError) as e:
            resolve("And what about Iran?", history, SAMPLE_LIKE)
        assert e.value.status == 422 and "`history[0].answer.filters." in e.value.message  # names the field


# -- as-of questions: recency counts back from the request's `to` date or the newest item ----

AS_OF_FACTS = ArchiveFacts(dates=["1987-02-26", "1987-03-02", "1987-06-01"], sources=["Reuters"], places=["London"])


def test_a_to_date_makes_recency_count_back_from_it():
    q = parse_question("What did the council decide?", AS_OF_FACTS, date_to="1987-03-02")
    assert q.as_of == "1987-03-02" and q.filters.date_to == "1987-03-02"
    assert q.notes == ["items dated up to 1987-03-02 (the request's filter)",
                       "newer items rank higher, counting back from 1987-03-02 (the request's \"to\" date)"]
    # "this week" asks for recency too; it does not name a period of its own.
    assert parse_question("What did the council decide this week?", AS_OF_FACTS, date_to="1987-03-02").as_of == "1987-03-02"


def test_latest_shows_the_most_relevant_items_newest_first():
    q = parse_question("What is the latest on the council budget?", AS_OF_FACTS)
    assert q.as_of == "1987-06-01" and q.newest_first and q.filters.date_to is None
    assert q.notes[-1] == ('the most relevant items, newest first ("latest"; the archive\'s newest item '
                           'is of 1987-06-01)')
    assert parse_question("What did the council decide recently?", AS_OF_FACTS).newest_first
    # With a `to` date, age is a ranking signal instead.
    assert not parse_question("What is the latest on the council budget?", AS_OF_FACTS,
                              date_to="1987-03-02").newest_first


@pytest.mark.parametrize("question, newest_first", [
    # "recent" before an event names the event: the most relevant stories come first.
    ("STRENGTHS IN POPULAR VOTES OF THE VARIOUS POLITICAL PARTIES IN THE RECENT ITALIAN ELECTIONS .", False),
    ("Which incumbent was declared winner of Iran's recent presidential vote?", False),
    ("Who was declared the victor in Iran's most recent presidential vote?", False),
    # Before the news itself, or as "most recent", it asks for the newest.
    ("What are the recent developments in the council budget?", True),
    ("What is the most recent news on the strike?", True),
    ("What has the council said in recent weeks?", True),
    ("Give me a recent update on the strike", True),
    ("Any recent headlines about the harbour bridge?", True),
    ("Which bid is the most recent?", True),
])
def test_recent_asks_for_the_newest_only_of_the_news_itself(question, newest_first):
    assert parse_question(question, AS_OF_FACTS).newest_first is newest_first


def test_the_newest_of_a_thing_asked_for_a_name_ranks_newer_items_higher_without_reordering():
    parsed = parse_question("Who examined the latest American sanctions on Iran?", AS_OF_FACTS)
    assert (parsed.as_of, parsed.newest_first) == ("1987-06-01", False)
    assert any(n.startswith("newer items rank higher, counting back from the archive's newest item")
               for n in parsed.notes), parsed.notes
    # A topic or news asked for the latest still shows the newest first.
    assert parse_question("What is the latest on the sanctions?", AS_OF_FACTS).newest_first


def test_now_that_opens_a_clause_and_asks_for_nothing_newest():
    assert not parse_question("Who is becoming president now that Ely is chairman?", AS_OF_FACTS).newest_first
    assert parse_question("Who is the council's chairman now?", AS_OF_FACTS).newest_first


def test_a_day_the_question_names_may_be_one_a_story_names():
    facts = ArchiveFacts(dates=["2017-06-19", "2017-06-27"], sources=["Iran Focus"], places=["London"])
    q = parse_question("Which news agency carried the June 19th report on the strike?", facts)
    assert (q.filters.date_from, q.filters.date_to) == ("2017-06-19", "2017-06-19")
    undated = without_the_day(q)
    assert undated.filters.date_from is None and undated.filters.date_to is None
    assert undated.notes[-1].startswith("nothing dated 2017-06-19 answers this well")
    assert without_the_day(parse_question("What happened in June 2017?", facts)) is None
    assert names_the_day("According to a June 19th report by Fars news agency", "2017-06-19")
    assert names_the_day("on 19 June it said", "2017-06-19") and names_the_day("Jun. 19, 2017", "2017-06-19")
    assert not names_the_day("a June 1 report", "2017-06-19") and not names_the_day("July 19", "2017-06-19")


def test_a_period_the_question_names_overrides_recency():
    assert parse_question("What did the council decide in March 1987?", AS_OF_FACTS, date_to="1987-12-31").as_of is None
    assert parse_question("latest news in March 1987", AS_OF_FACTS).as_of is None
    # No date asked and no as-of word: recency plays no part; "current" is an adjective here.
    assert parse_question("What was the current account deficit?", AS_OF_FACTS).as_of is None


@pytest.mark.parametrize("question, ordered", [
    ("When did the strike end?", True),
    ("What are the latest developments in the strike?", True),
    ("How has the dispute over the harbour developed?", True),
    ("How did the talks change over the week?", True),
    # A name is no request for an order in time.
    ("Where will the Inter-American Development Bank hold its annual meeting?", False),
    ("Which developed countries signed the accord?", False),
])
def test_questions_that_ask_for_an_order_in_time(question, ordered):
    assert parse_question(question, AS_OF_FACTS).ordered is ordered


@pytest.mark.parametrize("typed, read", [
    ("who bought them back in 79", "who bought them back in 1979"),
    ("sales since '86?", "sales since 1986?"),
    ("the '79 deal", "the 1979 deal"),
    ("sales in 85 and 86?", "sales in 1985 and 86?"),
    # Counts, shares and a possessive stay as typed; so does a year after the archive's newest.
    ("plants in 12 countries", "plants in 12 countries"),
    ("a rate of 85 pct", "a rate of 85 pct"),
    ("Reuters' 12 desks", "Reuters' 12 desks"),
    ("what happened in 99?", "what happened in 99?"),
])
def test_a_year_typed_in_two_digits_is_the_latest_such_year_the_archive_can_hold(typed, read):
    import datetime as dt

    assert years_written_out(typed, dt.date(1987, 10, 20))[0] == read
    assert years_written_out("what happened in 22?", dt.date(2022, 6, 1))[0] == "what happened in 2022?"
    assert years_written_out(typed, None) == (typed, [])

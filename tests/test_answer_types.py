"""The first answer sentence holds what is asked (a name, a number, a date, a place), drawn from
anywhere in the cited item; follow-ups that refer back move on from the previous answer.

Questions written from the texts: the sample archive (qa/demo/iran_focus_2017.txt) and the
Reuters slice (tests/data/reuters21578/reut2-000.sgm), with the real model.
"""
from __future__ import annotations

import re

import pytest

from dateline.qa.answer_type import (DATE, NAME, NUMBER, PERSON, PLACE, REASON, THING, asks_amount, asks_key, key_things, asks_business, asks_given_name, asks_material, object_verb, objects,
                                      asks_label, asks_money, asks_per_share, asks_post, called_by_head, candidates, company_words, counted, description, expected, focus, given_names,
                                      described_things, giving, head, is_topic, labelled_by_head, labels, materials, measured, names, names_a_people, names_exactly, names_no_firm, names_only_companies, NAME_RUN, names_place_or_people,
                                      money, organs, organs_asked, people_of, per_share, post_titles, posts_asked, refers_back, setting, thing_asked, unit_asked, valued)
from dateline.qa.engine import Engine
from dateline.qa.sentence_choice import without_site_name
from dateline.qa.words import ALIKE, stem, stems

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engines(web_data, reuters_data) -> dict[str, Engine]:
    """One engine per archive: "sample" and "reuters"."""
    return {"sample": Engine(web_data), "reuters": Engine(reuters_data)}


@pytest.fixture
def sample(engines):
    return engines["sample"]


@pytest.fixture
def reuters(engines):
    return engines["reuters"]


def first_sentence(answer) -> str:
    """The answer's first quoted sentence, up to its [n]."""
    assert answer.found, answer.answer
    return re.split(r" \[\d+\]", answer.answer, maxsplit=1)[0]


# -- the sample archive -----------------------------------------------------------------------

@pytest.mark.parametrize("question, wanted", [
    # The question's words are all in the sentence before; the name is in the next paragraph.
    ("Which former Italian foreign minister wrote for Fox News?", "Giulio Terzi"),
    ("How many political prisoners were executed in 1988?", "30,000"),
    ("How many members of the European Parliament signed the statement condemning human rights "
     "violations in Iran?", "265 members"),
    ("When will people gather in Paris to support the Iranian Resistance?", "July 1"),
    ("Where will one hundred thousand people gather to support the Iranian Resistance?", "in Paris"),
    ("Where were customers of the Samen-Hujaj financial institution beaten by police?", "in Tehran"),
    # The best-matching sentence ("The annual convention, organised by ...") names no place; the
    # lead before it does.
    ("In which city is the annual convention backing the Iranian Resistance due to take place?", "Paris"),
    # The opening phrase says which item is meant; the lead matches it, the answer the rest.
    ("According to the 20 June piece on Washington's stalled Iran policy, which earlier US president tried "
     "to open a dialogue with Tehran?", "Barack Obama"),
    # The headline that answers names its place without "in": "Iran, Khuzestan Province: ...".
    ("In which Iranian province did people clash with security forces, according to an Iran Focus headline?",
     "Khuzestan Province"),
    # An organisation named in lower case answers "which ministry / government body".
    ("Which government body's role in identifying the targets of the missile attacks on Syria divides "
     "the regime and the IRGC?", "intelligence ministry"),
    # "videotaped" and "depositors" are in no story ("caught on tape", "customers"): rare words the
    # archive lacks, but written in lower case, so not taken for a topic it lacks, and not refused.
    ("Tell me the city where police were videotaped attacking Samen-Hujaj depositors.", "Tehran"),
    # "the number of" members counts them: not "Resolution 188", which labels the measure.
    ("Give the number of members of Congress behind the measure on the 1988 killings of Iranian prisoners.",
     "Forty-Six"),
    ("During what period were the MEK prisoners put to death?", "summer of 1988"),
    # In other words than the story's ("airspace division chief", "the fall of the engines"): the
    # no-answer model is less sure (under 0.5), and the archive answers it.
    ("Who is the Revolutionary Guards aerospace commander that insisted the missile boosters were meant to "
     "come down on Iraqi territory?", "Amir Ali Hajizadeh"),
    # What the key point is: what "The most important difference is ..." says, not the lead that
    # restates the question.
    ("What is the key point of disagreement between regime officials and the IRGC over the missile strike on "
     "Syria?", "role of the regime's intelligence ministry"),
])
def test_sample_first_sentence_answers(sample, question, wanted):
    assert wanted in first_sentence(sample.ask(question))


def test_follow_up_answers_from_the_previous_items(sample):
    first = sample.ask("Which former Italian foreign minister wrote for Fox News?")
    history = [{"question": first.question, "answer": first.to_dict()}]
    follow = sample.ask("Which advisory board is he on?", history=history)
    assert "United against Nuclear Iran’s Advisory Board" in first_sentence(follow)
    assert follow.citations[0].item_id == first.citations[0].item_id


def test_a_follow_up_asking_which_country_he_sat_for_is_answered_by_it(sample):
    first = sample.ask("Who is the European Parliament vice president who warned businesses against investing in Iran?")
    history = [{"question": first.question, "answer": first.to_dict()}]
    follow = sample.ask("Which country did he represent as an MEP?", history=history)
    assert "member of the European Parliament for Poland" in first_sentence(follow), follow.answer


def test_follow_up_moves_on_from_the_quoted_sentence(sample):
    first = sample.ask("Who sponsored a resolution condemning the 1988 massacre?")
    assert first_sentence(first).startswith("Forty-Six US Congressmen")
    history = [{"question": first.question, "answer": first.to_dict()}]
    follow = sample.ask("What is it officially titled?", history=history)
    said = first_sentence(follow)
    assert "Resolution 188 (officially titled" in said and "Forty-Six" not in said
    assert follow.citations[0].item_id == first.citations[0].item_id


def test_a_follow_up_asking_what_post_he_holds_is_answered_by_a_title(sample):
    """"What post does he hold ...?" is answered by a title ("vice president"), not by the
    names the earlier answer's sentence gives."""
    first = sample.ask("Which publication ran Ryszard Czarnecki's op-ed warning businesses against investing in Iran?")
    assert "The Diplomat" in first_sentence(first)
    follow = sample.ask("What post does he hold in the European Parliament?",
                        history=[{"question": first.question, "answer": first.to_dict()}])
    assert first_sentence(follow).startswith("The vice president of the European Parliament")
    assert follow.citations[0].item_id == first.citations[0].item_id


def test_follow_up_with_no_words_of_its_own_reads_on_past_the_quoted_sentence(sample):
    """"Who is he?": the earlier answer quoted the sentence that describes him; the next one names
    him. It used to quote the earlier sentence again."""
    first = sample.ask("Which news outlet did the former Italian foreign minister write his op-ed for?")
    assert first_sentence(first).startswith("The former Italian Foreign Minister wrote an op-ed for Fox News")
    follow = sample.ask("Who is he?", history=[{"question": first.question, "answer": first.to_dict()}])
    assert first_sentence(follow).startswith("Giulio Terzi")
    assert follow.citations[0].item_id == first.citations[0].item_id


def test_a_follow_up_reaches_back_past_a_turn_that_cited_nothing(sample):
    """A refused question in between: "Who reported it?" is about the last answer that cited
    something, and marks the sentence that answer quoted, not its whole excerpt."""
    first = sample.ask("How many political prisoners were executed in 1988?")
    refused = sample.ask("Which team won the football cup final on penalties?")
    assert not refused.found
    history = [{"question": first.question, "answer": first.to_dict()},
               {"question": refused.question, "answer": refused.to_dict()}]
    who = sample.ask("Who reported it?", history=history)
    assert who.answer.startswith("It was reported by Iran Focus")
    assert who.citations[0].item_id == first.citations[0].item_id
    assert who.citations[0].highlight == first.citations[0].highlight != (0, len(first.citations[0].excerpt))



def test_who_wrote_it_names_the_writer_the_story_names_before_the_outlet(sample):
    """"Who wrote it?" of an analysis names the analyst, quoting the sentence that names him;
    "Who reported it?" names the outlet alone, as before."""
    first = sample.ask("Which agreement does the analysis of the new US sanctions on Iran say there is no need to tear up?")
    history = [{"question": first.question, "answer": first.to_dict()}]
    wrote = sample.ask("Who wrote it?", history=history)
    assert first_sentence(wrote).startswith("Heshmat Alavi, a Human Rights Activist")
    assert "It was reported by Iran Focus" in wrote.answer
    assert wrote.citations[0].item_id == first.citations[0].item_id
    assert wrote.citations[0].excerpt.startswith("Heshmat Alavi")
    reported = sample.ask("Who reported it?", history=history)
    assert reported.answer.startswith("It was reported by Iran Focus")

# -- Reuters, 26 Feb - 2 Mar 1987 ---------------------------------------------------------------

def test_a_question_about_the_story_just_cited_is_a_follow_up_without_a_pronoun(reuters):
    """"When is the first aircraft due for delivery?" after the Qantas order: no pronoun, but its
    words are that story's, so it is answered from it (asked alone, it also quotes the MD-11's)."""
    first = reuters.ask("How much is each of the Boeing 747-400s that Qantas ordered costing?")
    history = [{"question": first.question, "answer": first.to_dict()}]
    follow = reuters.ask("When is the first aircraft due for delivery?", history=history)
    assert any(n.startswith("follow-up of") for n in follow.notes)
    assert "due for delivery in April 1989" in first_sentence(follow)
    assert {c.item_id for c in follow.citations} == {first.citations[0].item_id}
    alone = reuters.ask("When is the first aircraft due for delivery?")
    assert len({c.item_id for c in alone.citations}) > 1


def test_who_is_someone_the_archive_names_is_answered_from_the_story_naming_them(reuters):
    """Only one story names Irwin Guttag: the full-text list is too short to stand out and the
    model finds other people's stories closer to "Who is ...?", so it used to be refused. His
    full name's two words stand together in that story, which lifts it (retrieve.PROXIMITY_WEIGHT);
    his surname alone is answered from the items that name it, and the notes say so."""
    for question in ("Who is Irwin Guttag?", "Who is Guttag?"):
        answer = reuters.ask(question)
        assert answer.found and "Irwin Guttag, chairman of the NYSE special surveillance committee" in first_sentence(answer)
    assert any("name Guttag" in n for n in answer.notes)
    # A name does not make the archive answer anything asked about it.
    assert not reuters.ask("What percentage of the vote did Irwin Guttag win in the 1986 election?").found
    # Nor does it answer about another name, or a word, that no story naming it holds.
    assert not reuters.ask("What did Guttag say about Afghanistan?").found
    assert not reuters.ask("What did Irwin Guttag say about bankruptcy?").found


def test_a_follow_up_about_the_company_is_about_the_earlier_answers_company(reuters):
    """"Who is the company's chairman?" names no company: in a conversation it is the one the
    earlier answer cited (asked alone, it finds another company's chairman)."""
    first = reuters.ask("How much does Dean Foods expect its sales to exceed this year?")
    assert "1.4 billion dlrs" in first_sentence(first)
    history = [{"question": first.question, "answer": first.to_dict()}]
    follow = reuters.ask("Who is the company's chairman?", history=history)
    assert "Chairman Kenneth Douglas" in first_sentence(follow)
    assert follow.citations[0].item_id == first.citations[0].item_id
    assert "Douglas" not in first_sentence(reuters.ask("Who is the company's chairman?"))


@pytest.mark.parametrize("question, wanted", [
    # The same item's sentence about the bags still unsold shares "Bahia" and "bags".
    ("How many bags of cocoa arrived in Bahia in the week ended February 22?", "155,221 bags"),
    ("Who was recently elected to the Robeson board?", "Carl Singer"),
    ("Who was elected president of Arvin Industries?", "Evans"),
    ("When was the Iranian operation Karbala-5 launched into Iraq?", "January 9"),
    ("Which countries were named among those producing above their OPEC quota?", "Kuwait"),
    # "What is X called?" is answered by the sentence that gives the name ("the program, called
    # The Health Test"), not by the lead, which says more of the question but names no name.
    ("What is National Health Enhancement Systems' new health evaluation program called?", "The Health Test"),
    ("What will the money management venture of Standard Oil and BP North America be called?",
     "BP/Standard Financial Trading"),
    # A "why" asks for a reason: the sentence that gives one ("because of ..."), not the lead.
    ("Why does the New York Stock Exchange say its review of securities regulation is needed?",
     "because of the rapid changes taking place in the securities industry"),
])
def test_reuters_first_sentence_answers(reuters, question, wanted):
    assert wanted in first_sentence(reuters.ask(question))


# -- the answer type, without the model ---------------------------------------------------------

def test_a_reason_is_a_clause_that_gives_one():
    text = ("Habbel blamed the profit decline on costs for the new Audi 80 model. "
            "Sales fell after the strike. Output rose.")
    assert [text[s:e] for s, e in candidates(REASON, text, set())] == [
        "blamed the profit decline on costs for the new Audi 80 model", "after the strike"]
    # "after" tells what came before more often than why: offered, but not outright.
    assert names_exactly(REASON, text, set()) and not names_exactly(REASON, "Sales fell after the strike.", set())
    # A cause that does something gives one before its verb ("What caused the shutdown?").
    text = "A defective electrical relay caused a feedwater pump to stop, leading to a shutdown, he said."
    assert [text[s:e] for s, e in candidates(REASON, text, set())] == ["A defective electrical relay"]
    assert names_exactly(REASON, text, set())
    # What someone died of is what caused the death (Reuters blind 88).
    text = "Zorinsky, who died of a heart attack last Friday, was a Democrat."
    assert [text[s:e] for s, e in candidates(REASON, text, set())] == ["died of a heart attack last Friday, was a Democrat"]


def test_singular_plural_and_past_meet_at_one_stem():
    for words in [("share", "shares", "sharing"), ("price", "prices", "priced"), ("hope", "hopes", "hoped"),
                  ("execution", "executions", "executed"), ("million", "millions"), ("rate", "rates"),
                  ("company", "companies"), ("country", "countries"), ("apply", "applies", "applied", "applying"),
                  ("loss", "losses"), ("business", "businesses"), ("virus", "viruses"),
                  # a verb in "ee": "which bank is guaranteeing ...?" of "guaranteed by Fuji Bank"
                  ("guarantee", "guaranteed", "guaranteeing"), ("agree", "agreed", "agreeing"), ("see", "seeing")]:
        assert len({stem(w) for w in words}) == 1, words
    # ... and a plural's "ies" does not make "policies" meet "police", nor "parties" "part".
    assert stem("policies") != stem("police") and stem("parties") != stem("part")
    # A person named for what is done to them meets the deed; a committee commits nothing.
    for words in [("retiree", "retirees", "retired", "retire"), ("employee", "employees", "employs", "employed"),
                  ("detainees", "detained"), ("licensee", "licensees", "licensed", "license"),
                  ("franchisee", "franchised")]:
        assert len({stem(w) for w in words}) == 1, words
    assert stem("committee") != stem("committed") and stem("guarantee") == stem("guaranteed")


def test_phrasal_verbs_read_as_their_one_word_deeds():
    from dateline.qa.sentence_choice import WordFinder
    from dateline.qa.words import terms

    assert terms("Who stepped down?") == ["resign"]
    assert terms("How many workers were laid off?") == ["workers", "layoff"]
    assert stem(terms("the layoffs")[0]) == stem(terms("were laid off")[0])
    assert terms("When will Macao go back to Chinese rule?") == ["macao", "return", "chinese", "rule"]
    assert terms("How many companies went bust?") == ["companies", "bankrupt"]
    assert terms("What did British Telecom hand over to Mitel?") == ["british", "telecom", "transfer", "mitel"]
    assert terms("What did Bausch and Lomb bring out in December?") == ["bausch", "lomb", "introduce", "december"]
    # "come into force" keeps its words and says "take effect" too: a story may say either.
    assert terms("When do the cuts come into force?") == ["cuts", "come", "force", "effect"]
    # "take over from" says succeed ("Pearson succeeds William Lyon"); "take over" alone does not
    assert terms("Who is he taking over from?") == ["replace"]
    assert stem("replace") in ALIKE[stem("succeeds")]
    assert terms("Who took over the company?") == ["took", "company"]
    finder = WordFinder(set(stems("Who stepped down?")))
    body = "Smith resigned. Jones stepped down as chairman; the stock stepped up, down 2 pct."
    assert [(body[at:at + 6], st) for at, st in finder.find(body)] == [("resign", "resign"), ("steppe", "resign")]


def test_british_and_american_spellings_meet():
    from dateline.qa.words import other_spelling

    for words in [("criticised", "criticized", "criticise", "criticizing"), ("organisation", "organizations"),
                  ("analysed", "analyzed", "analyse")]:
        assert len({stem(w) for w in words}) == 1, words
    assert [other_spelling(w) for w in ("destabilizing", "analysed", "organisations", "rise", "business")] == [
        "destabilising", "analyzed", "organizations", None, None]


def test_a_plural_in_ies_is_found_for_its_singular_and_the_reverse():
    from dateline.qa.sentence_choice import WordFinder

    finder = WordFinder(set(stems("Which companies reported a loss?")))
    body = "The company said its losses widened; the companion firm's policy on losses was unchanged."
    assert [w for _, w in finder._words(body) if stem(w.lower()) in finder.qstems] == ["company", "losses", "losses"]
    assert [st for _, st in finder.find(body)] == ["company", "loss", "loss"]
    finder = WordFinder(set(stems("Who criticized the organization?")))
    body = "Critics of the organisation criticised it; the organic farm criticizes nothing."
    assert [w for _, w in finder.find(body)] == [stem("organization"), stem("criticized"), stem("criticized")]


@pytest.mark.parametrize("question, kind", [
    ("Which former Italian foreign minister wrote for Fox News?", PERSON),
    ("Who sponsored the resolution?", PERSON),
    ("How many bags arrived?", NUMBER),
    ("What strikes took place?", NAME),  # "took place" says "happened": no place is asked
    ("Where did the talks take place?", PLACE),
    ("What percentage of adults disapprove?", NUMBER),
    ("When did the offensive end?", DATE),
    ("To what point in time does the Central Bank's 110.6 billion dlr debt figure refer?", DATE),
    # A name of up to five words may stand before the person's noun; a company is no person.
    ("Which Goldman Sachs International Corp executive denied the rumours?", PERSON),
    ("Which American Soybean Association vice president threatened a complaint?", PERSON),
    ("Which U.S. company built the people-mover system?", NAME),
    ("Which newspaper quoted U.S. officials as saying Kuwait may re-register its tankers?", NAME),
    ("Which unnamed official said so?", PERSON),
    ("With whom did Tround International Inc sign a joint agreement?", NAME),  # a firm as often as a person
    # An owner or a buyer is as often a company as a person; a post is a person's.
    ("Who agreed to buy half of Security Pacific's Japanese finance subsidiary?", NAME),
    ("Who controls Hong Kong's Cathay Pacific Airways?", NAME),
    ("Who is the majority shareholder of Cathay Pacific Airways?", NAME),
    ("Who took over as chairman of NL Industries after Theodore Rogers resigned?", PERSON),
    ("Why did Audi's profit fall?", REASON),
    ("What caused the drop in output?", REASON),
    ("In what year was it founded?", DATE),
    ("What is the payment date of Bull's bond issue?", DATE),
    ("What were last year's sales of Dunn Paper?", NUMBER),
    ("Since what year has General Motors' executive bonus plan been in effect?", DATE),  # no "general"
    ("Name the Marine sergeant arrested in California as the third suspect.", PERSON),
    ("Identify the company that agreed to buy Spirit Airlines.", NAME),
    ("At what site in South Korea will KEPCO's new nuclear plants go up?", PLACE),
    ("From which airport will the cargo service operate?", PLACE),
    ("In which company did the fund invest?", NAME),
    ("In which outlet did Ivan Sheehan publish his op-ed?", NAME),
    ("How large is the credit facility Elders arranged?", NUMBER),
    ("Where will they gather?", PLACE),
    ("Which US national park was flooded this week?", PLACE),
    ("Police arrested 31 men this week. Which group are they from?", NAME),
    # "What is ... called?" asks for a name however long it describes the thing.
    ("What is the hospital purchasing system built by Baxter Travenol, GE Information Services and Premier "
     "Hospital Alliance called?", NAME),
    # The first asking word decides; one opening a relative clause after a comma counts only
    # when nothing else asks, or when the comma ends an opening phrase.
    ("Who is proposed to become chairman of British and Commonwealth Shipping when Lord Cayzer retires?", PERSON),
    ("Which company operates Norway's Oseberg oil field, where test output fell sharply?", NAME),
    ("Olivia Newton-John, who died this week aged 73, was beaten in the Eurovision Song Contest by which act?", NAME),
    ("Ukrainians celebrated Independence Day, which marks the day the country split from the Soviet Union in "
     "which year?", DATE),
    ("According to the report, who resigned when the scandal broke?", PERSON),
    ("As temperatures hit record highs this week, where was the hottest temperature recorded?", PLACE),
    # A clause of time opening the question sets the scene; "When will ...?" asks.
    ("When Data General unveiled its new products, which artificial intelligence company did it team with?", NAME),
    ("When will the coffee quota talks resume, delegates asked?", DATE),
    # ... and so does one after an opening "what": it asks what, not when.
    ("What were the Samen-Hujaj customers trying to do when the police attacked them?", None),
    ("What time did the rocket lift off when it was launched?", DATE),
    ("When exactly did Rolm, which IBM bought, open its plant?", DATE),
    ("To which Kenyan town does the ferry from Jinja run, whose breakdown delayed exports?", PLACE),
    ("In what year did Texaco, which filed for bankruptcy, settle?", DATE),
    # A name or a title is asked for; "call attention to" asks for none.
    ("What is the title of economist Ravi Batra's best-selling book?", NAME),
    ("What is Northwest Airlines calling its cut-price fares to Hawaii?", NAME),
    ("Under what name does Genentech hope to market its heart drug?", NAME),
    ("What are the activists trying to call attention to?", None),
    ("The IRS announced it will do what this week?", None),
    ("Why did cities cancel their fireworks?", REASON),  # a clause that gives a reason
    # A noun made an adjective by a participle names no kind: a "state-controlled bank" is no
    # place; a "president-elect" is still a person.
    ("Which state-controlled bank is La Caja Obrera merging with?", NAME),
    ("Which state-run company bought it?", NAME),
    ("Which president-elect spoke?", PERSON),
    # Nor does a noun another noun follows: a "state company" is no place, a "state official" a person.
    ("Which state company would trade that oil?", NAME),
    ("Which state official announced the decision?", PERSON),
    ("Which Hong Kong tycoon is buying into Kumagai Gumi's Hong Kong subsidiary?", PERSON),
    ("What stake did Malaysia's central bank take in United Asian Bank?", NUMBER),
    ("What level did Switzerland's consumer price index reach in March?", NUMBER),
    # "What's" is "what is"; a dotted abbreviation is one word before the noun asked about.
    ("What's his name?", PERSON),
    ("What did Royal Bank of Canada's non-accrual loans total at April 30, 1987?", NUMBER),
    ("What will the new plant cost?", NUMBER),
    ("What did the cost cuts achieve?", None),
    ("What post does he hold in the European Parliament?", NAME),
    ("What is Giulio Terzi's position?", NAME),
    ("What is its name?", NAME),
    ("What's the deadline for bids?", DATE),
    ("Which U.S. fusion researcher estimated the cost of a plant?", PERSON),
    ("Which U.K. city will host the talks?", PLACE),
    ("What happened in Tehran?", None),
    # An occasion after "at / in which" is no place; a city or a plant is.
    ("Broadway's biggest stars were recognized this week at which prestigious awards show?", NAME),
    ("At what meeting did OPEC agree to cut output?", NAME),
    ("In which city will the talks be held?", PLACE),
    ("At which plant will the cuts fall?", PLACE),
    # A topic statement asks for nothing: its "which" opens a clause (a TIME query).
    ("U.S. POLICY TOWARD THE NEW REGIME IN SOUTH VIET NAM WHICH OVERTHREW PRESIDENT DIEM .", None),
    # A question in keywords asks what its last noun names, before the time it is asked of.
    ("Alitalia 1986 net profit?", NUMBER),
    ("And the group's total sales that year?", NUMBER),
    ("Prudential Corp group chief executive?", PERSON),
    ("China fifth securities market opening date?", DATE),
    ("Gobadi NCRI committee?", None),
    ("chemlawn deadline for bids?", DATE),  # its last noun that names a kind
    ("Penril new boss?", PERSON),
    ("LSI Logic new semi-custom chip name?", NAME),
    ("Which ex-diplomat now at CSIS urged mining Iran's ports?", PERSON),  # a former diplomat
    ("What must institutional investors buy to invest further?", None),  # no name: "must" asks
    ("Did the Reserve Bank say when the higher ratio takes effect?", DATE),
    # Typed in a hurry: "whats", "whos" ask as "what's" and "who's" do.
    ("whats the new name coopervision wants shareholders to approve", NAME),
    ("whos the chairman of the australian wheat board", PERSON),
    # A person's noun after a number's makes a person: a "debt negotiator" is no figure.
    ("Which senior Brazilian debt negotiator offered to quit his Central Bank post?", PERSON),
    ("Which debt collector called?", NAME),
    ("Which debt analyst said so?", PERSON),
    # A role a company fills as often as a person asks for any name.
    ("Who is its lead underwriter?", NAME),
    ("Who were the targets of the missiles?", NAME),
    ("Who is the general manager of Xiamen International Bank?", PERSON),
    # "What kind of ...?" asks for a thing described in lower case.
    ("What kind of magazine is Harrowsmith?", THING),
    ("What sort of world would it help build?", THING),
    # A period is a date's; a request without "me" frames the question as one with it does.
    ("During what period were the MEK prisoners put to death?", DATE),
    ("Give the number of members of Congress behind the measure.", NUMBER),
])
def test_expected_kind(question, kind):
    assert expected(question) == kind


def test_setting_holds_the_words_that_say_which_story_is_meant():
    assert setting("Where will Citroen keep producing the 2-CV once it closes its Levallois plant?") == \
        stems("closes Levallois plant")
    assert setting("According to the 20 June piece on Iran policy, which US president tried dialogue?") == \
        stems("according 20 June piece Iran policy")
    # A word the question also asks with is not scene: "Iran" stays.
    assert "iran" not in setting("According to the piece on Iran policy, who visited Iran?")
    assert setting("What were the sales of Dunn Paper, the subsidiary Dennison is selling?") == \
        stems("the subsidiary Dennison is selling")
    assert setting("When did Boeing acknowledge the faulty repairs?") == frozenset()


def test_candidates_leave_out_the_question_and_its_description():
    q = "Which former Italian foreign minister wrote for Fox News?"
    text = ("The former Italian Foreign Minister wrote an op-ed for Fox News against the Iranian Regime. "
            "UK Prime Minister Boris Johnson and Giulio Terzi, a member of the Advisory Board, wrote on Feb 26 of 155,221 bags.")
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(q))] == ["UK Prime Minister Boris Johnson",
                                                                          "Giulio Terzi"]
    assert [text[s:e] for s, e in candidates(DATE, text, stems(q))] == ["Feb 26"]
    assert [text[s:e] for s, e in candidates(NUMBER, text, stems(q))] == ["155,221"]  # "26" is a day
    assert focus(q) == stems("former Italian foreign minister")


def test_a_request_is_described_by_its_noun_not_by_the_word_that_asks():
    # "Please name the bank ..." describes a bank: "name" is how it asks, and would otherwise meet
    # the "named" of any appointment. "Which name ..." asks for a name.
    assert focus("Please name the bank that cut its prime rate.") == stems("bank")
    assert focus("Identify the company that bought Spartech.") == stems("company")
    assert focus("Which name did the company take?") == stems("name")


@pytest.mark.parametrize("question, noun", [
    ("Which Ivy League school announced it will end student loans?", "school"),
    ("After 60 years, which popular beverage is getting a new bottle?", "beverage"),
    ("Which company's stock became cheaper after a split?", "company"),
    ("Which Nixdorf executive spoke about the company's U.S. growth plans?", "executive"),
    ("Which Japanese car maker plans a new plant?", "maker"),
    ("Which bank is the lead manager of the loan?", "bank"),
    # A dotted abbreviation is one word of the phrase.
    ("Which U.S. company holds a 17 pct stake in TMOC Resources?", "company"),
    ("What's the company's stake in the venture?", "stake"),
    # An adverb is no noun, and "publicly held" describes the noun after it.
    ("Which company recently announced a merger?", "company"),
    ("Which new publicly held company is Cominco setting up?", "company"),
    ("Which Japanese daily reported the talks?", "daily"),
    # The noun asked about is the verb's object, not its subject: a sentence calling its
    # subject "the company" may well name the one asked.
    ("Which company will it buy shares from?", None),
    ("Which bank is Mannesmann buying?", None),
    ("Which menu item did the chain roll out?", None),
    # "which Sanwa Bank is buying" opens a clause: no noun of its own.
    ("Where is the bank in which Sanwa Bank is buying a stake?", None),
])
def test_the_noun_a_which_question_asks_about(question, noun):
    assert head(question) == (stem(noun) if noun else None)


def test_a_sentence_calling_what_is_asked_by_its_noun_names_none_of_it():
    def refers(question: str, text: str) -> bool:
        asked = stems(question) - {head(question)}
        return refers_back(text, head(question), candidates(expected(question), text, asked))

    school = "Which university announced it will end student loans?"
    assert refers(school, "The plan is part of the university's “Lead On” campaign, the school said.")
    assert refers("Which singer will open a residency in Las Vegas?",
                  "After a delay in January, the singer announced her new dates with Tom Ford.")
    assert refers("Which drink will come in clear bottles?", "Other drinks, such as Lemon Fizz, will follow.")
    # A name before the noun, in it or beside it names the thing: no reference back.
    assert not refers(school, "Harvard said the university will end loans.")
    assert not refers(school, "The Boston University plan ends loans.")
    assert not refers(school, "The university, Dartmouth College, ends loans.")
    assert not refers("Which company takes part in the talks?",
                      "The five companies, Alpha Corp, Beta Oy and Gamma AB, take part.")
    # A source reporting what the sentence says may name the answer in it.
    assert not refers("Which utility runs the Nine Mile reactor?",
                      "The utility said the reactor's operator, Niagara Mohawk Power Corp, must test a valve.")


@pytest.mark.parametrize("question, unnamed", [
    # The slice holds no story of Lufthansa's or Zenith's: the answer quotes other companies'.
    ("What net profit did Lufthansa earn in 1986?", "Lufthansa"),
    ("Who is the chief executive of Zenith Laboratories?", "Zenith Laboratories"),
])
def test_an_answer_says_when_its_first_story_does_not_name_what_the_question_names(reuters, question, unnamed):
    a = reuters.ask(question)
    assert f"the story quoted first does not name {unnamed}" in a.notes, (a.answer, a.notes)


@pytest.mark.parametrize("question", ["How much did Coleco lose in 1986?",
                                      # a place, a people and an acronym may be written otherwise
                                      "Which Japanese agency said consumer prices fell in January?"])
def test_an_answer_from_a_story_that_names_what_is_asked_says_nothing_of_the_kind(reuters, question):
    a = reuters.ask(question)
    assert a.found and not any("does not name" in n or "does not mention" in n for n in a.notes), (a.answer, a.notes)


@pytest.mark.parametrize("question, unmentioned", [
    # The slice's Texaco Canada story is about crude prices, not 1984's results.
    ("What was Texaco Canada's net income in 1984?", "1984"),
    # Coleco's story gives the year's loss and 1987's outlook, no quarter's figures.
    ("What were Coleco's sales in the first quarter?", "the first quarter"),
])
def test_an_answer_says_when_its_first_story_does_not_mention_the_period_asked(reuters, question, unmentioned):
    a = reuters.ask(question)
    assert a.found and f"the story quoted first does not mention {unmentioned}" in a.notes, (a.answer, a.notes)


def test_a_which_question_is_answered_by_the_sentence_that_names_the_answer(reuters):
    # "The company, whose stock has traded on the American Stock Exchange since November 1984,
    # said it will retain its symbol, LBC, ..." holds the question but names no company; the lead
    # names Landmark Bancshares.
    a = reuters.ask("Which company will keep its LBC symbol when trading begins on the Big Board?")
    assert "Landmark Bancshares" in first_sentence(a)
    b = reuters.ask("Which company won a bid to buy the Quebec government's stake in Donohue?")
    assert "Quebecor" in first_sentence(b)


@pytest.mark.parametrize("text, topic", [
    ("KENNEDY ADMINISTRATION PRESSURE ON NGO DINH DIEM TO STOP SUPPRESSING THE BUDDHISTS .", True),
    ("Senators introduce export licensing reform bill", True),
    ("oil prices", True),
    ("Who sponsored the resolution", False),
    ("tell me about the Panama Canal", False),
    ("And what did Shultz say", False),
    ("Panama Canal ships waiting?", False),
    ("Identify the company that agreed to buy Spirit Airlines.", False),
    # Asking after an opening phrase, in a last sentence, or "how many" anywhere, without a "?".
    ("According to the report, who sponsored the resolution", False),
    ("In 1987, how many ships were waiting at the Panama Canal", False),
    ("Police arrested 31 men this week. Which group is behind it", False),
    # Typed in a hurry: the asking word after a dash, a colon or a comma, or last of all.
    ("gulf canada illegal dumping charges - which sea was the drilling site in", False),
    ("klm taking full control of xp courier, where is xp based", False),
    ("union carbide 350 mln dlr senior sub notes, which firm was manager", False),
    ("coca-cola bottling unit price fixing probe, grand jury sitting where", False),
    ("yugoslav govt wage freeze law in force till when", False),
    ("sea containers president who expects a q1 loss of about 12 mln dlrs", False),  # who holds the post
    ("farmers who lost land in the drought", True),
    # A topic's relative clause asks nothing (TIME's topic statements).
    ("KING WHO SIGNED AWAY HIS POWER OF STATE GIVING FREE REIN TO HIS HALF-BROTHER FEISAL'S REFORM RULE .", True),
    ("THE FEDERATION OF MALAYSIA, WHICH WOULD UNITE FIVE TERRITORIES .", True),
    ("THE FUTURE OF WEST IRIAN, WHICH HAS BEEN UNDER UNITED NATIONS ADMINISTRATION .", True),
    ("A HINT BY PREMIER KHRUSHCHEV, WHO IS BOTH THE COMMUNIST PARTY LEADER AND PREMIER", True),
    ("U.S. POLICY TOWARD THE NEW REGIME IN SOUTH VIET NAM WHICH OVERTHREW PRESIDENT DIEM", True),
])
def test_topic_or_question(text, topic):
    assert is_topic(text) == topic


@pytest.mark.parametrize("text, kind", [
    ("rainbow corp chairman accusing brierley of trying to wreck the merger - who", PERSON),
    ("klm taking full control of xp courier, where is xp based", PLACE),
    ("yugoslav govt wage freeze law in force till when", DATE),
    ("sea containers president who expects a q1 loss of about 12 mln dlrs", PERSON),
    ("name of jefferies group's lawyer commenting after boyd jefferies quit", NAME),
    ("ameritrust annual meeting date for 2-for-1 split vote", DATE),
])
def test_a_hurried_question_asks_for_the_kind_its_late_asking_word_says(text, kind):
    assert expected(text) == kind


@pytest.mark.parametrize("text, kind", [
    # As people talk to a chat assistant: a greeting or an aside, then a request around the question.
    ("I'm trying to remember which company California Microwave is setting aside a reserve in.", NAME),
    ("Remind me when the Collins Foods warrants were originally supposed to expire.", DATE),
    ("Remind me of the deadline Guy Verhofstadt gave Britain and West Germany.", DATE),
    ("Give me the figure for the price of Jaguar's Vanden Plas sedan.", NUMBER),
    ("I need the name of the bank that put up the financing for Metro Cable.", NAME),
    ("Hi, quick one: tell me what Gould's new family of mini supercomputers is called.", NAME),
    ("Sorry, one more: when does Fiduciary Trust's stock split take effect?", DATE),
    ("Could you look up where the major Piedmont hub is?", PLACE),
    # A request for an overview asks for no kind.
    ("Tell me about the Panama Canal", None),
    ("Hi, can you tell me about the Texaco bankruptcy?", None),
])
def test_a_request_asks_for_what_the_question_inside_it_asks(text, kind):
    assert expected(text) == kind
    assert not is_topic(text)


def test_a_hurried_question_s_words_before_its_asking_comma_set_the_scene():
    assert {"klm", "courier"} <= setting("klm taking full control of xp courier, where is xp based")
    assert not {"xp", "bas"} & setting("klm taking full control of xp courier, where is xp based")


def test_weather_satellite_hurried_question_is_answered_by_the_sentence_that_tells_when(reuters):
    # Read as a topic, the question was answered by the story's lead ("blasted off here today").
    a = reuters.ask("weather satellite launch, rocket lifted off when")
    assert "1805 local time" in first_sentence(a)


def test_a_topic_cites_its_most_relevant_stories_in_the_order_search_ranks_them(reuters):
    # A topic has no answering sentence to look for: the best match leads, as in a search.
    for topic in ["cocoa exports", "oil prices OPEC output", "grain shipments to the Soviet Union"]:
        a = reuters.ask(topic, top_k=10)
        ranked = [p.item.id for p in reuters.retriever().search(topic, k=10).passages]
        ranked = list(dict.fromkeys(ranked))
        cited = [c.item_id for c in a.citations]
        shown = cited + [r.item_id for r in a.related]
        # The stories that name a word of the topic are cited in rank order; the others are related.
        assert len(cited) >= 5 and cited == [i for i in ranked if i in cited], topic
        assert sorted(shown) == sorted(ranked[:len(shown)]), topic
        assert len(a.answer.splitlines()) == len(a.citations), a.answer  # one line a story


def test_a_later_sentence_naming_the_place_answers_for_the_lead(reuters):
    # The lead states the eurobond's terms; only the next sentence says where it is listed.
    said = first_sentence(reuters.ask("Where will the CAECL 12 billion yen eurobond be listed?"))
    assert "listed in Luxembourg" in said


def test_a_person_named_like_the_questions_company_is_no_name_of_its_own():
    q = "Who is the president of chewing gum maker Wm. Wrigley Jr Co?"
    assert company_words(q) == stems("Wrigley Jr Co")
    text = "Wm. Wrigley Jr Co expects higher spending, President William Wrigley told the annual meeting."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(q) - company_words(q))] == ["President William Wrigley"]
    # A name the question gives a person stays its own: "John Geiger" does not answer who succeeded him.
    succeeded = "Who succeeded John Geiger at Flight Dynamics Inc?"
    assert stem("geiger") not in company_words(succeeded)
    assert company_words("Who founded Rolm?") == frozenset()
    # A name a firm's ending follows is a firm's (Reuters blind 89: David D. Halbert heads Summit
    # after its sale to Halbert and Associates).
    assert stem("halbert") in company_words("Who became chairman of Summit after its sale to Halbert and Associates?")
    assert company_words("WHO IS THE PRESIDENT OF WM. WRIGLEY JR CO?") == frozenset()  # in capitals: one run


def test_the_questions_company_named_in_its_own_words_answers_no_person_question():
    # Reuters blind 76: "National Amusements" is the company asked about, not who controls it.
    q = "Who controls National Amusements Inc, the theater chain bidding for Viacom?"
    companies = company_words(q)
    text = "The source said National Amusements, controlled by investor Sumner Redstone, would need half a year."
    offered = [text[s:e] for s, e in candidates(PERSON, text, stems(q) - companies)
               if not names_only_companies(text[s:e], companies)]
    assert offered == ["Sumner Redstone"]
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(q) - companies)] == ["National Amusements",
                                                                                     "Sumner Redstone"]
    # A person who shares a word of the company's name is still a person.
    wrigley = company_words("Who is the president of chewing gum maker Wm. Wrigley Jr Co?")
    assert not names_only_companies("President William Wrigley", wrigley)


def test_a_people_with_no_place_in_its_name_names_no_person():
    # Reuters blind 76: "Gulf Arab states" offered "Gulf Arab" for who chaired the meeting.
    assert names_a_people("Arab")
    text = "Deputy oil ministers from six Gulf Arab states will meet in Bahrain today."
    assert candidates(PERSON, text, stems("Who chaired the Gulf Co-operation Council meeting?")) == []


def test_a_name_given_after_a_naming_word_or_in_quotation_marks_answers_what_a_thing_is_called():
    assert asks_given_name("What is the truck oil change service launched by Kendall Refining called?")
    assert asks_given_name("What is the name of the field Chevron found oil in?")
    assert asks_given_name("Under what brand name will Burroughs Wellcome sell AZT?")
    assert not asks_given_name("Which company will Chevron buy?")
    amr = "What is the name of the new money management unit set up by American Airlines' parent AMR?"
    text = "AMR Corp said it has formed a new unit named AMR Investment Services to manage funds."
    # The question's "AMR" in the name does not make the name the question's own.
    assert [text[s:e] for s, e in given_names(text, stems(amr))] == ["AMR Investment Services"]
    assert candidates(NAME, text, stems(amr)) == []
    fares = 'The service, named "Lei-zy Day Fares," will have roundtrip airfares as low as 518 dlrs.'
    assert [fares[s:e] for s, e in given_names(fares, frozenset())] == ["Lei-zy Day Fares"]
    # Quotation marks alone give no name: they hold titles and slogans as often.
    assert given_names('The extra-long "Better Call Saul" series finale premiered Monday.', frozenset()) == []
    # "What will ... call ...?" asks for a name; "What did he call for?" does not.
    assert asks_given_name("What will Armco and Stelco call their new joint venture?")
    assert expected("What will Armco and Stelco call their new joint venture?") == NAME
    assert not asks_given_name("What did the minister call for?")
    # A post after "named" is no name given; nor is a quotation that says more than a name.
    assert given_names("Louis Garbrecht Jr was named chairman of the venture.", frozenset()) == []
    assert given_names("He was named President of Icotron.", frozenset()) == []
    assert given_names('"We Expect Growth this year," Smith said.', frozenset()) == []
    # A version's number goes with the name it gives, though its word is the question's.
    text = "Activision has released a new version of Paintworks Plus, called Version 1.01."
    assert [text[s:e] for s, e in given_names(text, stems("What is the new version called?"))] == ["Version 1.01"]


def test_a_title_in_single_quotes_is_one_name_and_a_possessive_keeps_its_apostrophe():
    # Headlines quote titles in single quotes: the title is the name to offer, without the quote.
    show = "Which wildly popular show was recently green lit for a new season?"
    text = "'Squid Game' season 2 is coming to Netflix"
    assert [text[s:e] for s, e in candidates(NAME, text, stems(show))] == ["Squid Game", "Netflix"]
    text = "Netflix renewed \u2018The Crown\u2019 and 'Squid Game' on Friday."
    assert names(text) == ["The Crown", "Squid Game"]
    # An apostrophe inside a name, or a plural's possessive, stays; none starts a name.
    assert names("Giscard d'Estaing met O'Neill at Pay 'N Pak.") == ["O'Neill"]
    assert names("Which firm leads Fisons' placing?") == ["Fisons'"]


def test_a_name_holding_the_questions_description_of_the_answer_answers_it():
    q = "Which well-known pizza chain has been forced to pull out of Italy?"
    assert description(q) == {"well-known", "pizza", "chain"}
    text = "Domino's Pizza has been forced to pull out of the home of the pizza."
    assert [text[s:e] for s, e in candidates(NAME, text, stems(q), description(q))] == ["Domino's Pizza"]
    # Without the description it is the question's own, as is a name made of its words alone.
    assert candidates(NAME, text, stems(q)) == []
    assert candidates(NAME, "Pizza Italy is closing.", stems(q), description(q)) == []
    assert description("Which Ivy League school announced it would drop the SAT?") == {"ivy", "leagu", "school"}
    assert description("Who won?") == frozenset()


def test_a_thing_named_after_someone_names_no_person():
    # "Who won the Hart Trophy?": the Ted Lindsay Award is no winner; the winner named beside it is.
    q = "Who won the NHL's Hart Trophy, given to the player voted the league's MVP?"
    text = "He picked up his first Hart Trophy as 2022 MVP, plus the Ted Lindsay Award as most outstanding player."
    assert candidates(PERSON, text, stems(q)) == []
    text = "Auston Matthews collected the Ted Lindsay Award at the Tampa ceremony, and the Hart Trophy too."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(q))] == ["Auston Matthews"]
    # Surnames that are also such nouns stay people's names.
    text = "The game show host Monty Hall said so, and so did Picabo Street and Senator John Tower."
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["Monty Hall", "Picabo Street",
                                                                             "Senator John Tower"]


def test_dotted_abbreviations_organisations_and_a_firm_after_of_are_read_as_one_name():
    # "U.K." is one word, no initial: "K. Investigation" was read as a person.
    text = 'Saunders dismissed allegations in the early stages of a U.K. Investigation, the Press Association reported.'
    assert candidates(PERSON, text, stems("Who accused Ernest Saunders?")) == []
    text = "MidCon said O.C. Davis will remain chairman."
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["O.C. Davis"]
    # A court the question names is still no person; a post at a bank still is one.
    official = "Which federal official is asking an Ontario court to force a shareholder vote on Southam's share swap?"
    lead = "Southam Inc said a Canadian government official asked the Ontario Supreme Court to order a vote."
    assert candidates(PERSON, lead, stems(official)) == []
    governor = "Who is the governor of Taiwan's central bank?"
    text = "Central Bank Governor Chang Chi-cheng told reporters the reserves totalled 69 billion U.S. Dlrs."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(governor))] == ["Central Bank Governor Chang Chi-cheng"]
    # The question's person "of" a firm: the firm is a name to offer, a town is not.
    firm = "Which U.S. law firm does Arther Mitchell work for?"
    text = "Japan's investment is put at six billion dlrs, Arther Mitchell of Coudert Brothers, a U.S. law firm, said."
    assert [text[s:e] for s, e in candidates(NAME, text, stems(firm))] == ["Japan's", "Coudert Brothers"]
    owner = "Which company owns Moss Rosenberg Verft?"
    assert candidates(NAME, "Moss Rosenberg Verft of Stavanger won a contract.", stems(owner)) == []
    # ... and what follows the question's own name's possessive.
    mission = "NASA is scheduled to launch a historic mission this month. What is the mission called?"
    text = "(CNN) NASA's Artemis I rocket is scheduled to launch on a historic mission later this month."
    assert [text[s:e] for s, e in candidates(NAME, text, stems(mission))] == ["CNN", "Artemis I"]
    # A Nordic company's "A/S" is part of its name, which is no person's.
    text = "Norway's state oil company Den Norske Stats Oljeselskap A/S (Statoil) said it was interested."
    assert candidates(PERSON, text, stems("Who spoke for Statoil?")) == []


def test_a_question_asking_which_business_is_answered_by_no_place_or_people():
    assert asks_business("Which firm will manage the Malaysian Fund?")
    assert asks_business("Which state-controlled bank is La Caja Obrera merging with?")  # asked as the object too
    assert not asks_business("Which singer won the award?")
    # A country as news abbreviates it is none either: "the U.K.'s state-owned car maker".
    assert names_place_or_people("U.K.'s") and names_place_or_people("U.S.") and not names_place_or_people("U.S. Steel")
    # A union, an agency or a paper is no place either: "Which union are the striking locals part of?"
    assert asks_business("Which union are the striking locals part of?")
    assert asks_business("Which Italian paper reported the purchase?")
    assert names_place_or_people("California") and names_place_or_people("United States")
    assert names_place_or_people("Norwegian")
    assert names_a_people("Japanese") and names_a_people("Swiss") and not names_a_people("Canada's")
    # A people named by its country's whole name and "an" or "n": "the last entirely private
    # Uruguayan bank" names no bank for "Which state-controlled bank ...?".
    assert names_a_people("Uruguayan") and names_a_people("Nicaraguan") and names_a_people("Libyan")
    assert not names_a_people("Jordan") and not names_a_people("Milan") and not names_a_people("Norman")
    text = "The last entirely private Uruguayan bank, La Caja Obrera, will merge with the Banco Pan de Azucar."
    q = "Which state-controlled bank is La Caja Obrera merging with?"
    business = [text[s:e] for s, e in candidates(NAME, text, stems(q)) if not names_place_or_people(text[s:e])]
    assert business == ["Banco Pan de Azucar"]
    assert not names_place_or_people("Texas Instruments") and not names_place_or_people("Japan Air Lines")


def test_a_question_asking_what_post_someone_holds_is_answered_by_a_title():
    assert asks_post("What post does he hold in the European Parliament?")
    assert asks_post("What's Giulio Terzi's position?") and asks_post("What job did she take?")
    assert not asks_post("What is the company's position on the bid?") and not asks_post("What office did police raid?")
    text = "The vice president of the European Parliament said so; Foreign Minister Giulio Terzi, a board member, agreed."
    assert [text[s:e] for s, e in post_titles(text, stems("What post does he hold in the European Parliament?"))] == [
        "vice president", "Foreign Minister", "member"]


def test_a_known_place_of_two_words_is_no_persons_name():
    text = "About 80 pct of the surplus will come from trade with the United States, Hong Kong and South Korea."
    assert candidates(PERSON, text, frozenset()) == []
    text = "New York and San Francisco dealers said so."  # cities of two words, places.CITIES
    assert candidates(PERSON, text, frozenset()) == []
    text = "New York Governor Mario Cuomo said so."
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["New York Governor Mario Cuomo"]
    # Regions of two words (places.REGIONS): "Who chairs the Pacific Stock Exchange?" is not
    # answered by a trip "to explore links with other Pacific Rim exchanges ... in the Far East".
    text = "The trip explored links with other Pacific Rim exchanges and markets in the Far East and Western Europe."
    assert candidates(PERSON, text, frozenset()) == []
    text = "It would end its listing on the New York NASDAQ system."  # a city's name and an exchange's
    assert candidates(PERSON, text, frozenset()) == []
    # A plural noun of the trade opening a sentence names nothing: "Which firm will handle ...?"
    text = "Proceeds and expenses from the offering are for the account of the selling shareholders."
    assert candidates(NAME, text, frozenset()) == []


def test_a_military_rank_is_a_title_not_a_persons_name():
    text = "a third Marine, Staff Sgt. Robert Stufflebeam, was charged, and Lt. Col. Oliver North testified"
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["Robert Stufflebeam", "Oliver North"]


def test_a_names_particles_join_its_words_and_name_is_no_word_of_what_is_asked():
    from dateline.qa.answer_type import asking_words

    text = ("Philips chairman Cor van der Klugt met Miguel de la Madrid; Van der Klugt and Charles de Gaulle "
            "did not.")
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == [
        "Cor van der Klugt", "Miguel de la Madrid", "Van der Klugt", "Charles de Gaulle"]
    # "Who did Moi name foreign minister?": "President Daniel arap Moi" is the question's own name.
    text = "President Daniel arap Moi replaced his foreign minister."
    assert candidates(PERSON, text, stems("Who did Moi name foreign minister?")) == []
    # "name" is how these ask for a person, not what they are about ...
    assert asking_words("What's his name?") == asking_words("Name the Marine sergeant arrested.") == {"nam"}
    # ... but a name given may follow "named", and an appointment is the question's own word.
    assert asking_words("What is the name of the new holding company?") == frozenset()
    assert asking_words("Who has Spartech named as its president?") == frozenset()


def test_names_that_start_with_a_capital_beyond_ascii_are_names():
    from dateline.qa.follow_up import _names_something
    from dateline.qa.sentences import sentences

    text = "Foreign Minister Mevlüt Çavuşoğlu met Élisabeth Borne in Paris. Łukasz Kowalski did not."
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == [
        "Foreign Minister Mevlüt Çavuşoğlu", "Élisabeth Borne", "Łukasz Kowalski"]
    assert [text[s:e] for s, e in sentences(text)] == [
        "Foreign Minister Mevlüt Çavuşoğlu met Élisabeth Borne in Paris.", "Łukasz Kowalski did not."]
    assert _names_something("And what did Çavuşoğlu say?")  # a follow-up with a subject of its own


def test_a_name_beyond_ascii_answers_who(tmp_path_factory):
    engine = small_archive(tmp_path_factory, "beyond_ascii", [
        ("b1", "2022-05-16", "Macron picks labour minister to lead government",
         "President Emmanuel Macron named a new prime minister on Monday, weeks after his re-election.\n\n"
         "The choice fell on Élisabeth Borne, the labour minister, who becomes only the second woman to "
         "serve as prime minister.\n\nShe replaces Jean Castex."),
        ("b2", "2022-05-10", "Macron's party renames itself",
         "President Emmanuel Macron's party will be called Renaissance, officials said on Tuesday."),
    ], "Test Wire")
    assert "Élisabeth Borne" in first_sentence(engine.ask("Who did Macron name prime minister?"))


def test_a_person_holding_another_post_than_the_one_asked_is_no_exact_answer():
    q = "Who is the president of Pan Ocean Shipping?"
    asked = posts_asked(q)
    assert asked == {stem("president")}
    minister = "Finance Minister Chung In-young ordered the bank to take over Pan Ocean."
    president = "Charges were laid against Hahn Sang-yon, president of the company whose chairman, Park Ken-sek, died."
    assert not names_exactly(PERSON, minister, stems(q), posts=asked)
    assert names_exactly(PERSON, president, stems(q), posts=asked)
    assert names_exactly(PERSON, "John Smith said so.", stems(q), posts=asked)  # no post said: may be
    # A post the question gives someone else is not asked for.
    assert posts_asked("Who ordered banking commissioner Robert Empie out of office?") == frozenset()
    assert posts_asked("Which former Italian foreign minister wrote for Fox News?") == {stem("minister")}
    # A trade is a post too, under any of its names.
    judge = "Which federal judge heard Morton Thiokol's request to unseal the papers?"
    assert not names_exactly(PERSON, "The suit filed by engineer Roger Boisjoly was sealed.", stems(judge),
                             posts=posts_asked(judge))
    lawyer = "Which lawyer is representing Apex Oil?"
    assert names_exactly(PERSON, "Richard Wiener, attorney for Apex, said so.", stems(lawyer), posts=posts_asked(lawyer))
    # A member of a congress is asked for by any of its names; a minister is none.
    congressman = "Which Argentine congressman warned that Argentina could suspend payments on its foreign debt?"
    assert posts_asked(congressman) == posts_asked("Which lawmaker warned?") == {stem("congressman")}
    assert not names_exactly(PERSON, "The talks are headed by Argentine Finance Minister Mario Brodersohn.",
                             stems(congressman), posts=posts_asked(congressman))


def test_candidates_read_the_owner_a_place_after_its_and_leave_out_the_questions_own_person():
    assert expected("Whose hotel shares did the government take over?") == NAME
    text = "Workers returned to work at its Dakota City plant, the company said."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the plant?"))] == ["Dakota City"]
    # "Which city ...?" is answered by no country, state or region that no city shares.
    from dateline.qa.answer_type import asks_city, no_city
    assert asks_city("In which city will Nigeria host the June conference?") and not asks_city("Where is it?")
    assert no_city("Africa") and no_city("Ohio") and not no_city("Abuja") and not no_city("New York")
    # "In which province ...?" is answered by no country.
    from dateline.qa.answer_type import asks_part_of_country, names_a_country
    assert asks_part_of_country("In which province did hailstorms damage rapeseed?")
    assert asks_part_of_country("Which U.S. state has the most?") and not asks_part_of_country("Which state-owned bank?")
    assert names_a_country("China") and names_a_country("Brazil's") and not names_a_country("Anhui")
    # A name after a lower-case noun of a place's kind is one: "the proposed Nigerian capital Abuja".
    text = "The conference begins in the proposed Nigerian capital Abuja on June 15."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the conference?"))] == ["Abuja"]
    # A country, a US state or a region names a place without "in" before it; a city does not
    # (it is as often a company's name).
    text = "China is home to 1.4 billion people. California's average is highest. Boston Scientific said so."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Which country was hit?"))] == ["China", "California's"]
    # A place the question names through its people is the question's own: "Zimbabwe" does not
    # answer "Where did Zimbabwean officials suspect the outbreak?", nor "China" a "Chinese" one.
    text = "Botswana stopped imports from Zimbabwe after it broke out at Insiza. Sales in China rose."
    asked = stems("Where did Zimbabwean officials suspect the outbreak that hit Chinese sales?")
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["Botswana", "Insiza"]
    # An Arabic name's lower-case article, and "the city of" as a place cue.
    text = "This included Camp Ashraf and a base in the city of al-Emara. Syria's Bashar al-Assad spoke."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("In which Iraqi city was a base hit?"))] == ["al-Emara"]
    assert "Syria's Bashar al-Assad" in [text[s:e] for s, e in candidates(PERSON, text, stems("Who spoke?"))]
    # A year is a date, not a count: "How many sponsored it?" is not answered by "the 1988 massacre".
    # Nor is the question's own number, even at the end of a sentence.
    text = "Forty-Six members sponsored a resolution condemning the 1988 massacre, Resolution 188."
    asked = stems("How many members of Congress sponsored Resolution 188?")
    assert [text[s:e] for s, e in candidates(NUMBER, text, asked)] == ["Forty-Six"]  # one number
    assert [text[s:e] for s, e in candidates(DATE, text, asked)] == ["1988"]
    # ... in thousands too, which a question's words split at the comma (Reuters blind 79).
    text = "Taiwan awarded a total of 462,000 tonnes of maize. Cargill took 83,000 tonnes."
    asked = stems("how many tonnes of maize did cargill win in taiwan 462,000 tonne tender")
    assert [text[s:e] for s, e in candidates(NUMBER, text, asked)] == ["83,000"]
    # "one of these swings" picks from a group; it counts nothing.
    text = "If you own one of these swings, check it: one million were recalled, and one rocker."
    assert [text[s:e] for s, e in candidates(NUMBER, text, stems("How many were recalled?"))] == ["one", "million", "one"]
    assert text.index("one of") not in [s for s, _ in candidates(NUMBER, text, stems("How many were recalled?"))]
    # The day of a date and a quarter of the year are no amounts either.
    text = "It extended the offer to April 23 and took a first quarter charge of 390 mln dlrs."
    assert [text[s:e] for s, e in candidates(NUMBER, text, stems("How large is the facility?"))] == ["390", "mln"]
    # The question's Moi, named in full, is not who it asks for.
    text = "The IMF assured Kenyan President Daniel Arap Moi of its support."
    assert candidates(PERSON, text, stems("Who promised President Moi support?")) == []
    # A person is named by the surname: "John P. Desmond" is someone else than the question's
    # "John Geiger"; "American Consulate" is no person, nor does "Turkey" answer a question that
    # names it as "Turkish".
    text = "Geiger's post has been filled by John P. Desmond, the company said."
    asked = stems("Who took over John Geiger's former post?")
    assert [text[s:e] for s, e in candidates(PERSON, text, asked)] == ["John P. Desmond"]
    text = "A Marine was arrested over security at the American Consulate in Leningrad."
    assert candidates(PERSON, text, stems("Name the Marine sergeant who was arrested.")) == []
    text = "It formed a venture in Turkey with Mintax, based in Istanbul."
    asked = stems("In what city is Mintax, the Turkish joint venture partner, based?")
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["Istanbul"]
    # ... in its possessive too: "Algeria's national petroleum agency" for "the Algerian LNG".
    text = "Algeria's national petroleum agency signed the accord; the gas will land at Lake Charles, Louisiana."
    asked = stems("Where will the Algerian LNG sold to Panhandle-Trunkline be landed in the U.S.?")
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["Lake Charles", "Louisiana"]


def test_candidates_read_first_names_that_end_as_peoples_do_and_places_the_question_names_in_part():
    # "Jean", "Brian", "Julian" end as "Iranian" and "Korean" do, but name no people.
    text = "Group president Jean Mantelet, who is 87, said so. Brian Mulroney and Julian Hodge agreed."
    asked = stems("Who is the president of Moulinex?")
    assert [text[s:e] for s, e in candidates(PERSON, text, asked)] == ["Jean Mantelet", "Brian Mulroney", "Julian Hodge"]
    assert candidates(PERSON, "The Iranian Regime and Korean Air said so.", asked) == []
    # A people no country's name spells out, or one whose country drops a letter, is still a people.
    text = "Tankers in the Persian Gulf on Monday. Peruvian Garcia met Kurdish Talabani in the Mediterranean Sea."
    assert candidates(PERSON, text, asked) == []
    # A place the question names through its people in part is still a place to offer:
    # "South Australia" is an Australian state; "Australia" alone is the question's own.
    text = "It found 172 billion cubic feet of gas in South Australia and more in Australia."
    asked = stems("In which Australian state did Santos find gas?")
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["South Australia"]


def test_a_month_that_is_a_first_or_last_name_names_a_person_beside_another_name():
    # "Jan" and "May" are months too; beside another name they name someone, on their own or
    # beside a day they are dates.
    text = "SAS President Jan Carlzon ordered it; Theresa May agreed on Monday March 3."
    asked = stems("Who is the president of SAS, the Scandinavian airline?")
    assert [text[s:e] for s, e in candidates(PERSON, text, asked)] == ["SAS President Jan Carlzon", "Theresa May"]
    assert candidates(PERSON, "Trading resumed Monday March 3 and in May.", asked) == []


def test_a_town_before_its_country_and_a_name_before_based_are_places():
    asked = stems("Where is Biopool AB, the Swedish company acquired by a CytRx subsidiary, based?")
    text = "CytRx said its subsidiary has acquired Biopool AB of Umea, Sweden, for undisclosed terms."
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["Umea"]
    asked = stems("Where is Rogers and Cowan, the firm Shandwick is acquiring, based?")
    text = "Shandwick Plc said it had agreed to buy the Los Angeles-based Rogers and Cowan Inc."
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["Los Angeles"]
    # The home of another company is no answer: "New York-based investment firm of Rosenkranz".
    from dateline.qa.answer_type import home_of_another
    asked = stems("In which city is Reliance Standard Life Insurance, the insurer Dresser is selling, based?")
    text = ("It sold Reliance to a unit of the New York-based investment firm of Rosenkranz and Co. "
            "Philadelphia-based Reliance earned 25 mln dlrs. It is a Boston-based company.")
    assert [home_of_another(text, text.index(p) + len(p), asked) for p in ("New York", "Philadelphia", "Boston")] == [
        True, False, False]
    # A country in a list, or one followed by more of a phrase, makes no town of the name before it.
    text = "Shell, Exxon and BP, Britain's largest, bid; France, Germany and Italy agreed."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the plant?"))] == [
        "Britain's", "France", "Germany", "Italy"]
    # A name ending with the kind of place it is names a place with no "in" before it.
    text = "Iran, Khuzestan Province: People Clashed With Security Forces"
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("In which Iranian province did people clash?"))] == [
        "Khuzestan Province"]


def test_an_organisation_named_in_lower_case_answers_which_ministry():
    question = "Which ministry's role is the main point of difference between them?"
    asked = stems(question)
    assert organs_asked(question) == {"ministry"}
    text = "It is the role of the regime's intelligence ministry. The Japanese finance ministry agreed."
    assert [text[s:e] for s, e in organs(text, organs_asked(question), asked)] == [
        "intelligence ministry", "finance ministry"]
    # "Which government body": any such noun; one named only by the question's own words is none.
    question = "Which government body picked the targets?"
    text = "The government agency and the security council met; the agriculture department did not."
    assert [text[s:e] for s, e in organs(text, organs_asked(question), stems(question))] == [
        "security council", "agriculture department"]
    assert organs_asked("Which company bought the ministry's stake?") == frozenset()
    # Groups in the plural, told in lower case; a group in the singular is most often a company.
    question = "Which groups did the Iranian Resistance urge to denounce the razing of mass burial sites?"
    text = "The Iranian Resistance has called on all human rights organisations to condemn the destruction."
    assert [text[s:e] for s, e in organs(text, organs_asked(question), stems(question))] == [
        "human rights organisations"]
    assert organs_asked("Which group bought the stake?") == frozenset()


def test_a_post_held_with_another_rank_is_not_the_post_asked_for():
    asked = stems("Who is the general manager of Xiamen International Bank?")
    assert not names_exactly(PERSON, "Assistant general manager Wang Hongshan said loans rose.", asked)
    assert not names_exactly(PERSON, "Wang Hongshan, deputy general manager, said loans rose.", asked)
    assert names_exactly(PERSON, "General manager Liu Shuxun declined to give a forecast.", asked)
    # A post held before ("previously executive vice president") or another post ("a former
    # member of parliament") is no rank in the post asked about.
    asked = stems("Who took over as president of Flight Dynamics?")
    assert names_exactly(PERSON, "The post was filled by John P. Desmond, previously executive vice president.", asked)
    asked = stems("Who is the European Parliament vice president who warned businesses?")
    assert names_exactly(PERSON, "Ryszard Czarnecki, a former member of the European Parliament, wrote.", asked)
    # ... unless the question asks for that rank.
    assert names_exactly(PERSON, "Vice chairman John Smith said so.", stems("Who is the vice chairman of Exxon?"))


def test_candidates_read_a_region_of_a_place_a_company_and_a_day_named_relative_to_the_item():
    # "in northwestern Ontario", "offshore Newfoundland": a point of the compass between the cue
    # and the name, a province named without a cue.
    text = "It will develop the property in northwestern Ontario. The field lies offshore Newfoundland."
    asked = stems("Where is St. Joe Gold's property?")
    assert [text[s:e] for s, e in candidates(PLACE, text, asked)] == ["Ontario", "Newfoundland"]
    text = "Terra Nova is Quebec's largest, and Hibernia lies in the North Sea."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the field?"))] == ["Quebec's", "North Sea"]
    # A company's legal form makes its name no person's: "Former Guinness Plc chairman ...".
    text = "Former Guinness Plc chairman Ernest Saunders denied it, his assistant Margaret McGrath said."
    asked = stems("Who accused Ernest Saunders?")
    assert [text[s:e] for s, e in candidates(PERSON, text, asked)] == ["Margaret McGrath"]
    # "Farmingdale, N.Y.", "Little Rock, Ark.": a town followed by its state, which is a place too
    # ("In which state is the plant?").
    text = "It will close its Farmingdale, N.Y., plant; Dillard is based in Little Rock, Ark."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the Fairchild plant?"))] == [
        "Farmingdale", "N.Y.", "Little Rock", "Ark"]
    # ... as wire copy spaces it too (Reuters blind 79: "its Neal, W. Va., polypropylene plant"); and
    # a place a direction is given from is one ("the Grootvlei gold mine east of Johannesburg").
    text = "It will modernize its Neal, W. Va., plant. Miners resumed work at the mine east of Johannesburg."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the plant?"))][::2] == ["Neal", "Johannesburg"]
    # A country the question names by its initials is its own, and a list of places goes on with
    # places, not "Energy Ministry officials" (Reuters blind 91, 46).
    text = "Seoul will buy coal from the United States, Energy Ministry officials said, at talks in Washington."
    q = stems("Where will the South Korea-U.S. energy talks on buying U.S. coal be held?")
    assert [text[s:e] for s, e in candidates(PLACE, text, q)] == ["Washington"]
    assert "United States" in [text[s:e] for s, e in candidates(PLACE, text, stems("Where will the talks be held?"))]
    # ... nor with a name a lower-case noun goes on from ("in northern Iraq, Tehran's IRNA news agency
    # said", Reuters blind 87); "Jinja and Kisumu in Kenya" is a list still.
    text = "Troops fought in northern Iraq, Tehran's IRNA news agency said. The ferry runs from Jinja and Kisumu in Kenya."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where did Iran attack?"))] == [
        "Iraq", "Jinja", "Kisumu", "Kenya"]
    # "the central state of Hesse" names a place; "Texas State court" no judge (Reuters blind 84, 82).
    text = "The CDU won control of the central state of Hesse, a judge in Texas State court said, judge Manuel Leal."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("In which West German state did the CDU win?"))][:1] == [
        "Hesse"]
    assert [text[s:e] for s, e in candidates(PERSON, text, stems("Which judge ruled?"))] == ["Manuel Leal"]
    # A month after "in" is no place a list goes on from (Reuters blind 82): the minister who spoke
    # names no country; a list of towns goes on as before.
    text = "It will import palm oil for Ramadan in May, Trade Minister Rachmat Saleh said. It goes to London, Paris."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("From which country will the oil come?"))] == [
        "London", "Paris"]
    # A state in full counts where it ends a phrase: "Texas Eastern" is a company.
    text = "Texaco, Texas Eastern and Mobil bid. The plant is in Dallas, Texas. It shut its Farmingdale, New York, plant."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where is the plant?"))] == [
        "Dallas", "Texas", "Farmingdale", "New York"]
    # The question's own company, named in part, is not what it asks for.
    assert candidates(NAME, "General Motors Corp said it would buy the unit.",
                      stems("Which company did General Motors buy?")) == []
    # "Sixteen" counts; an all-capitals headline names no one ("FROST/SULLIVAN OFFICERS TO SELL").
    text = "Sixteen Wall Street stockbrokers were charged."
    assert [text[s:e] for s, e in candidates(NUMBER, text, stems("How many stockbrokers were charged?"))] == ["Sixteen"]
    assert candidates(NAME, "FROST/SULLIVAN OFFICERS TO SELL SHARES TO THEODORE CROSS", stems("Which investor?")) == []
    assert candidates(PERSON, "NATIONAL VIDEO TO OPEN STORES, SAYS JOHN DOE", stems("Who said it?")) == []
    # "Today" names a day outright (the answer shows the item's date beside it); "next month" does not.
    asked = stems("When will the talks resume?")
    assert names_exactly(DATE, "The talks will resume at noon gmt today, officials said.", asked)
    assert not names_exactly(DATE, "The talks will resume next month, officials said.", asked)


# Two harbour stories: one whose headline names the new chief while its body never does, one
# whose body names who resigned. Plus an unrelated item.
HARBOUR = [
    ("h1", "2021-05-03", "Maria Okafor named head of the harbour authority",
     "The harbour authority has chosen a new chief executive. The appointment was announced on Monday "
     "after a search that lasted eight months. The board said the new head would start in June and "
     "would oversee the dredging of the eastern channel."),
    ("h2", "2021-04-26", "Harbour master steps down",
     "Harbour master John Reyes resigned on Friday after twelve years in the post. "
     "He said he wanted to spend more time sailing."),
    ("h3", "2021-04-20", "Storm closes ferry routes", "A winter storm closed every ferry route for two days."),
]


def small_archive(tmp_path_factory, name: str, rows: list[tuple[str, str, str, str]], source: str) -> Engine:
    """An archive of ``rows`` (id, date, title, body) from one source, indexed with the real model."""
    import json

    from dateline.index.build import build_index
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data = tmp_path_factory.mktemp(name) / "data"
    path = data.parent / f"{name}.jsonl"
    path.write_text("".join(json.dumps({"id": i, "source": source, "date": d, "title": t, "body": b}) + "\n"
                            for i, d, t, b in rows), encoding="utf-8")
    archive = Archive.open(data)
    fmt, parsed = parse_file(path)
    archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
    archive.close()
    build_index(data)
    return Engine(data)


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "harbour", HARBOUR, "Harbour Gazette")


def test_a_headline_that_names_what_is_asked_is_quoted_when_the_body_does_not(harbour):
    a = harbour.ask("Who was named head of the harbour authority?")
    assert a.found, a.answer
    c = a.citations[0]
    assert c.item_id == "h1" and c.excerpt_field == "title" and c.excerpt == HARBOUR[0][2], a.answer
    assert (c.start, c.end) == (0, 0) and a.answer.startswith('"Maria Okafor named head of the harbour authority" [1]')
    # The body names who resigned: its sentence is quoted, not the headline.
    b = harbour.ask("Who resigned as harbour master?")
    assert b.citations[0].item_id == "h2" and b.citations[0].excerpt_field == "body"
    assert "John Reyes" in first_sentence(b)


# Written for the test in a news site's manner: headlines end with the site's name.
DINER = [
    ("d1", "2022-07-18", "Grill House rolls out a new menu item to win younger diners - CNN",
     "New York (CNN Business) Grill House is testing Crispy Bites, a boneless chicken snack, in an effort to win "
     "younger diners. The chain said the snack would reach 300 restaurants by the autumn."),
    ("d2", "2022-07-10", "Coffee prices climb again | CNN Business",
     "Coffee prices rose for a third month as drought cut the harvest in Brazil."),
]


@pytest.fixture(scope="module")
def diner(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "diner", DINER, "CNN")


def test_a_headline_ending_in_its_publishers_name_names_nothing_asked(diner):
    # "- CNN" is no name of a menu item: the body's sentence naming one answers.
    a = diner.ask("Which menu item did Grill House roll out to win younger diners?")
    assert "Crispy Bites" in first_sentence(a)
    assert without_site_name("Coffee prices climb again | CNN Business", "CNN") == "Coffee prices climb again"
    assert without_site_name("Is climate change reversible? | The Week UK", "theweek.co.uk") == \
        "Is climate change reversible?"
    # A last part that is no publisher's name stays: "Roe v. Wade - What now".
    assert without_site_name("Roe v. Wade - What now", "USA Today") == "Roe v. Wade - What now"


# Written for the test in Reuters' manner, dated October 1987: a rank abbreviated before a name,
# and a story of January-September figures that gives September's apart.
GULF = [
    ("g1", "1987-10-19", "ATTACK SEEN POINTING UP DILEMMAS FOR U.S.",
     "The latest Iranian attack points up the dilemmas facing Washington in the Gulf, analysts said. "
     "\"It's like a Greek tragedy,\" said retired Adm. Eugene Carroll of the Center for Defense Information, "
     "a private think tank. Other experts said Washington should press Moscow to help end the war."),
    ("g2", "1987-10-20", "SOUTH KOREA CURRENT ACCOUNT SURPLUS WIDENS",
     "South Korea's current account surplus for January-September totalled 7.03 billion dlrs, the Yonhap "
     "news agency said. The surplus for September alone was 1.4 billion dlrs, up from 468.1 mln dlrs in August. "
     "Exports rose on strong demand for cars and electronic goods."),
    ("g3", "1987-10-21", "TOKYO STOCKS CLOSE LOWER", "Tokyo stocks closed lower in thin trading, brokers said."),
]


@pytest.fixture(scope="module")
def gulf(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "gulf", GULF, "Reuters")


def test_a_rank_written_out_finds_the_story_that_abbreviates_it(gulf):
    # No item says "admiral": it was a rare word the archive lacked, and the question was refused.
    a = gulf.ask("Which retired admiral likened the U.S. predicament in the Gulf to a Greek tragedy?")
    assert a.found and a.citations[0].item_id == "g1", a.answer
    assert "Eugene Carroll" in first_sentence(a)


# Written for the test in Reuters' manner: details past each story's lead, for questions typed in a
# hurry (short forms, the asking word last) and for money lost.
HURRIED = [
    ("h1", "1987-03-10", "YUGOSLAV UNIONS ATTACK WAGE FREEZE",
     "Yugoslav trade unions attacked the government over a law that freezes wages, union officials said. "
     "Under the law, which was enacted on February 27 and will remain in force until July 1, wage levels of the "
     "last quarter of 1986 were reimposed. The move has caused resentment among workers."),
    ("h2", "1987-03-11", "ATT SAYS NO PLAN TO CUT DIVIDEND",
     "Industry analysts had speculated that ATT might cut its common dividend after a fourth quarter net "
     "loss of 1.17 billion dlrs. American Telephone and Telegraph Co does not plan to reduce its regular "
     "quarterly dividend of 30 cts a share, its chairman said."),
    # reut2-008, NEWID 8873 (its first three paragraphs)
    ("h7", "1987-03-24", "ALCAN UPS ALUMINIUM INGOT AND BILLET PRICES",
     "Alcan Aluminium Ltd. in Montreal said it increased yesterday its prices for unalloyed ingot and extrusion "
     "billet by two cents a lb, effective with shipments beginning May 1.\n\nThe new price for unalloyed ingot is "
     "64.5 cents a lb while the new price for extrusion billet is 72.5 cents a lb.\n\n\"We feel very confident "
     "about raising our prices because we see demand over supply as being sustainable for some time,\" said Ian "
     "Rugeroni, Alcan's president of metal sales and recycling - U.S.A."),
    # reut2-008, NEWID 8863 (its first three paragraphs)
    ("h8", "1987-03-24", "CRS SIRRINE <DA> TO TAKE WRITE-OFF",
     "CRS Sirrine Inc said it plans a major restructuring of its balance sheet that will include a write-off of "
     "between 39 mln and 43 mln dlrs, most of which would be intangible goodwill from the company's past "
     "acquisitions.\n\nThe company said the remainder of its write-off would include a one-time expense for future "
     "costs related to early retirement programs.\n\nBruce Wilkinson, president of the company, said the charges "
     "to the company's third quarter earnings would \"significantly impact\" third quarter results."),
    # reut2-009, NEWID 9154 (its second and last two paragraphs left out)
    ("h9", "1987-03-25", "EC MINISTERS FAIL TO END DEADLOCK ON RESEARCH PLAN",
     "The European Community (EC) has failed to agree on a high-technology research program because of "
     "opposition from Britain and West Germany, diplomats said.\n\nThe five-year program was due to start at the "
     "beginning of this year, but was delayed by calls from Britain, France and West Germany for cuts in the "
     "proposed budget of 7.7 billion European Currency Units (Ecus), diplomats said.\n\nFrance has withdrawn its "
     "objections and backed a new compromise budget proposed by Belgian Research Minister Guy Verhofstadt.\n\n"
     "Verhofstadt, who chaired the lengthy meeting, said he had given the two states until April 3 to withdraw "
     "their opposition."),
    # reut2-002 (ZAMBIAN LATE 1986 COPPER OUTPUT UP, SALES DOWN), cut short
    ("h5", "1987-03-05", "ZAMBIAN LATE 1986 COPPER OUTPUT UP, SALES DOWN",
     "Zambian copper production rose 3.2 pct to 113,275 tonnes in fourth quarter 1986 from 109,767 in the same "
     "1985 period but sales fell 18.7 pct to 119,967 tonnes from 147,537, Zambia Consolidated Copper Mines, ZCCM, "
     "said.\n\nZCCM, which monopolises copper mining in Zambia and accounts for about 90 pct of the country's "
     "foreign exchange earnings, made a net loss of 718 mln kwacha in 1986 compared with a net profit of 19 mln "
     "kwacha the previous year.\n\nThe 1986 losses were after taking into account net interest payments of 426 "
     "mln kwacha, an exchange loss of 412 mln kwacha and taxes of 235 mln kwacha."),
]


@pytest.fixture(scope="module")
def hurried(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "hurried", HURRIED, "Reuters")


@pytest.mark.parametrize("question, wanted", [
    # Read as a topic, each quoted its story's lead.
    ("yugoslav govt wage freeze law in force till when", "July 1"),
    # How much a company lost is money: not the tonnes of the lead.
    ("How much did Zambia Consolidated Copper Mines lose for 1986?", "718 mln kwacha"),
    # A request rather than a question: its noun says what it asks for.
    ("Remind me of the deadline Guy Verhofstadt gave Britain and West Germany to drop their objections.",
     "April 3"),
])
def test_a_hurried_or_differently_worded_question_is_answered_past_the_lead(hurried, question, wanted):
    assert wanted in first_sentence(hurried.ask(question))


@pytest.mark.parametrize("first, follow_up, wanted", [
    # Going on with the topic ("And billet?") moves past the sentence the answer quoted, which
    # holds "billet" too, to the one that gives its new price.
    ("alcan new price for unalloyed ingot", "and billet?", "72.5 cents a lb"),
    # "the co" typed for "the company": a follow-up, not a question of its own that the
    # archive cannot answer.
    ("who's president of crs sirrine", "the co's write-off, how big", "between 39 mln and 43 mln dlrs"),
])
def test_a_hurried_follow_up_goes_on_from_the_answer_before(hurried, first, follow_up, wanted):
    before = hurried.ask(first)
    a = hurried.ask(follow_up, history=[{"question": first, "answer": before.to_dict()}])
    assert wanted in first_sentence(a)
    assert first_sentence(a) != first_sentence(before)


def test_a_follow_up_naming_a_month_its_story_tells_of_is_asked_of_that_story(gulf):
    # No item is dated September 1987: "September" is the story's, not the stories' dates.
    q = "What was South Korea's current account surplus for January through September?"
    first = gulf.ask(q)
    assert first.found and first.citations[0].item_id == "g2", first.answer
    a = gulf.ask("And for September alone?", history=[{"question": q, "answer": first.to_dict()}])
    assert a.found and a.citations[0].item_id == "g2", a.answer
    assert not any("no item is dated then" in n for n in a.notes), a.notes
    assert a.to_dict()["filters"].get("date_from") is None


# Written for the test in Reuters' manner: stories that write out the names a reader abbreviates.
NAMES_WRITTEN_OUT = [
    ("n1", "1987-03-12", "JAPAN TO SELL 200 BILLION YEN IN BILLS",
     "The Bank of Japan will sell tomorrow 200 billion yen of financing bills maturing on May 2, to help absorb "
     "a projected money market surplus, money traders said. The yield on the bills is 3.9 pct."),
    ("n2", "1987-03-12", "INDIA'S FIRST RAIL BOND ISSUE OVERSUBSCRIBED",
     "State-owned Indian Railway Finance Corporation's first ever bond issue has been oversubscribed, brokers "
     "said. The bonds were open for subscription from March 2 to March 7."),
    ("n3", "1987-03-12", "TOKYO BOND MARKET QUIET", "Japanese government bond prices were steady in thin trade."),
    ("n4", "1987-03-11", "BANK OF FRANCE LEAVES RATES UNCHANGED",
     "The Bank of France left its intervention rate unchanged at 7.75 pct, a spokesman said."),
]


@pytest.fixture(scope="module")
def written_out(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "written", NAMES_WRITTEN_OUT, "Reuters")


def test_an_acronym_finds_the_stories_that_write_its_name_out(written_out):
    a = written_out.ask("On what date do the bills the BOJ is offering come due?")
    assert a.found and a.citations[0].item_id == "n1", a.answer
    assert "May 2" in first_sentence(a)
    assert '"BOJ" read as "Bank of Japan" too, as the stories found write it' in a.notes
    b = written_out.ask("Over what dates could investors apply for the IRFC's first bonds?")
    assert b.found and b.citations[0].item_id == "n2", b.answer
    assert "March 2 to March 7" in first_sentence(b)


def test_an_acronyms_name_is_a_run_whose_initials_spell_it():
    from dateline.qa.acronyms import asked, written_out

    assert asked("Which rival did BT's deputy chairman name, and what did the USTR say?") == ["BT", "USTR"]
    assert asked("WHAT DID THE BOJ SAY") == []  # a question in capitals: every word looks like one
    assert written_out("BOJ", ["Bank of Japan Governor Satoshi Sumita said so."]) == "Bank of Japan"
    assert written_out("AMC", ["American Motors Corp said its sales fell."]) == "American Motors Corp"
    assert written_out("BT", ["British Telecommunications Plc <BTY.L> said."]) == "British Telecommunications"
    assert written_out("USTR", ["U.S. Trade Representative Clayton Yeutter said."]) == "U.S. Trade Representative"
    assert written_out("BOJ", ["The Bank of France said so."]) is None
    # a name that "and" joins, though a run of capitals stops there
    assert written_out("OMB", ["Office of Management and Budget Director James Miller said."]) == \
        "Office of Management and Budget"
    # an acronym more stories write than its name is how the archive names it
    assert written_out("UAW", ["The United Auto Workers union struck.", "UAW members voted.", "The UAW said."]) is None


# Reuters stories of reut2-009, -010, -012, -014, -015, -017, -018 (NEWID as id) whose lead states the subject and names a company,
# a date or a person, while the answer is a later sentence holding the rest of the question.
LEAD_AND_LATER = [
    ("10073", "1987-03-26", "PILLSBURY <PSY> FILES FOR SECOND BURGER KING MLP",
     "The Pillsbury Co said it filed a registration statement with the Securities and Exchange Commission for the sale of limited partnership interests in a second master limited partnership of its Burger King unit's restaurant properties.\n\nPillsbury said it expects the offering to yield 73-82 mln dlrs, resulting in an after-tax gain of 20-23 mln dlrs.\n\nA spokesman for Pillsbury said the company is aiming to get this after-tax gain in the fourth fiscal quarter ending in May.\n\nPillsbury said the sale will occur as soon as practicable, considering the business and legal contigencies.\n\nThe company said Burger King and another Pillsbury unit, QSV Properties, will be the master limited partnership's general partner.\n\nPillsbury said it expects the interests to be sold to public investors and listed for trading on the New York Stock Exchange.\n\nMerrill Lynch will lead the underwriting, Pillsbury said.\n\nPillsbury first sold limited partnership interests in Burger King Investors L.P. in February 1986."),
    ("10858", "1987-03-30", "BAXTER <BAX> STARTS CLINICAL TRIALS ON DRUG",
     "Baxter Travenol Laboratories said its Hyland Therapeutics unit has started the first human clinical trials on genetically engineered Factor VIII, the clotting agent missing from the blood of most hemophiliacs.\n\nIt said unlike Factor VIII concentrates currently in use, genetically engineered Factor VIII would not be limited by the availability of human plasma and will be completely free from blood-borne viruses, including AIDS and all forms of hepatitis, Baxter said.\n\nBaxter also said it is in the final states of U.S. clinical trials on a highly purified form of Factor VIII derived from human plasma that is produced using an advanced process incorporating monoclonal antibody purification.\n\nIt said Genetics Institute, a publicly held biotechnology company in which Baxter is a shareholder, will supply the protein used for human clinical testing, as well as a substantial portion of ongoing production requirements."),
    ("10110", "1987-03-26", "TRANSWORLD TRUST <TWT> SETS INITIAL PAY DATE",
     "Transworld Liquidating Trust said it will distribute proceeds from the sale of Hilton International Co to UAL Inc <UAL> to its holders on April 8.\n\nThe deal is expected to close March 31, the day trading ceases in the Liquidating Trust shares.\n\nUAL will pay 632.5 mln dlrs cash, 2,564,000 shares of UAL common stock and 200 mln dlrs worth of UAL debentures to Transworld, but it may substitute cash for the securities. The initial distribution will include all the cash, stock and debentures received in connection with the sale, the company said.\n\nThe shares in the Trust formerly represented shares of Transworld Corp common stock.\n\nThe company said the balance of cash in the Trust will be used to satisfy all liabilities and obligations of the Trust. After satisfaction of the payments, the company will make a second distribution around April 29, it said."),
    ("10071", "1987-03-26", "DENNISON MANUFACTURING <DSN> TO SELL PAPER UNIT",
     "Dennison Manufacturing Co said it has signed a letter of intent to sell its Dunn Paper Co subsidiary to James River Corp <JR> for an undisclosed amount of cash, resulting in a first quarter charge against earnings.\n\nThe company saiud the loss on the sale may be partly reduced by contingent payments over the next five years and will in the first quarter be more than offset by the gain from the previously-announced sale of its Hygeia Sciences Inc shares.\n\nDunn had sales last year of about 65 mln dlrs.\n\nIn Richmond, Va., James River said closing is expected by the end of April, subject to approval by both boards and on the reaching of satisfactory labor agreements."),
    ("15214", "1987-04-08", "IBM <IBM> NAMES NEW PRESIDENT FOR ROLM UNIT",
     "International Business Machines Corp said IBM vice president Ray S. AbuZayyad has been named president of its ROLM Corp subsidiary, succeeding Dennis D. Paboojian, who remains with IBM as a consultant.\n\nThe company said IBM vice president Paul R. Low has been named president of the IBM General Products Division, succeeding AbuZayyad, and IBM vice president Michael J. Attardo has been named president of IBM's General Technology Division, succeeding Low.\n\nA Rolm spokeswoman said Paboojian decided to step down for personal reasons.\n\nHis decision, she said, was not related to IBM's move last month to merge Rolm's sales and service organization into its own marketing corps.\n\nThat merger was viewed by some analysts as reducing Rolm's independence and relegating it to a role as a manufacturing and product development site within IBM.\n\n\"He wanted to take some personal time off,\" she said, adding that Paboojian had taken part in the merger decision.\n\nScores of Rolm veterans have left the company, which makes telephone exchanges and other communications equipment, since it was acquired by IBM in 1984.\n\nRolm's highly respected founder, Ken Oshman, left more than a year ago.\n\nRolm and IBM customers have complained about a lack of coordination between Rolm and IBM, and analysts estimate the unit lost money last year.\n\nBut the spokeswoman said Paboojian was \"happy with the way things are going with Rolm.\" She said the unit posted its best fourth quarter revenues ever in the 1986 fourth quarter."),
    ("10740", "1987-03-30", "NISSAN MEXICANA TO TAKE OVER CAR ENGINE EXPORTS",
     "<Nissan Mexicana SA de CV>, owned 96.4 pct by Nissan Motor Co Ltd <NSAN.T> and the rest by Marubeni Corp <MART.T>, will supply all engines for manual transmission \"Sentra\" cars produced by Nissan Motor's wholly-owned subsidiary <Nissan Motor Manufacturing Corp USA> (NMMC), a Nissan spokeswoman said.\n\nNissan's shift to Mexican production from Japan is due to improved quality there and the yen's rise against the dollar.\n\nFrom July 1987, all car engines for NMMC will be supplied by Nissan Mexicana. As a start, Nissan Mexicana shipped a total of 17,000 car engines to NMMC last summer, the spokeswoman said.\n\nNMMC in Smyrna, Tennessee, which has produced Sentras since March 1985, made 65,000 cars.\n\nNMMC will more than double Sentra production to 140,000 this year including 80,000 to 90,000 manuals, she said.\n\nREUTER"),
    # reut2-012: an official named after the lead that names the court.
    ("17681", "1987-06-01", "COURT ACTION SOUGHT ON SOUTHAM <STM.TO> DEAL",
     "Southam Inc said a Canadian government official asked the Ontario Supreme Court to order Southam to seek shareholder approval of a 1985 share swap between Southam and fellow newspaper publisher Torstar Corp <TSB.TO>.\n\nFrederick Sparling, an official in the Department of Consumer and Corporate Affairs, wants the share exchange nullified if shareholder approval is not obtained, Southam added.\n\nSoutham said it believed it had acted properly and would vigorously defend itself in what would probably be a lengthy process.\n\nSparling's action came after a year-long investigation by the federal corporations branch in response to minority shareholders' complaints about the share exchange, which gave Torstar a 22 pct stake in Southam.\n\nSoutham said at the time of the Torstar deal that the share swap was necessary to avert a hostile takeover bid for Southam by a third party.\n\nThe company declined further comment while the case is before the courts."),
    # reut2-014: the firm that manages the fund, after a lead that names only a bank and a country.
    ("14917", "1987-04-08", "MALAYSIAN FUND TO BE LAUNCHED IN U.S. IN MAY",
     "The first Malaysian investment fund for foreign investors will be launched in the United States market next month to raise between 60 to 69 mln dlrs, <Arab Malaysian Merchant Bank Bhd> (AMBB) said.\n\nThe fund, called <Malaysian Fund Inc>, will be jointly sponsored by the merchant bank and the International Fund Corporation of the World Bank, said AMBB in a statement.\n\nThe two institutions, together with Merrill Lynch Capital Markets <MER> and Morgan Stanley Inc <MS>, are underwriters for the fund, it added.\n\nAMBB said its wholly-owned subsidiary <Arab Malaysian Consultant> will be the fund's Malaysian investment adviser while <Morgan Stanley Asset Management Inc> will manage it.\n\nIt added that 80 pct of the money raised will be used to invest in shares of Malaysian companies on the Kuala Lumpur Stock Exchange and the remaining in unlisted shares.\n\nAMBB said the fund will expose the Malaysian market to US and Japanese investors and help develop the local capital market.\n\nREUTER"),
    # reut2-009: "the Luxembourg Stock Exchange" names the exchange a question asks for.
    ("9130", "1987-03-25", "BELL GROUP ISSUING 200 MLN IN CONVERTIBLE BONDS",
     "The Bell Group Ltd <BLLA.S> said it will make two convertible bond issues totalling 200 mln dlrs.\n\nAn issue of about 125 mln in convertible bonds, to be quoted on the Luxembourg Stock Exchange, would be offered in Europe through a syndicate led by <Banque Paribas Capital Markets Ltd>, <Swiss Bank Corp International Ltd> and <S.G. Warburg Securities>, Bell Group said in a statement.\n\nSubject to shareholder approval, at a meeting on April 22, a further 75 mln dlrs in convertible bonds would be subscribed by Bell Group chairman Robert Holmes a Court, it said.\n\nThe funds would provide additional working capital.\n\nThe bonds, maturing 10 years from the date of issue, would carry a 10 pct per annum interest rate, payable annually in arrears, Bell Group said.\n\nThe bonds are convertible into ordinary shares of The Bell Group Ltd at any time, with the issue price a premium in the range of 20 to 25 pct above the market price of the ordinary shares at the date of issue of the bonds, it said.\n\nThe bonds also carry the right for the issuer to redeem them after two years if the share price is above 130 pct of the conversion price for more than 30 days. Bell Group made a similar 75 mln dlr bond issue in December 1985."),
    # reut2-017: the president named beside the chairman, the story ending with a minister.
    ("17302", "1987-04-27", "TOP EXECUTIVE OF PAN OCEAN SHIPPING CHARGED",
     "South Korean prosecutors formally charged the chief executive of Pan Ocean Shipping Company, the country's largest shipping firm, with alleged financial offences.\n\nA statement from the prosecutors' office said charges of illegal capital movement, violation of foreign exchange laws and tax evasion were laid against Hahn Sang-yon, president of the hugely indebted company whose chairman, Park Ken-sek, fell to his death a week ago.\n\nProsecutors said that over the past six years Hahn and Park illegally sent abroad more than 15 mln dlrs.\n\nThe prosecutors said that the two executives used more than 2.7 mln dlrs of the diverted funds to acquire U.S. Real estate. The Office of National Tax Administration has sent banking experts to the United States to investigate.\n\nPark plunged to his death from his 10th floor office window on April 19.\n\nFinance Minister Chung In-young last week ordered the state-owned Korea Exchange Bank to take over Pan Ocean, burdened by debts of more than 1,000 billion won."),
    # A flash of reut2-018 with no body, and the story it announced.
    ("18943", "1987-06-18", "MINPECO LIFTS FORCE MAJEURE ON ZINC INGOT SHIPMENTS FROM CAJAMARQUILLA-SPOKESMAN", ""),
    ("18945", "1987-06-18", "FORCE MAJEURE LIFTED AT CAJAMARQUILLA",
     "Peru's state minerals marketing arm, Minero Peru Comercial SA (Minpeco), lifted a force majeure on zinc ingot shipments from the country's biggest zinc refinery at Cajamarquilla, a spokesman said.\n\nThe spokesman said the problems affecting sulphuric acid and roaster plants that had halted production since May 4 had been resolved.\n\nHowever, he said production of zinc ingots this year was expected to fall to around 86,000 tonnes this year at Cajamarquilla, from 94,000 tonnes in 1986 because of the stoppage.\n\nThe refinery has an optimum annual production capacity of 100,000 tonnes but its highest production was 96,000 tonnes of refined zinc ingots in 1985, the spokesman said."),
    ("10252", "1987-03-26", "FLIGHT DYNAMICS <FLTY> CHAIRMAN STEPS DOWN",
     "Flight Dynamics Inc said Robert L. Carter has stepped down as chairman but will continue as a director.\n\nThe company said Carter has been succeeded by John H. Geiger, who had been president and chief executive officer since 1985.\n\nGeiger's post, in turn, has been filled by John P. Desmond, previously executive vice president and chief operating officer, the company said."),
    # reut2-017: the tycoon is named after a lead that names only a Japanese group.
    ("17192", "1987-03-31", "KUMAGAI GUMI'S UNIT SEEKS LISTING IN HONG KONG",
     "A subsidiary of the Japanese construction group Kumagai Gumi Co Ltd <KUMT.TOK> is seeking to float its shares on the Hong Kong Stock Exchange, merchant banking sources said.\n\nThey said <Kumagai Gumi (Hong Kong) Ltd> has appointed <Canadian Eastern Finance Ltd>, <Sun Hung Kai International Ltd> and <Wardley Ltd> as arrangers for the flotation. But they declined disclosure of any further details.\n\nA spokesman of Cheung Kong (Holdings) Ltd <CKGH.HKG> told Reuters the group's chairman Li Ka-shing also will take a 10-15 pct stake in Kumagai Gumi (Hong Kong).\n\nHe said the privately held <Li Ka-shing Foundations Ltd> will receive a certain number of shares in Kumagai Gumi (Hong Kong) for injection into the company and up to 50 pct interest in a 520 mln H.K. Dlr worth property project at Hong Kong's New Territories.\n\nBut he added the Cheung Kong group will have no interest in the construction firm.\n\nREUTER"),
    # reut2-020: the event is named after a lead whose only name is "Iranian".
    ("20959", "1987-10-19", "U.S. MILITARY LEADER PREDICTS IRANIAN RESPONSE",
     "William Crowe, chairman of the U.S. Joint Chiefs of Staff, predicted Iran will retaliate for the U.S. strike against its oil platform though he said Iranian options were limited.\n\n\"They will be determined. They will not be easily deterred, and let me stress for you that our commitment there is not going to be risk free or casualty free.\"\n\nHe said the most likely Iranian response would involve terrorism or the laying of mines.\n\n\"They obviously will look for ways that are probably more in line with the 'silent hand' than what they have tried thus far,\" Crowe told an American Stock Exchange conference.\n\nHe declined comment on a reporter's query whether he favored a stronger move against Iran than that ordered by the president.\n\n\"We carried out the operation that was decided upon and we carried it out with enthusiasm and I think it was professionally and well done,\" Crowe said."),
    # reut2-002: a stake is a number.
    ("2956", "1987-03-06", "MALAYSIA BAILS OUT ANOTHER COMMERCIAL BANK",
     "Malaysia's central bank said it acquired a 59.2 pct stake in ailing <United Asian Bank Bhd> (UAB), the sixth largest commercial bank in the country, to rebuild public confidence in it.\n\nUAB called for a rights issue last November to raise 152.49 mln ringgit to rectify its capital deficiency following an accumulated loss of 107.61 mln ringgit at end-1985, the central bank, Bank Negara, said in a statement.\n\nBut only 16.99 mln ringgit in shares was taken up by shareholders, mainly local Indian and Malay businessmen and the Indian Government.\n\nBank Negara said it subsequently took up the unsubscribed shares, totalling 135.5 mln of UAB's new paid-up capital of 228.74 mln ringgit.\n\nIt said the shares, held in trust, will be eventually sold.\n\nThe central bank early this week also announced that it had bought 49.4 pct stake in another troubled commercial bank, <Perwira Habib Bank Malaysia Bhd>, after the latter raised its capital to 405 mln ringgit from 105 in mid-January this year.\n\nBank Negara said it does not intend to hold on to the shares of the two banks.\n\n\"The injection of capital in PHB and in UAB including the recamp of management in these banks are some of the measures taken by the bank to strengthen public confidence in the stability of the these banks,\" it added.\n\nThe central bank said it is invoking Section 39A of the Banking (Amendemnt) Act 1986 empowering it to grant loans to an ailing bank or to buy a stake in it.\n\nREUTER"),
    # reut2-016: the successor is named with "succeed", not the question's "replace".
    ("16240", "1987-04-13", "MELLON BANK <MEL> CHAIRMAN RETIRES",
     "Mellon Bank Corp said J. David Barnes has retired as chairman and chief executive officer and resigned from the board of the company and its Mellon Bank subsidiary.\n\nThe company said senior director Nathan W. Pearson will succeed Barnes but also appointed a special search committee to review all internal and external candidates for chairman.\n\nMellon said \"Mr. Barnes felt a change of management at this time would help the bank move more quickly and with less constraint in meeting the needs of shareholders, customers and employees.\"\n\nPearson is 75 and is financial advisor to the Paul Mellon Family Interests. Barnes is 57.\n\nOn Friday Mellon reported a 59.8 mln dlr first quarter loss. It had placed 310 mln dlrs of Brazilian loans on a nonaccrual basis and said it would cut its quarterly dividend to 35 cts per share from 69 cts due to energy, foreign, commercial real estate and heavy industry loans."),
    # reut2-009: the company bought is named beside "acquisition", not "acquire".
    ("9485", "1987-03-25", "ENCOR PLANS 125 MLN DLR DEBENTURE OFFERING",
     "<Encor Energy Corp Inc> said it planned an issue in Canada of 125 mln dlrs of 6.75 pct subordinated debentures, convertible any time into Encor common shares for a price of 10 dlrs a share.\n\nEncor, 48 pct-owned by Dome Petroleum Ltd <DMP>, said investment dealers McLeod Young Weir Ltd and Pemberton Houston Willoughby Bell Gouinlock Inc agreed to purchase the issue for resale to the public.\n\nIt said the debentures would pay interest semi-annually and be callable after five years at par plus accrued interest.\n\nEncor earlier reported a 1986 net loss of 406.6 mln dlrs.\n\nEncor last year earned 35.4 mln dlrs. The 1986 net loss included a 545.7 mln dlr asset writedown before a 139.2 mln dlr recovery of deferred taxes.\n\nThe company said 1986 results were seriously affected by lower oil and gas prices, but did not reflect its recent acquisition of <Aberford Resources Ltd>.\n\nIt said that while oil prices had improved in early 1987, it would remain cautious and base capital spending on conservative price assumptions.\n\nEncor will use proceeds from the debenture offer to retire bank debt incurred in the Aberford deal, it said."),
    # reut2-018: "What did ... total?" asks for an amount.
    ("18144", "1987-06-02", "ROYAL BANK (RY.TO) RECLASSIFIES BRAZIL LOANS",
     "Royal Bank of Canada said it classified 1.3 billion dlrs in medium and long-term loans to Brazil as non-accrual, leading to a seven pct drop in second quarter profit.\n\n\"The designation of these loans as non-accrual reduced the bank's earnings by about 22 mln dlrs after tax,\" chairman Allan Taylor said in a statement. \"Without this reduction, second-quarter earnings would have been about 138 mln dlrs,\" a 10 pct increase over last year's profit, Taylor said.\n\nThe bank earlier reported second quarter profit fell to 116.2 mln dlrs from 125.1 mln dlrs a year ago.\n\nThe bank said domestic earnings rose to a record 125 mln dlrs in the second quarter, a 52 mln dlr increase from the year before, due to higher business volumes and securities gains as well as a better yield from its domestic non-accrual loan portfolio.\n\nIt said international operations reported a net after-tax loss of nine mln dlrs, compared with a 52 mln dlr profit last year. The decline largely reflects the impact of Brazil's suspended interest payments, which resulted in about a 40 mln dlr reduction in net interest income, Royal Bank said.\n\nRoyal Bank said it keeping its 1987 loan loss experience estimate unchanged from the last quarter at one billion dlrs. It said it is committed to building its general provision for loan losses to at least 20 pct of total outstanding loans to troubled sovereign borrowers by the end of 1989.\n\nThe bank said non-accrual loans totalled 3.3 billion dlrs at April 30--1.5 billion in domestic loans and 1.8 billion in international loans. Excluding the 1.3 billion dlrs in loans to Brazil, net non-accrual loans at the end of the second quarter declined 200 mln dlrs over the 1987 first quarter, it said."),
    # reut2-002 (5-6 Mar 1987): stories that date both what lies ahead and what lies behind.
    ("2198", "1987-03-05", "CHRYSLER <C> SETS STOCK SPLIT, HIGHER DIVIDEND",
     "Chrysler Corp said its board declared a three-for-two stock split in the form of a 50 pct stock dividend and raised the quarterly dividend by seven pct.\n\nThe company said the dividend was raised to 37.5 cts a share from 35 cts on a pre-split basis, equal to a 25 ct dividend on a post-split basis.\n\nChrysler said the stock dividend is payable April 13 to holders of record March 23 while the cash dividend is payable April 15 to holders of record March 23. It said cash will be paid in lieu of fractional shares.\n\nWith the split, Chrysler said 13.2 mln shares remain to be purchased in its stock repurchase program that began in late 1984. That program now has a target of 56.3 mln shares with the latest stock split.\n\nChrysler said in a statement the actions \"reflect not only our outstanding performance over the past few years but also our optimism about the company's future.\""),
    ("2652", "1987-03-06", "NORDBANKEN TO AUCTION ITS FERMENTA SHARES",
     "Sweden's <Nordbanken> banking group said it would sell the 4.2 mln B free shares deposited as loan collateral by Fermenta AB's <FRMS.ST> founder and former chief executive Refaat el-Sayed and it planned to buy them up itself.\n\nThe bank said the sale - by public auction on March 16 -- was because of a debtor's inability to repay an overdue loan.\n\nThe B free shares closed at 16.50 crowns on the bourse's unofficial list -- down from a peak of 300 in January 1986. Nordbanken said it did not exclude accepting a suitable bid for the shares although it expected to buy them back itself.\n\nThe statement said the sale did not represent any withdrawal from Nordbanken's undertakings towards the Fermenta group and that it had been sanctioned by the other main shareholders.\n\nNordbanken is Fermenta's third largest creditor with loans of 155 mln crowns. It was one of the four Swedish banks which last month agreed to advance the group 110 mln crowns to solve its immediate liquidity problems. Together with two other main shareholders, it also advanced Fermenta an additional 65 mln crowns until a new equity issue could be made.\n\nFermenta is due to hold an extraordinary shareholders' meeting on Tuesday to approve the planned equity issue.\n\nNordbanken had to make a provision against a 200 mln crown loan to el-Sayed in its 1986 results.\n\nFermenta's new management originally hoped to raise 160 mln crowns through the new one for four rights issue and an extra 170 mln from an issue to Nordbanken, another major creditor and shareholder <Gotabanken> and the group's new majority owner <Industrivarden AB>.\n\nThe share price was to be 20 crowns. But there has been doubt over the plans since the stock fell below this level this week after Fermenta's former chairman Kjell Brandstrom said the company was in a much worse state than he thought."),
    # reut2-011, one day: a chairman whose name has particles, and appointments at IBM.
    ("11391", "1987-03-31", "EUROPEAN COOPERATION ABSOLUTE MUST - PHILIPS",
     "European countries must cooperate closely if they want to save their electronics industry from dropping to a third-rate global position, NV Philips Gloeilampenfabrieken <PLGO.AS> chairman Cor van der Klugt told a congress here.\n\nNoting that Europe was now a net importer of Integrated Circuits, Van der Klugt said that in information technology, the European Community had posted a trade deficit in 1984 of five billion ecus compared with a 1975 surplus of 1.7 billion ecus.\n\nSuch factors were forcing European electronics companies to seek cooperation with others both inside and outside Europe.\n\nVan der Klugt cited Western Europe's joint high-technology research programme ESPRIT, sponsored by the European Community, as a useful programme for what he called \"pre-competitive cooperation\" with other companies in the same or related fields.\n\nThe Philips president said companies should join such efforts in an attempt to gain a foothold in markets of strategic importance such as the U.S. And Japan."),
    ("11594", "1987-03-31", "IBM <IBM> VICE CHAIRMAN TO RETIRE",
     "International Business Machines Corp said Paul J. Rizzo will retire as vice chairman on August 31.\n\nThe company said effective immediately, Kaspar V. Cassani has been named an executive vice president and will assume most of Rizzo's responsibilities. It said Cassani will be the corporate executive responsible for IBM World Trade Europe, Middle East, Africa Corp, IBM World Trade Americas Group, IBM World Trade Asia/Pacific Group and IBM's Information Systems Group, as well as chairm,an and president of IBM World Trade Corp.\n\nIBM said Cassani remains chairman of IBM World Trade Europe, Middle East, Africa, and a member of the IBM Corporate Management Group. He becomes a member of the IBM Management Committee."),
]


@pytest.fixture(scope="module")
def lead_and_later(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "lead_and_later", LEAD_AND_LATER, "Reuters")


@pytest.mark.parametrize("question, wanted", [
    ("Which firm will lead the underwriting of Pillsbury's second master limited partnership?", "Merrill Lynch"),
    ("Which biotechnology company will supply the protein for Baxter's clinical trials of Factor VIII?",
     "Genetics Institute"),
    # "Finance Minister Chung In-young" holds another post than the one asked.
    ("Who is the president of Pan Ocean Shipping?", "Hahn Sang-yon"),
    # The noun asked about in a name is no name of the question's own.
    ("Which exchange will list Bell Group's 125 mln dlr European convertible bond issue?", "Luxembourg Stock Exchange"),
    ("Around what date will Transworld Liquidating Trust make its second distribution to holders?", "April 29"),
    # Two later sentences name an amount; the one that names Dunn itself wins over the one that
    # only borrows the lead's words.
    ("What were last year's sales of Dunn Paper, the subsidiary Dennison Manufacturing is selling to James River?",
     "65 mln dlrs"),
    # "John P. Desmond" shares a first name with the question's "John Geiger", not a surname.
    ("Who took over John Geiger's former post as president and chief executive officer of Flight Dynamics?",
     "John P. Desmond"),
    # The lead's "Ontario Supreme Court" is no person: the official is named in the next sentence.
    ("Which federal official is asking an Ontario court to force a shareholder vote on Southam's 1985 share "
     "swap with Torstar?", "Frederick Sparling"),
    # "Which firm ...?" asks for a business: "the United States market" names none.
    ("Which firm will manage the Malaysian Fund that is being launched in the U.S.?",
     "Morgan Stanley Asset Management"),
    # A founder is who founded: "founded" meets "founder", and "founder" meets "founded".
    ("Who founded Rolm, the IBM telephone-equipment subsidiary?", "Ken Oshman"),
    ("Who is Rolm's founder?", "Ken Oshman"),
    # "NMMC" stands for the name the question spells out, and is not itself a place.
    ("Where is Nissan Motor Manufacturing Corp USA, the Sentra plant supplied with engines by Nissan "
     "Mexicana, located?", "Smyrna, Tennessee"),
    # The scene ("before Minpeco lifted force majeure") weighs less in the flash's headline too,
    # so the headline that repeats it does not lead over the sentence that dates the halt.
    ("Since what date had production been halted at Peru's Cajamarquilla zinc refinery before Minpeco "
     "lifted force majeure?", "May 4"),
    # "When will ...?" asks for a date after the story's day: not "... its stock repurchase program
    # that began in late 1984", nor "... a provision ... in its 1986 results".
    ("When will Chrysler pay out the shares from its three-for-two split?", "April 13"),
    ("When will Nordbanken auction the Fermenta shares pledged by Refaat el-Sayed?", "March 16"),
    # A tycoon is a person; "Japanese" names a people, not the event or the tycoon asked for.
    ("Which Hong Kong tycoon is buying into Kumagai Gumi's Hong Kong subsidiary?", "Li Ka-shing"),
    ("What event was Joint Chiefs chairman William Crowe addressing when he predicted Iran would retaliate "
     "for the U.S. strike?", "American Stock Exchange conference"),
    # A stake is a number.
    ("What stake did Malaysia's central bank take in United Asian Bank?", "59.2 pct"),
    # "What did ... total?" asks for an amount, which the sentence that says "totalled" gives.
    ("What did Royal Bank of Canada's non-accrual loans total at April 30, 1987?", "3.3 billion dlrs"),
    # A word news writes for the question's: "will succeed Barnes" for "replace", "its recent
    # acquisition of <Aberford Resources Ltd>" for "acquire".
    ("Who will replace J. David Barnes at the head of Mellon Bank after his retirement?", "Nathan W. Pearson"),
    ("Which company did Encor Energy recently acquire?", "Aberford Resources"),
])
def test_a_later_sentence_holding_what_the_lead_lacks_answers(lead_and_later, question, wanted):
    assert wanted in first_sentence(lead_and_later.ask(question))


def test_his_name_asked_is_the_full_name_with_its_particles(lead_and_later):
    """"What's his name?" after a question about what the Philips chairman said: the answer names
    him in full, "Cor van der Klugt" (a name's particles join its words), from his story, and not
    a story whose "has been named an executive vice president" meets the word "name"."""
    first = lead_and_later.ask("What trade deficit in information technology did the EC post in 1984, "
                               "according to the Philips chairman?")
    assert "five billion ecus" in first_sentence(first)
    follow = lead_and_later.ask("What's his name?", history=[{"question": first.question, "answer": first.to_dict()}])
    assert "Cor van der Klugt" in first_sentence(follow)


@pytest.mark.parametrize("question, wanted", [
    ("Pillsbury has filed to sell limited partnership interests in a second Burger King master limited "
     "partnership, for an after-tax gain of 20-23 mln dlrs. Which firm will lead the underwriting?", "Merrill Lynch"),
    ("Transworld Liquidating Trust will distribute proceeds from the sale of Hilton International to UAL to "
     "its holders. When will the second distribution be made?", "April 29"),
    ("IBM has named a new president of its Rolm subsidiary, succeeding Dennis Paboojian. Who founded Rolm?",
     "Ken Oshman"),
])
def test_a_sentence_before_the_question_sets_the_scene(lead_and_later, question, wanted):
    # A news quiz tells the story first, then asks: the story's lead repeats the telling, the
    # answer is elsewhere.
    assert wanted in first_sentence(lead_and_later.ask(question))


def test_when_a_saying_is_asked_about_the_when_clause_sets_the_tense():
    from dateline.qa import tense

    assert tense.looks("Did the Reserve Bank say when the higher ratio takes effect?") == tense.EITHER
    assert tense.looks("Did the bank say when the ratio will take effect?") == tense.AHEAD
    assert tense.looks("When did the ratio take effect?") == tense.BACK


def test_what_a_sentence_says_a_thing_is_describes_it():
    q = "What chemicals would the protocol mainly restrict?"
    text = "The chemicals are chiefly chlorofluorocarbons (CFCs) which are used in refrigeration."
    assert [text[s:e] for s, e in described_things(text, thing_asked(q), stems(q))] == ["chlorofluorocarbons"]
    text = "The new product could be an electronic still camera, he said."
    assert [text[s:e] for s, e in described_things(text, "product", frozenset())] == ["electronic still camera"]
    # A deed is not what it is, nor a word that describes nothing in particular.
    assert described_things("The engine was originally proposed for the A340.", "engin", frozenset()) == []
    assert described_things("The problem is a big one.", "problem", frozenset()) == []


def test_a_name_a_sentence_says_is_the_name_of_something_is_given():
    text = "Gaspe Mines is the name of the Noranda division that operates the Murdochville mine."
    assert [text[s:e] for s, e in given_names(text, stems("What is the name of the Noranda division that "
                                                           "operates the mine?"))] == ["Gaspe Mines"]


def test_a_business_noun_calls_a_name_for_another():
    text = "Northrop paid commissions to Khashoggi's firm, Triad International Marketing, until 1975."
    span = (text.index("Triad"), text.index(", until"))
    assert called_by_head(text, span, stem("company")) and not called_by_head(text, span, stem("camp"))
    assert head("What was the Khashoggi company that Northrop retained called?") == stem("company")


@pytest.mark.parametrize("text, name, end, noun", [
    # the noun before the name with "the" between
    ("The scheme ran into criticism from the EC's financial watchdog, the Court of Auditors.", "Court", ".", "watchdog"),
    # an apposition after the name that ends with the noun
    ("Our personnel at Limerick, our other nuclear plant, were rated excellent.", "Limerick", ", our", "plant"),
    ("The other 50 pct is held by <Total Exploration S.A.>, the field's operator.", "Total", ">, the", "operator"),
    # any noun of the press calls a paper
    ("The price was first given by an Italian daily, La Repubblica, on Friday.", "La Repubblica", ", on", "paper"),
    # the noun just before the name, after "the"
    ('"I have nothing in my briefcase," Kuroda told the daily newspaper Asahi Shimbun.', "Asahi", ".", "daily"),
    ("The crew of the tanker Exxon Valdez was questioned.", "Exxon", " was", "tanker"),
])
def test_a_noun_beside_a_name_calls_it(text, name, end, noun):
    span = (text.index(name), text.index(end))
    assert called_by_head(text, span, stem(noun)) and not called_by_head(text, span, stem("camp"))


def test_a_clause_before_a_semicolon_sets_the_scene():
    assert setting("The USDA sent Congress a plan to cut the sugar loan rate; which congressman will introduce "
                   "the bill?") == stems("The USDA sent Congress a plan to cut the sugar loan rate")


def test_a_topic_typed_before_the_question_sets_the_scene():
    """As in a chat box: "Le Peep copycat lawsuit - where are the Shelly's restaurants?" asks
    where the restaurants are; the topic says which story is meant."""
    assert setting("Le Peep copycat lawsuit - where are the Shelly's restaurants?") == stems("Le Peep copycat lawsuit")
    assert setting("Peach Bottom shutdown: which other plant did Everett praise?") == stems("Peach Bottom shutdown")
    assert expected("Le Peep copycat lawsuit - where are the Shelly's restaurants?") == PLACE
    # A hyphen inside a word, or a dash with no asking word after it, is no topic.
    assert setting("Who makes the interleukin-2 drug?") == frozenset()
    assert setting("Shelly's Inc - the copycat - is where?") == frozenset()


def test_the_scene_is_every_sentence_before_the_one_that_asks():
    asked = "Rents in the US hit a record high for the 17th month in a row. Which US city saw the biggest increase?"
    assert setting(asked) == stems("rents hit record high 17th month row")
    # An abbreviation's full stop ends no sentence that sets a scene: the asking word is before it.
    assert setting("Who is the president of chewing gum maker Wm. Wrigley Jr Co?") == frozenset()
    assert setting("Long Beach, Calif. Mayor Ernie Kell said what about the port?") == frozenset()


def test_a_doer_meets_its_deed_both_ways():
    from dateline.qa.sentence_choice import WordFinder, doing

    asked = WordFinder(set(stems("Who is Rolm's founder?")))
    assert [st for _, st in asked.find("Ken Oshman founded Rolm in 1969.")] == ["founder", "rolm"]
    asked = WordFinder(set(stems("Who founded Rolm, and who will produce its phones?")))
    assert [st for _, st in asked.find("Rolm's founder met the producers.")] == ["rolm", "found", "produc"]
    # Too short a stem names no doer: an "offer" is not someone who does "off".
    assert doing("offer") is None and doing("order") is None and doing("investors") == "invest"


def test_acronyms_of_the_questions_names():
    from dateline.qa.answer_type import acronyms

    q = "Where is Nissan Motor Manufacturing Corp USA located?"
    found = acronyms(q, stems(q))
    assert found["nmmc"] == stems("Nissan Motor Manufacturing Corp") and "nmmcu" in found
    q = "What did the Bank of New York report about profits?"
    assert acronyms(q, stems(q)) == {"bny": stems("Bank New York")}


@pytest.mark.parametrize("question", ["What happened in Jakarta?", "What happened in Wellington in March 1987?",
                                      "What happened in Manila?"])
def test_what_happened_in_a_place_is_answered_by_the_stories_filed_from_it(question, reuters):
    # Eight stories are datelined Jakarta and none says "Jakarta" ("INDONESIAN WHEAT IMPORTS ...");
    # the dateline opens the wire story, so a story filed from the place is about it. The three
    # Manila stories name Manila only after their leads, and their leads are quoted.
    a = reuters.ask(question, top_k=5)
    assert a.found, a.answer
    place = question.split(" in ")[1].split()[0].rstrip("?")
    assert len(a.citations) >= 2 and {c.dateline for c in a.citations} == {place}, a.answer
    dates = [c.date for c in a.citations]
    assert dates == sorted(dates)  # a digest, in date order
    # Each line is its story's lead, the news it was filed with, not a detail that names the place.
    assert all(c.start == 0 for c in a.citations if c.excerpt_field == "body"), a.answer



# Written for the test: four outlets report one arrest; a fifth story names another state.
PRIDE_ARRESTS = [
    ("p1", "2022-06-12", "Police arrest 31 men near Pride event",
     "Police in Idaho arrested 31 men believed to be linked to the Patriot Front group near a Pride event on "
     "Saturday. The men were found in the back of a rental truck with shields and a smoke grenade."),
    ("p2", "2022-06-12", "Patriot Front members held before Pride march",
     "Thirty-one members of the Patriot Front group were arrested on Saturday near a Pride event in Coeur d'Alene, "
     "Idaho, police said. A caller had reported a little army loading into a truck."),
    ("p3", "2022-06-13", "Men arrested near Pride event charged with conspiracy to riot",
     "The 31 men arrested near the Idaho Pride event were charged with conspiracy to riot, police said. "
     "Each was released on bail on Sunday."),
    ("p4", "2022-06-13", "What we know about the Pride event arrests",
     "Police arrested 31 men near a Pride event in Idaho on a day the city had hoped would pass quietly. "
     "Most were in their twenties."),
    ("p5", "2022-06-11", "Two held after parade shooting",
     "Police in Ohio arrested two men after shots were fired near a parade on Friday. Nobody was hurt."),
]


def test_other_reports_of_the_same_answer_back_the_first_sentence(tmp_path_factory):
    pride = small_archive(tmp_path_factory, "pride", PRIDE_ARRESTS, "Test Wire")
    a = pride.ask("Police arrested 31 men near a Pride event. In which state did the arrests take place?", top_k=5)
    assert "Idaho" in first_sentence(a), a.answer
    # Every report naming Idaho is a numbered citation, though the answer says three sentences at
    # most: the ones it does not say back the first, their markers after its own.
    cited = {c.item_id for c in a.citations}
    assert cited == {"p1", "p2", "p3", "p4"}, a.answer
    said = re.findall(r"[^\]]+?((?:\[\d+\])+)", a.answer)
    assert len(said) <= 3 and said[0].startswith("[1][2]"), a.answer
    backers = [int(n) for n in re.findall(r"\d+", said[0])[1:]]
    for c in a.citations:
        if c.n in backers:
            assert "Idaho" in c.excerpt[c.highlight[0]:c.highlight[1]], c
    assert [r.item_id for r in a.related] == ["p5"]  # another state's arrests back nothing


def test_a_report_backs_the_answer_with_a_sentence_other_than_its_best(tmp_path_factory):
    # The fifth report's lead names the city, not the state; its next sentence names Idaho. It
    # backs the answer with that sentence, rather than being left among the related items.
    city_first = ("p6", "2022-06-13", "Pride event arrests: what the police said",
                  "Police arrested 31 men near a Pride event in Coeur d'Alene on Saturday, a city spokesman said. "
                  "The arrests were the most at one event in Idaho in years.")
    pride = small_archive(tmp_path_factory, "pride_city", PRIDE_ARRESTS[:4] + [city_first], "Test Wire")
    a = pride.ask("Police arrested 31 men near a Pride event. In which state did the arrests take place?", top_k=5)
    assert "Idaho" in first_sentence(a), a.answer
    backer = next((c for c in a.citations if c.item_id == "p6"), None)
    assert backer is not None, a.answer
    assert backer.excerpt[backer.highlight[0]:backer.highlight[1]] == "The arrests were the most at one event in Idaho in years."
    first_markers = re.search(r"(?:\[\d+\])+", a.answer).group(0)
    assert first_markers.startswith("[1]") and f"[{backer.n}]" in first_markers, a.answer  # it backs the first
    assert a.related == []  # its story is cited once, not also listed as related


def test_a_link_to_another_story_is_not_quoted_as_what_the_story_says(tmp_path_factory):
    from dateline.qa.sentences import link_line

    # Web pages scraped with their links: a line that is another story's headline.
    emmys = small_archive(tmp_path_factory, "link_lines", [
        ("e1", "2022-07-12", "Emmy nominations announced",
         "The Television Academy announced this year's Emmy nominations on Tuesday in Los Angeles.\n\n"
         "More:Daytime Emmys 2022: 'General Hospital' leads with the most nominations\n\n"
         "\"Succession\" earned the most nominations of any show, with 25 nods, ahead of \"Ted Lasso\"."),
        ("e2", "2022-07-10", "Streaming services compete for viewers",
         "Netflix and HBO are spending more on new shows than ever, analysts said."),
    ], "Test Wire")
    a = emmys.ask("Which show leads the Daytime Emmys 2022 nominations?", top_k=5)
    assert a.found and not any(c.excerpt[c.highlight[0]:].startswith("More:") for c in a.citations), a.answer
    assert "More:" not in first_sentence(a)
    for line in ["More:Daytime Emmys 2022: Soaps lead nominations", "READ MORE: Biden signs the bill",
                 "A history with China:Why Nancy Pelosi is visiting Taiwan", "RIP:Children's author dies at 94"]:
        assert link_line(line), line
    for line in ["The meeting starts at 10:30 GMT.", 'Haughey said:"Delors assured me of full recourse"',
                 "More than 500 people died.", "NOTE:Full company name is Continental General Insurance Co",
                 "Q:What did he say?", "More:Daytime Emmys\nlead nominations"]:
        assert not link_line(line), line


def test_a_photo_credit_and_its_caption_are_not_quoted_as_what_the_story_says(tmp_path_factory):
    from dateline.qa.sentences import photo_credit

    # A page scraped with its pictures: a caption and its credit; then a gallery's credit with the
    # next picture's caption running on, about a photo taken years before the story.
    prices = small_archive(tmp_path_factory, "photo_credits", [
        ("g1", "2022-08-10", "Grocery prices are up 13.1% from a year ago",
         "Food prices rose 13.1% over the past year, the biggest rise since 1979, the Labor Department "
         "said on Wednesday.\n\nGrocery items are still going up. Brandon Bell/Getty Images\n\n"
         "Shoppers in a market. Justin Sullivan/Getty Images Food prices rose 2% in 2015 as well.\n\n"
         "Egg prices rose 38% and flour 23%, the department said.\n\n"
         "A number of factors have contributed to the rise in food costs, economists said."),
        ("g2", "2022-08-09", "Gas prices fall for a second month",
         "The national average price of gas fell to $4.01 a gallon, AAA said."),
    ], "Test Wire")
    # Each of these quoted a caption or its credit before.
    for question in ["Who said grocery prices are still going up?", "What happened to food prices in 2015?",
                     "Grocery prices increased by more than 13% over the last 12 months. Which food item saw "
                     "the largest price increase?"]:
        a = prices.ask(question, top_k=5)
        assert a.found and "13.1%" in first_sentence(a), (question, a.answer)
        for caption in ["Getty Images", "still going up", "Shoppers in a market", "2015 as well"]:
            assert caption not in a.answer, (question, a.answer)
    for text in ["Brandon Bell/Getty Images", "Noah Berger/AP Firefighters take a break near Darrah.",
                 "Chang W. Lee/Pool/The New York Times/DPA/AP Joe Biden arrives.",
                 "J. SCOTT APPLEWHITE/AFP/POOL/Getty Images"]:
        assert photo_credit(text), text
    for text in ["NASA/ESA/CSA/STScI Webb's view shows the Cosmic Cliffs.", "London/Istanbul (CNN Business) Turkey's "
                 "inflation rose.", "The Pfizer/BioNTech vaccine is approved.",
                 "Radio Free Europe/Radio Liberty is suspending operations.", "Smith told Reuters on Monday.",
                 "The NORC/AP poll found 59% in favour.", "A Reuters/Ipsos poll showed him ahead."]:
        assert not photo_credit(text), text


def test_an_answer_does_not_say_the_same_sentence_twice_for_two_reports(tmp_path_factory):
    # Two takes of one story, a word apart; two Fed operations in the same words but for figures.
    wire = small_archive(tmp_path_factory, "restated", [
        ("o1", "1987-03-17", "OPEC WANTS 18 DLR OIL PRICE - OAPEC OFFICIAL",
         "OPEC believes world oil prices should be set around a fixed average price of 18 dlrs a barrel, "
         "an OAPEC official said today. He spoke at a conference in Brussels."),
        ("o2", "1987-03-17", "OPEC SEEKS FIXED OIL PRICE, OFFICIAL SAYS",
         "OPEC believes world oil prices should be set around a fixed average price of 18 dlrs a barrel, "
         "an OAPEC official said. The official gave no details."),
        ("o3", "1987-03-18", "SAUDI MINISTER SAYS OPEC PRICE ACCORD WORKING",
         "Saudi Arabian Oil Minister Hisham Nazer said OPEC's agreement to keep oil prices at 18 dlrs a barrel "
         "was working."),
        ("f1", "1987-03-16", "FED ADDS RESERVES VIA SYSTEM REPURCHASES",
         "The Federal Reserve entered the government securities market to arrange three-day System repurchase "
         "agreements, a Fed spokesman said."),
        ("f2", "1987-03-17", "FED ADDS RESERVES VIA CUSTOMER REPURCHASES",
         "The Federal Reserve entered the government securities market to arrange two billion dlrs of customer "
         "repurchase agreements, a Fed spokesman said."),
        ("b1", "1987-03-18", "ASSOCIATES ISSUES YEN EUROBOND",
         "The yen bonds will be listed in London and will be issued in denominations of one mln yen."),
        ("b2", "1987-03-19", "CAECL ISSUES YEN EUROBOND",
         "The non-callable yen bonds will be issued in denominations of one mln yen and will be listed in Luxembourg."),
    ], "Test Wire")
    a = wire.ask("Around what fixed average price does OPEC believe world oil prices should be set?", top_k=5)
    assert a.answer.count("OPEC believes world oil prices") == 1, a.answer
    # ... and both takes are cited for it, the second's marker after the first's.
    n = {c.item_id: c.n for c in a.citations}
    assert {"o1", "o2"} <= set(n) and re.search(rf"barrel, an OAPEC official said(?: today)?\. (\[\d+\])*"
                                               rf"\[{min(n['o1'], n['o2'])}\]\[{max(n['o1'], n['o2'])}\]", a.answer), a.answer
    a = wire.ask("What did the Federal Reserve arrange in the securities market?", top_k=5)
    assert "three-day System repurchase" in a.answer and "two billion dlrs of customer" in a.answer, a.answer
    # Nor does one that names another place: two bonds.
    a = wire.ask("Where will the yen bonds be listed?", top_k=5)
    assert "listed in London" in a.answer and "listed in Luxembourg" in a.answer, a.answer


def test_a_thing_named_in_full_or_by_its_first_or_last_words_is_the_same_thing():
    from dateline.qa.sentence_choice import same_thing

    assert same_thing("california's yosemite national park", "yosemite national park")
    assert same_thing("idaho", "coeur d'alene, idaho") and same_thing("ford motor co", "ford")
    assert not same_thing("new york stock exchange", "stock")  # not its first or last words in full
    assert not same_thing("coeur d'alene, idaho", "alene")
    assert not same_thing("u.s.", "u.s. senate")  # too short to tell apart


def test_a_post_at_an_organisation_names_its_holder_and_a_weekday_ends_a_name():
    # "House", "Bank" and "Senate" name organisations, but the words after a title name its holder.
    for text, person in [("US House Speaker Nancy Pelosi landed in Taipei.", "US House Speaker Nancy Pelosi"),
                         ("Central Bank Governor Chang Chi-cheng said so.", "Central Bank Governor Chang Chi-cheng"),
                         ("Senate Majority Leader Robert Dole said so.", "Senate Majority Leader Robert Dole")]:
        assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == [person]
    assert candidates(PERSON, "The Governor of the Bank of England said so.", frozenset()) == []
    # "Reagan Monday" is no person's two names, "Taiwan Tuesday" no place.
    text = "President Reagan Monday named a new envoy, who landed in Taiwan Tuesday."
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["President Reagan"]
    assert [text[s:e] for s, e in candidates(PLACE, text, frozenset())] == ["Taiwan"]


def test_who_is_answered_by_the_holder_of_a_post_at_an_organisation(tmp_path_factory):
    engine = small_archive(tmp_path_factory, "post_holder", [
        ("t1", "2022-08-02", "Delegation lands in Taipei",
         "The plane carrying the US congressional delegation landed in Taipei late on Tuesday after a flight "
         "from Kuala Lumpur. US House Speaker Nancy Pelosi, who led the group, said the visit honoured America's "
         "commitment to Taiwan's democracy."),
        ("t2", "2022-08-01", "China warns of consequences",
         "China's foreign ministry said a visit to Taiwan would cross a red line. Beijing summoned the US ambassador."),
    ], "Test Wire")
    assert "Nancy Pelosi" in first_sentence(engine.ask("Who led the delegation that landed in Taipei?"))


def test_a_person_is_named_before_the_of_of_where_they_work():
    lloyds = stems("Who at Lloyds of London gave the estimate of insurance claims?")
    text = "It could take weeks before the claims are known, said David Larner of Lloyds."
    assert [text[s:e] for s, e in candidates(PERSON, text, lloyds)] == ["David Larner"]
    text = "Rates will fall, said Henry Kaufman of Salomon Brothers Inc."
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["Henry Kaufman"]
    text = "Secretary of State George Shultz said so."  # "of" inside a post
    assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == ["Secretary of State George Shultz"]


def test_the_places_of_a_list_and_a_place_named_by_its_kind():
    text = "It has offices in London, Paris and Frankfurt."
    assert [text[s:e] for s, e in candidates(PLACE, text, frozenset())] == ["London", "Paris", "Frankfurt"]
    # The list goes on from the question's own place.
    jinja = stems("To which town does the rail ferry from the lake port of Jinja run?")
    text = "An accident hit the rail ferry which plies between the lake port of Jinja and Kisumu."
    assert [text[s:e] for s, e in candidates(PLACE, text, jinja)] == ["Kisumu"]
    text = "The aircraft hit Mount Osutaka on August 12, 1985."
    assert [text[s:e] for s, e in candidates(PLACE, text, frozenset())] == ["Mount Osutaka"]
    park = stems("Which US national park was hit by flooding?")
    text = "All entrances of Yellowstone National Park are closed because flooding has damaged roads."
    assert [text[s:e] for s, e in candidates(PLACE, text, park)] == ["Yellowstone National Park"]


def test_where_is_answered_by_a_place_named_by_its_kind(tmp_path_factory):
    engine = small_archive(tmp_path_factory, "mountain", [
        ("j1", "1987-06-19", "FAULTY REPAIRS CAUSED 1985 JAL CRASH, REPORT SAYS",
         "Faulty repairs and inadequate inspection caused the 1985 crash of a Japan Airlines Boeing 747 jumbo jet "
         "which killed 520 people, the government said in a final report.\n\n"
         "The aircraft hit Mount Osutaka on August 12, 1985, after a bulkhead burst."),
        ("j2", "1987-06-18", "JAPAN AIRLINES TO BUY MORE JETS",
         "Japan Airlines said it would buy six more Boeing 747 jumbo jets for delivery in Tokyo from 1989."),
    ], "Reuters")
    assert "Mount Osutaka" in first_sentence(engine.ask("Where did the Japan Airlines jumbo jet go down in August 1985?"))


def test_a_place_outside_of_which_something_stands_is_a_place():
    text = "MacDonald said the group will be based outside of Frankfurt, W. Germany, near its laboratory."
    assert "Frankfurt" in [text[s:e] for s, e in candidates(PLACE, text, frozenset())]
    text = "XP System is based in the southern Dutch airport of Maastricht, it said."
    assert "Maastricht" in [text[s:e] for s, e in candidates(PLACE, text, frozenset())]
    text = "The Bank of Japan said it would act."  # "of" alone is no place's cue
    assert candidates(PLACE, text, frozenset()) == []


def test_where_something_is_built_is_not_where_a_company_is_based(tmp_path_factory):
    engine = small_archive(tmp_path_factory, "welgen", [
        ("w1", "1987-04-01", "GENETICS, WELLCOME NAME SITE FOR VENTURE",
         "Genetics Institute Inc and Wellcome PLC, a British-based pharmaceutical company, jointly announced the "
         "selection of a site for their joint venture, WelGen Manufacturing Inc.\n\n"
         "The companies said they chose a 77-acre site in West Greenwich R.I. for the venture's manufacturing "
         "facility. <Qintex Ltd> of Brisbane said it would bid."),
    ], "Reuters")
    assert "West Greenwich" in first_sentence(engine.ask("Where will Genetics Institute and Wellcome build the plant "
                                                         "for their WelGen venture?"))
    # A company's home after its legal form and "of" is where it is based.
    assert "Brisbane" in first_sentence(engine.ask("Where is Qintex based?"))


def test_a_day_named_is_searched_over_all_dates_when_that_days_story_lacks_a_name_asked(tmp_path_factory):
    engine = small_archive(tmp_path_factory, "entwistle", [
        ("e1", "1987-04-02", "DEFENSE CONTRACTOR BOOSTS BIRD STAKE",
         "Entwistle Co said it raised its stake in Bird Inc to 8.3 pct.\n\n"
         "Entwistle, a privately held company, said it bought 102,000 Bird common shares on April 1 at 9.625 "
         "dlrs a share."),
        ("t1", "1987-04-01", "TOPPS FILES FOR INITIAL OFFERING",
         "Topps Co Inc said it has filed for an initial public offering of 4,500,000 common shares, including "
         "3,500,000 shares to be sold by shareholders."),
        ("t2", "1987-04-01", "DOW CHEMICAL BUYS SHARES",
         "Dow Chemical said it bought 2,000,000 of its common shares in the open market."),
    ], "Reuters")
    answer = engine.ask("How many Bird common shares did Entwistle buy on April 1?")
    assert "102,000" in first_sentence(answer), answer.answer


def test_a_sentences_first_word_is_no_part_of_the_name_after_it():
    q = stems("Which state has the highest average price for a gallon of regular gas?")
    text = "In California, which has the highest statewide average at $5.90 a gallon, few stations sell for less."
    assert [text[s:e] for s, e in candidates(PLACE, text, q)] == ["California"]
    text = "At Boeing, workers struck."
    assert [text[s:e] for s, e in candidates(NAME, text, frozenset())] == ["Boeing"]


def test_a_linking_adverb_opening_a_sentence_names_nothing():
    text = "Furthermore, USDA said the program gives an advantage."
    assert [text[s:e] for s, e in candidates(NAME, text, frozenset())] == ["USDA"]
    text = "Previously, the largest offering had been by Henley Group Inc."
    assert [text[s:e] for s, e in candidates(NAME, text, frozenset())] == ["Henley Group Inc"]
    text = "Three of the plants will work Saturday."
    assert candidates(NAME, text, frozenset()) == []
    # Nor "Prior to", "Due to", nor the participle of an inverted sentence (Reuters blind 88, 89).
    for text, name in (("Prior to 1986, Sigma reported only proven reserves.", "Sigma"),
                       ("Due to losses, Sigma cut jobs.", "Sigma"), ("Cut to Baa-2 were the notes.", "Baa-2")):
        assert [text[s:e] for s, e in candidates(NAME, text, frozenset())] == [name], text
    # Nor a preposition in "-ing": "Following" answered "Which investment bank ...?" before.
    text = "Following consummation of the offer, a unit of MacAndrews will merge into Revlon."
    assert [text[s:e] for s, e in candidates(NAME, text, frozenset())] == ["MacAndrews", "Revlon"]
    text = "According to Norsk Hydro, the block is operated by Tenneco."
    assert [text[s:e] for s, e in candidates(NAME, text, frozenset())] == ["Norsk Hydro", "Tenneco"]


def test_a_legal_form_alone_names_nothing():
    q = stems("Which Sears, Roebuck unit reported a quarterly loss?")
    text = "Sears, Roebuck and Co said it remains optimistic. AB Volvo and Saab AB agreed."
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["AB Volvo", "Saab AB"]


def test_a_legal_form_the_question_names_does_not_make_another_company_its_own():
    q = stems("Which company did Volvo's affiliate AB Catena take over in February 1986?")
    text = "Catena's sales rose after the takeover of Safveans AB in February 1986."
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["Safveans AB"]


def test_a_hyphened_name_is_the_questions_own_only_when_all_of_it_is():
    # The question's words split "Ciba-Geigy" into "ciba" and "geigy" (Reuters blind 91): the name is
    # its own, not an answer; "Falcon MS-DOS" holds more than the question's "MS-DOS" and answers.
    q = stems("Which company is Ciba-Geigy teaming up with in Europe to make an engineering thermoplastic?")
    text = "A Ciba-Geigy spokesman declined. Ciba-Geigy AG said it would form a venture with Phillips Petroleum Co."
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["Phillips Petroleum Co"]
    q = stems("What name was on the unauthorized copies of MS-DOS seized at Microsoft's request?")
    text = 'It seized copies of its MS-DOS operating system labeled "Falcon MS-DOS".'
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["Falcon MS-DOS"]


def test_a_name_written_out_for_the_questions_acronym_is_the_questions_own():
    # "Which CDC researcher ...?" is not answered by "the Centers for Disease Control".
    q = stems("Which CDC researcher headed the study tying antibiotics in cattle feed to salmonella?")
    text = "Researchers at the federal Centers for Disease Control, led by Dr. John Spika, tracked it in Atlanta."
    assert [text[s:e] for s, e in candidates(PERSON, text, q)] == ["Dr. John Spika"]
    q = stems("What is Uganda's major export, whose price slump the IMF said worsened its downturn?")
    text = "The International Monetary Fund said it has loaned Uganda 92.1 mln dlrs; Kampala agreed."
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["Kampala"]
    # ... and an acronym its stem shortens ("CBOE" is "cbo"; Reuters blind 78).
    q = stems("What is the name of the Morgan Stanley stock index that the CME and CBOE plan to trade?")
    text = "The Chicago Board Options Exchange, CBOE, will trade options on the EAFE index."
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["EAFE"]
    # A name an "and" runs through, which no run reads whole, and one with its legal form.
    q = stems("Which Japanese daily did MITI Vice Minister Makoto Kuroda tell he had no proposals? Are ATT's wires new?")
    text = ("Ministry of International Trade and Industry (MITI) Vice Minister Makoto Kuroda told the daily "
            "newspaper Asahi Shimbun. American Telephone and Telegraph Co said so.")
    assert [text[s:e] for s, e in candidates(NAME, text, q)] == ["Asahi Shimbun"]
    # Without the acronym in the question, the names are offered as before.
    assert "Telegraph Co" in [text[s:e] for s, e in candidates(NAME, text, stems("Which daily was told?"))]


def test_which_co_asks_for_a_business_and_whats_the_new_name_for_a_name_given():
    assert asks_business("which co operates the villespedue oil field")
    # "The name of the bank that ..." asks for a bank as "Which bank ...?" does.
    assert asks_business("I need the name of the bank that put up the financing for Metro Cable's new unit.")
    assert asks_business("What is the name of the bank that put up the financing?")
    assert asks_business("Name the company that bought Borden's canning plant in Lyons, N.Y.")
    assert not asks_business("What is the name of the company's new unit?")
    assert asks_given_name("whats the new name coopervision wants shareholders to approve")


def test_what_is_read_narrowly_enough():
    # "ex-" is "former" only before a person's noun; money only for the nouns of money asked.
    from dateline.qa.answer_type import _uncontracted

    assert expected("Which ex-diplomat spoke?") == PERSON
    assert _uncontracted("Did the Ex-Im Bank go ex-dividend?") == "Did the Ex-Im Bank go ex-dividend?"
    assert not asks_money("How much did Moodys cut the credit rating?") and asks_money("How much cash did it pay?")
    assert valued("How much is the company worth?") == frozenset()
    assert not asks_per_share("How much is a pound worth in dollars?")
    # "sold for" a price asks for money; sold for a market, or for export, does not (Reuters blind 84).
    assert asks_money("How much was the unit sold for?") and asks_money("How much did Texaco sell the unit for?")
    assert not asks_money("How much British intervention feed wheat was sold for the home market at the tender?")
    assert not asks_money("How much of the wheat was sold for export?")


def test_a_ceiling_a_volume_or_a_growth_asked_is_a_figure():
    """"What ceiling on pay rises has Spain set?" asks for a figure, as "What rate ...?" does."""
    for q in ("What ceiling on pay rises has Spain's government set?",
              "What volume of world seaborne iron ore imports does the report forecast for 2000?",
              "What annual ceiling on U.S. stockpile tin sales was agreed?"):
        assert expected(q) == NUMBER, q
    assert valued("What annual ceiling on U.S. stockpile tin sales was agreed?") == stems("annual ceiling")
    assert not asks_money("What ceiling on pay rises has Spain's government set?")


def test_the_words_someone_used_are_asked_and_quoted():
    """"What did he call the austerity measures?" is answered by the words a story quotes ('a
    "necessary antidote"'); a long quotation is a statement, not a wording, and a mark that
    closes a quotation the sentence before opened opens none."""
    from dateline.qa.answer_type import asks_wording, quoted

    for q in ("What did he call the government's austerity measures?",
              "Sony's Akio Morita - what term did he use for the assembly plants?",
              "What rating did U.S. bank regulators lower Brazil's creditworthiness to?"):
        assert asks_wording(q) and expected(q) == NAME, q
    # Asked so, the words are read among the names asked; a question asking none ("How did he
    # describe ...?") is answered by the sentence that holds most of it.
    assert asks_wording("How did Funaro describe the program?") and expected("How did Funaro describe the program?") is None
    assert not asks_wording("What is the new service called?") and not asks_wording("How many did they sell?")
    text = ('He said: "I know Brussels is not favourable to these so-called Japanese \'screwdriver factories\', '
            'but our policy is different." He defended the measures as a "necessary antidote" to losses, '
            'lowered to "substandard," bankers said, at Sony\'s and Fisons\' plants.')
    assert [text[s:e] for s, e in quoted(text)] == ["screwdriver factories", "necessary antidote", "substandard"]
    text = 'That is all," he said, calling it "nonsense."'
    assert [text[s:e] for s, e in quoted(text)] == ["nonsense"]


def test_a_run_that_goes_on_to_a_ticker_or_is_a_places_is_no_person():
    text = "Regie Nationale des Usines Renault <RENA.PA> signed; Renault President Raymond Levy said so."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems("Who is the Renault president?"))] == [
        "Renault President Raymond Levy"]
    # "Tanzania's Agriculture" and "New York-based" name no one; a post after the possessive does.
    text = ("Tanzania's Agriculture and Livestock Development Minister Paul Bomani said so, as did some "
            "New York-based traders and Britain's Prime Minister Margaret Thatcher.")
    assert [text[s:e] for s, e in candidates(PERSON, text, stems("Who is the coffee board chairman?"))] == [
        "Livestock Development Minister Paul Bomani", "Britain's Prime Minister Margaret Thatcher"]
    text = "Hong Kong's Attorney General Michael Thomas said he decided not to prosecute."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems("Who is Hong Kong's Attorney General?"))] == [
        "Hong Kong's Attorney General Michael Thomas"]


def test_pence_written_as_london_does_are_money():
    from dateline.qa.answer_type import money

    text = "The new shares are being placed at 265p each, against 30 pct of the company."
    found = candidates(NUMBER, text, frozenset())
    assert [text[s:e] for s, e in money(text, found)] == ["265"]


def test_a_percentage_asked_is_answered_by_a_share_only():
    """"By what percentage did truck sales rise ...?" is answered by "65.2 pct", not by the
    count beside it ("to 28,698")."""
    from dateline.qa.answer_type import asks_share, shares

    assert asks_share("By what percentage did Chrysler's U.S. truck sales rise?")
    assert asks_share("How many percentage points did the rate rise?")
    assert not asks_share("What is the share price?") and not asks_share("How many shares were sold?")
    # A stake asked for is a share of the company, as news gives it: "a 52.2 pct stake".
    assert asks_share("What stake in Manhattan National does Union Central hold?")
    assert asks_share("What size stake did Eastman Kodak buy in Enzon?") and asks_share("How big a stake did it buy?")
    assert not asks_share("Who holds a stake in Enzon?")
    text = "Truck sales jumped 65.2 pct to 28,698 from 17,372, while cars rose 12% and vans nine per cent."
    found = candidates(NUMBER, text, frozenset())
    assert [text[s:e] for s, e in shares(text, found)] == ["65.2 pct", "12%", "nine"]


def test_how_much_of_a_flow_values_the_figure_after_its_verb():
    """"How much soybeans did China export ...?" values the figure that exporting comes before:
    "800,000 tonnes exported last year", not the crop's "11.5 mln tonnes"."""
    assert valued("How much soybeans did China export last year?") == stems("export")
    assert valued("How much oil does Iran produce a day?") == stems("produce")
    assert valued("How much did the company earn?") == frozenset()


def test_a_keyword_question_for_a_profit_asks_for_money_of_that_noun():
    assert asks_money("Alitalia 1986 net profit?") and asks_money("What net profit did Alcoa report?")
    assert valued("Alitalia 1986 net profit?") == stems("net profit")
    assert not asks_money("What profit margin did Alcoa report?") and not asks_money("Ford car sales?")
    # Funding committed, a bonus's size, a price per tonne: money, and the amount per tonne.
    assert asks_money("how much project funding did Credit Suisse commit to California Energy")
    q = "How big was the per-tonne export bonus USDA accepted on Cam USA's wheat sale?"
    assert asks_money(q) and asks_per_share(q) and valued(q) == stems("bonus")
    text = "Sims said the bonus was 42.44 dlrs per tonne on 18,000 tonnes."
    assert [text[s:e] for s, e in per_share(text, candidates(NUMBER, text, stems(q)))] == ["42.44"]


def test_a_thing_asked_is_answered_by_the_words_a_sentence_puts_before_its_noun():
    q = "What often-repeated myth about the split does the report dismiss?"
    assert thing_asked(q) == "myth" and thing_asked("What sort of world would it help build?") == "world"
    assert thing_asked("What kind of new product did it launch?") == stem("product")  # the phrase's noun
    assert thing_asked("Which company bought it?") is None
    text = "It is no moderates v hardliners myth but a struggle, to create a better, safer world."
    assert [text[s:e] for s, e in described_things(text, "myth", stems(q))] == ["moderates v hardliners myth"]
    assert [text[s:e] for s, e in described_things(text, "world", frozenset())] == ["better, safer world"]
    # "a new menu item" only restates "Which menu item ...?"
    text = "KFC just rolled out a new menu item."
    assert described_things(text, "item", stems("Which menu item did KFC roll out?")) == []


def test_a_title_only_a_person_holds_names_one_before_a_surname_alone():
    for text, person in [("President Reagan vetoed the bill.", ["President Reagan"]),
                         ("Chancellor Kohl and President Mitterrand met.", ["Chancellor Kohl", "President Mitterrand"]),
                         ("General Motors said so.", []), ("Reagan said so.", []),
                         # An abbreviated title keeps its full stop.
                         ("Dr. Fauci said so.", ["Dr. Fauci"]), ("Sen. Dole and Rep. Wright met.", ["Sen. Dole", "Rep. Wright"])]:
        assert [text[s:e] for s, e in candidates(PERSON, text, frozenset())] == person


def test_who_is_answered_by_a_title_and_a_surname(tmp_path_factory):
    engine = small_archive(tmp_path_factory, "veto", [
        ("v1", "1987-03-27", "REAGAN VETOES HIGHWAY BILL",
         "The 88 billion dlr highway bill would fund road building for five years and raise the speed limit "
         "to 65 miles an hour on rural interstates, Transportation Secretary Elizabeth Dole said.\n\n"
         "President Reagan vetoed the bill on Friday, calling it a budget buster."),
        ("v2", "1987-03-20", "SENATE DEBATES HIGHWAY FUNDS",
         "The Senate debated highway funds for a third day."),
    ], "Reuters")
    assert "President Reagan" in first_sentence(engine.ask("Who vetoed the highway bill?"))


def test_a_question_for_the_date_wants_a_day_and_one_for_the_year_a_year():
    # "From what date will the CBOE list its new options?" is answered by "beginning April 20",
    # not by "Initial months to be listed ... will be June, September and December".
    assert unit_asked("From what date will the CBOE list its new options?") == "day"
    assert unit_asked("Which day did he resign?") == "day" and unit_asked("When did the strikes begin?") is None
    assert unit_asked("In what year did the attack happen?") == "year"
    text = "Months listed: June, September and December 1987, beginning April 20, Friday or 3rd March at the latest."
    found = candidates(DATE, text, frozenset(), frozenset())
    assert [text[s:e] for s, e in found] == ["June", "September", "December", "1987", "April 20", "Friday", "3rd March"]
    assert [text[s:e] for s, e in giving("day", text, found)] == ["April 20", "Friday", "3rd March"]
    assert [text[s:e] for s, e in giving("year", text, found)] == ["1987"]
    # Reuters writes the first nine days in words: "postponed until May four" gives the day; a
    # month in lower case before a count is no date.
    text = "The judge postponed the hearing until May four; protesters will march two miles."
    found = candidates(DATE, text, frozenset(), frozenset())
    assert [text[s:e] for s, e in giving("day", text, found)] == ["May four"]


def test_a_peoples_ground_is_a_place():
    text = "The missiles were supposed to break apart over the Iraqi desert, officials said."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Where were the missiles meant to break up?"))] == [
        "Iraqi desert"]
    text = "The tanker was hit in Kuwaiti waters, shipping sources in Bahrain said."
    assert "Kuwaiti waters" in [text[s:e] for s, e in candidates(PLACE, text, stems("Where was the tanker hit?"))]
    # The question's own ground is no answer to it.
    assert "Kuwaiti waters" not in [text[s:e] for s, e in candidates(PLACE, text, stems("Who hit ships in Kuwaiti waters?"))]


def test_a_bonds_maturity_answers_when_it_is_due_and_nothing_else():
    text = "Amro said it plans to issue 300 mln 6.75 pct capital bonds due 1988/2007. Subscriptions close on April 16."
    closing = candidates(DATE, text, stems("When do subscriptions close for Amro's capital bonds?"))
    assert [text[s:e] for s, e in closing] == ["April 16"]
    maturing = candidates(DATE, text, stems("When do Amro's capital bonds mature?"))
    assert [text[s:e] for s, e in maturing] == ["1988", "2007", "April 16"]
    text = "A ruling on the merger is due in June, lawyers said."  # an event due then: expected then
    assert [text[s:e] for s, e in candidates(DATE, text, stems("When will the court rule?"))] == ["June"]


def test_a_number_that_labels_a_name_counts_nothing():
    # "How many members of Congress sponsored the resolution?": "Forty-Six US Congressmen" counts
    # them; "Resolution 188" only names the resolution.
    text = "So Resolution 188 has wide support: Forty-Six US Congressmen, Boeing 747 jets, and on Tuesday 500 workers."
    found = candidates(NUMBER, text, frozenset())
    assert [(text[s:e], labels(text, (s, e))) for s, e in found] == [
        ("188", True), ("Forty-Six", False), ("747", True), ("500", False)]
    # A headline in capitals, a year and an amount label nothing.
    for text, number in [("GM TO LAY OFF 500 WORKERS AT MICHIGAN PLANT", "500"),
                         ("Exports to Japan 15 pct higher", "15 pct"), ("The U.S. sold Egypt 200,000 tonnes", "200,000")]:
        at = text.index(number)
        assert not labels(text, (at, at + len(number))), text


def test_a_number_in_a_models_designation_counts_nothing():
    # "How many A-6E attack jets did the Navy ground?": not the "6" of "A-6E" ...
    text = "The Navy grounded 186 of its A-6E jets, Northrop's F-5s, MD-80s and PS/2s, rated A-1-plus."
    assert [text[s:e] for s, e in candidates(NUMBER, text, frozenset())] == ["186"]
    # ... but an amount with its unit is one: "placed at 265p each".
    text = "The shares are being placed at 265p each, raising 5m stg."
    assert [text[s:e] for s, e in candidates(NUMBER, text, frozenset())] == ["265", "5"]
    # ... and so is an ordinal: "after the 118th reported sighting" tells how many there were.
    text = "She was found after the 118th reported sighting, the 2nd in Hampshire."
    assert [text[s:e] for s, e in candidates(NUMBER, text, frozenset())] == ["118", "2"]


def test_a_street_that_stands_for_an_industry_is_no_person():
    # "Which federal judge dismissed FMC's suit against Ivan Boesky?": the lead names no judge,
    # and "Wall Street" was offered as one.
    text = "FMC Corp's case against Wall Street arbitrageur Ivan Boesky was dismissed by a federal court."
    assert candidates(PERSON, text, stems("Ivan Boesky FMC")) == []
    text = "Federal Judge Ann C. Williams, in an oral ruling, said FMC had not been harmed."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems("FMC"))] == ["Federal Judge Ann C. Williams"]


def test_a_sentences_opening_word_alone_names_nothing_and_a_label_goes_with_its_noun():
    question = "Which congressional resolution condemns the 1988 massacre?"
    text = "Unlike much in Congress nowadays, Resolution 188 (officially titled: The condemnation) has wide support."
    found = candidates(NAME, text, stems(question), description(question))
    assert [text[s:e] for s, e in found] == ["Congress", "Resolution 188"]
    # A year or an amount after the name is no label of it.
    question = "Which bank reported higher profits?"
    for text in ["Chase Manhattan Bank 1986 net income rose 10 pct.", "A loan from Chase Manhattan Bank 50 mln dlrs."]:
        assert "Chase Manhattan Bank" in [text[s:e] for s, e in candidates(NAME, text, frozenset(), description(question))]


def test_a_name_labelled_by_the_noun_asked_begins_with_it():
    camp, office = head("Which camp did the IRGC hit?", objects=True), head("What office does he head?", objects=True)
    assert labelled_by_head("Camp Ashraf", camp) and labelled_by_head("Resolution 188", head("Which resolution passed?"))
    # The noun alone names nothing; a name that ends with it may be one of several offices.
    assert not labelled_by_head("Camp", camp) and not labelled_by_head("Federal Banking Supervisory Office", office)
    assert not labelled_by_head("Bank of Tokyo", head("Which bank announced the loan?"))


def test_a_name_called_by_the_noun_asked_stands_beside_it():
    division = head("Under which Federated Department Stores division will the new store operate?", objects=True)
    assert division == head("Which division grew?")  # "Federated" names a company: no verb ends the phrase
    text = "Yugoslavia will build parts for the new Ilyushin airliner, Tanjug said."
    at = text.index("Tanjug")
    assert not called_by_head(text, (at, at + len("Tanjug")), head("Which Soviet airliner will it build?"))
    # A lower-case noun after a name may be another noun's modifier: no apposition.
    text = "She named two Far East bank executives to the board."
    assert not called_by_head(text, (text.index("Far"), text.index("Far") + len("Far East")), head("Which bank won?"))
    text = "It said its U.S. Subsidiary, Chene Investments Inc, bought 2.55 mln shares."
    at = text.index("Chene")
    assert called_by_head(text, (at, at + len("Chene Investments Inc")), head("Which subsidiary bought them?"))
    text = "Federated Department Stores Inc leased a site for its MainStreet division."
    assert not called_by_head(text, (0, len("Federated Department Stores Inc")), division)


def test_a_name_holding_the_noun_asked_does_not_refer_back_to_the_answer():
    # "the singer" calls the answer by its noun; "The People's Construction Bank" is a name.
    text = "The People's Construction Bank of China is mandating four banks, lead manager Banque Indosuez said."
    found = [(text.index("Banque"), text.index("Banque") + len("Banque Indosuez"))]
    assert not refers_back(text, head("Which bank announced that loan?"), found)
    assert refers_back("After postponing her residency, the singer announced a tour.", head("Which singer toured?"), [])


def test_a_price_is_money_and_a_price_per_share_a_shares_price():
    question = "What price will NEC Information Systems charge for the PowerMate 2 personal computer?"
    assert asks_money(question) and not asks_per_share(question)
    assert not asks_money("What price rise did OPEC agree?")
    question = "What cash price per share is Cruden Investments offering for Queensland Press?"
    assert asks_per_share(question) and not asks_per_share("Which company wants a share of the Gabon block?")
    text = "The board recommended the one billion dlr bid by Cruden. The 23 dlrs a share cash-only offer is fair."
    found = money(text, candidates(NUMBER, text, stems(question)))
    assert [text[s:e] for s, e in found] == ["one", "billion", "23"]
    assert [text[s:e] for s, e in per_share(text, found)] == ["23"]


def test_the_number_of_a_thing_is_its_label_and_the_number_of_things_a_count():
    assert asks_label("What is the number of the US House resolution condemning Iran over the 1988 massacre?")
    assert asks_label("What number does the resolution carry?") and asks_label("What is the resolution's number?")
    assert not asks_label("What is the number of the victims killed?") and not asks_label("How many people died?")
    assert asks_label("Give the number of the bipartisan congressional resolution on the 1988 killings.")
    # "the number of" things counts them, as "how many" does: a label ("Resolution 188") answers no count.
    assert counted("Give the number of members of Congress behind the measure.") == {"member", "congress"}
    assert counted("Give the number of the resolution.") == frozenset()


def test_a_name_given_by_a_change_of_name_answers_what_new_name():
    question = "What new name will White Engine take after its sale to the investor group led by Donald Stewart?"
    assert asks_given_name(question) and expected(question) == NAME
    text = "The company said it will change its name to Hercules Engines Inc, and Stewart will own most of it."
    # "Engines" is the question's word too: only the naming words make the name a new one.
    assert [text[s:e] for s, e in given_names(text, stems(question))] == ["Hercules Engines Inc"]


def test_a_name_changed_for_a_unit_and_a_capitalised_noun_of_a_name():
    question = "What is Comsat's Hi-Net Communications unit called now?"
    text = ("Communications Satellite Corp said it changed the name of its Hi-Net Communications unit to "
            "Comsat Video Enterprises to better reflect the nature of the unit's business.")
    assert [text[s:e] for s, e in given_names(text, stems(question))] == ["Comsat Video Enterprises"]
    # "Star" in "North Star Uranium" is a name's word, not a star asked for.
    assert expected("What is North Star Uranium called after its name change?") == NAME
    assert expected("WHAT COUNTRIES HAVE NEWLY JOINED THE UNITED NATIONS") == PLACE
    assert expected("Which U.S. District Judge ordered the investigation?") == PERSON  # a title asks for its holder


def test_a_topic_ending_in_a_dates_noun_asks_for_a_date():
    assert expected("avon giorgio purchase closing date") == DATE
    assert expected("iran nuclear deal") is None


def test_the_key_one_of_something_is_what_a_sentence_says_the_most_important_one_is():
    assert expected("On June 24, what was named as the key point of disagreement between the two?") == THING
    assert asks_key("What is the main point of dispute between them?") and not asks_key("What is its main product?")
    text = "There is a growing divide. The most important difference is the role of the ministry, officials said."
    assert [text[s:e] for s, e in key_things(text)] == ["the role of the ministry"]


def test_a_way_of_acting_or_a_response_asked_for_is_a_thing():
    assert expected("What approach does Trump prefer toward Iran?") == THING
    assert expected("What reaction did the announcement provoke around the globe?") == THING
    assert thing_asked("Tell me what Western policy toward the mullahs Gobadi wants ended.") == "policy"
    assert expected("Which company plans to buy the unit?") == NAME  # a plan is no way of acting asked for


def test_a_people_is_told_from_its_country():
    assert people_of("italian", "italy") and people_of("iranian", "iran") and people_of("chinese", "china")
    assert not people_of("italy", "italy") and not people_of("iranair", "iran") and not people_of("brian", "britain")


def test_keywords_ending_in_name_ask_for_one():
    assert expected("china state employees wage bill q1 total") == NUMBER  # and a figure's noun for a figure
    assert expected("salomon brothers chief economist name") == PERSON  # a person's noun before it
    assert expected("coopervision new company name") == NAME
    assert expected("PRESIDENT KENNEDY'S CHOICE OF NAME") is None  # a topic in capitals


# Written for the test: the story that names the firm most is not the one that names its economist.
ECONOMIST = [
    ("e1", "1987-04-08", "SALOMON BROTHERS SEES HIGHER RATES",
     "Salomon Brothers Inc expects higher interest rates this year, its economists said.\n\n"
     "Salomon Brothers said the Federal Reserve would tighten credit."),
    ("e2", "1987-04-07", "TREASURY YIELDS SEEN RISING",
     "Yields of U.S. Treasury bonds will probably rise this year, analysts said.\n\n"
     "For instance, Henry Kaufman, chief economist with Salomon Brothers Inc, said in his weekly comments "
     "that yields would rise to nine pct."),
]


def test_keywords_asking_for_a_name_are_answered_by_the_sentence_that_gives_it(tmp_path_factory):
    # Keywords without "?" read as a topic are answered story by story in rank order; ending in
    # "name", they ask one thing, and are answered as the question they are.
    engine = small_archive(tmp_path_factory, "economist", ECONOMIST, "Reuters")
    a = engine.ask("salomon brothers chief economist name")
    assert "Henry Kaufman" in first_sentence(a), a.answer


def test_a_post_a_sentence_names_someone_to_may_be_a_lesser_rank():
    question = "Who is the company's president?"
    text = "It said Harold C. Wells has been named executive vice president-Systems Group."
    assert not names_exactly(PERSON, text, stems(question), posts=frozenset({"president"}))
    text = "It said Harold C. Wells has been named president of the Systems Group."
    assert names_exactly(PERSON, text, stems(question), posts=frozenset({"president"}))


def test_what_how_many_counts_ends_at_a_preposition():
    assert counted("The drought is hitting how many counties in the province?") == {"county"}
    assert counted("How many tonnes of wheat did China buy?") == {"tonn", "wheat"}
    assert counted("How many barrels per day will it pump?") == {"barrel"}


def test_a_generation_after_a_surname_needs_the_given_name_too():
    # "Joseph B. Ely II" is the question's Joseph Ely; "August Busch III" is not its Anheuser-Busch.
    ely = "Who is becoming president of Amoskeag Co now that Joseph Ely has taken over as chairman?"
    text = "Amoskeag Co said Joseph B. Ely II became chairman, succeeding Albert B. Hunt."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(ely))] == ["Albert B. Hunt"]
    busch = "Who takes over from Dennis Long as president of Anheuser-Busch's beer unit?"
    text = "He will be replaced as president of the unit by August Busch III, chairman of the company."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems(busch))] == ["August Busch III"]


def test_places_by_a_place_noun_after_them_or_the_country_a_member_sits_for():
    question = "From which Montreal airport will Nationair fly its new Brussels service?"
    text = "Nationair plans to begin service between Montreal's Mirabel airport and Brussels three times a week."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems(question))] == ["Montreal's Mirabel"]
    # A people's adjective before the noun is no place.
    text = "Tremors hit the northern area of the Indonesian island of Sumatra."
    assert candidates(PLACE, text, stems("Which river's dam was left leaking by the earthquake?")) == []
    text = "Ryszard Czarnecki, a former member of the European Parliament for Poland, wrote an op-ed."
    assert [text[s:e] for s, e in candidates(PLACE, text, stems("Which country did he represent?"))] == ["Poland"]
    # A town's name ending in "City" names no person.
    text = "Hanson Industries proposed to sell its Montana City plant, said Gordon White, its chairman."
    assert [text[s:e] for s, e in candidates(PERSON, text, stems("Who chairs Hanson Industries?"))] == ["Gordon White"]


def test_a_date_asked_with_a_word_before_it_is_a_date():
    # Reuters blind 48: "set October 1 as a target date for an agreement" was passed over for
    # a sentence naming the United States, read as a "which" name.
    assert expected("What target date has Clayton Yeutter set for reaching a free trade agreement?") == DATE
    assert expected("Which closing date did the two companies agree?") == DATE
    assert expected("What record date is set for the dividend?") == DATE
    assert expected("What did the day trader buy?") != DATE  # "did": a verb, no modifier
    # A date's noun in the plural (Reuters blind 50)
    assert expected("During which days will the Bundesbahn's new 900 mln mark issue be sold?") == DATE
    assert expected("To which years has Bonn pushed back Sierra Leone's debt payments?") == DATE
    assert expected("In what months did sales fall?") == DATE


def test_how_powerful_asks_for_a_figure():
    assert expected("How powerful was the USSR's latest nuclear test blast?") == NUMBER
    assert expected("How deep is the new well?") == NUMBER


def test_a_season_of_a_year_is_a_date_and_a_shows_season_a_name():
    assert expected("In which season of 1988 were the political prisoners put to death?") == DATE
    assert expected("Which season of last year saw the most strikes?") == DATE
    assert expected("In which season did the offensive start?") == DATE
    assert expected("At what time of year were the prisoners executed?") == DATE
    assert expected("Which season of 'Succession' won the award?") == NAME
    assert expected("Which season ticket holders were refunded?") != DATE
    text = "Throughout the summer of 1988 in Iran, some 30,000 political prisoners were executed."
    assert [text[s:e] for s, e in candidates(DATE, text, frozenset())] == ["summer", "1988"]
    # A crop's season and a town's name are no dates.
    text = "U.S. winter wheat plantings rose, the firm in Silver Spring, Md., said."
    assert candidates(DATE, text, frozenset()) == []


def test_a_town_before_texas_or_a_canadian_province_as_news_abbreviates_them_is_a_place():
    question = "In which Texas town was the failed Farmers State Bank?"
    text = "The deposits of the failed Farmers State Bank, Hart, Tex., were assumed by a bank in Hamilton, Ont., on Friday."
    found = [text[s:e] for s, e in candidates(PLACE, text, stems(question), description(question))]
    assert "Hart" in found and "Hamilton" in found


def test_a_company_named_in_the_possessive_is_no_person():
    text = "He was part of Merrill Lynch Pierce, Fenner and Smith Inc's merger department, said John Smith's aide."
    assert "Smith Inc's" not in [text[s:e] for s, e in candidates(PERSON, text, frozenset())]


# Written for the test in the manner of a wire story: the answer calls the thing by the question's
# noun ("The system ...") and says what it is in lower case.
VALVES = [
    ("v1", "1987-04-07", "UTILITY SUES THREE OVER VALVES FOR CRESTVIEW PLANT",
     "Northfield Power Co said it has filed suit seeking 200 mln dlrs in damages against three companies "
     "involved with the design of the valve system for its Crestview nuclear plant.\n\n"
     "The company said the suit, filed in State Supreme Court, names Acme Valve Inc, Baxter Industries Inc "
     "and Corwin Manufacturing Co.\n\n"
     "The ball-type main steam isolation valve system was removed from Crestview in March after tests in "
     "which the valves failed to meet specifications. The system is now being replaced by a Y-pattern globe "
     "valve system.\n\n"
     "It said the 200 mln dlr figure is a preliminary estimate."),
]


def test_what_a_sentence_says_the_thing_asked_is_answers_though_it_refers_back_to_it(written):
    # "The system ..." refers back to the thing asked; what it says the system is answers.
    a = written.ask("What system is replacing the ball-type main steam isolation valves at the Crestview plant?")
    assert "Y-pattern globe valve system" in first_sentence(a), a.answer


# Written for the test in the manner of a wire story: what the wires are made of is said in lower
# case, and another sentence names temperature scales, which a "What material ...?" read as
# asking for a name would offer.
WIRES = [
    ("w1", "1987-04-02", "HARTWELL DEVELOPS SUPERCONDUCTING WIRE",
     "Hartwell Electric Corp said it has developed superconducting wires that can be formed into coils for "
     "use in motors and power lines.\n\n"
     "It said when cooled to 91 degrees Kelvin, or 296 degrees below zero Fahrenheit, the new wires conduct "
     "electricity without resistance.\n\n"
     "Hartwell said the wires are made of a lanthanum-strontium-copper oxide compound.\n\n"
     "It said many engineering details remain to be worked out."),
]


def test_what_a_thing_is_made_of_is_answered_by_what_follows_made_of(written):
    assert asks_material("what material are Hartwell's new superconducting wires made from?")
    assert asks_material("What is Toshiba's superconductive wire made of?")
    assert not asks_material("Who made the offer?") and not asks_material("What did they build from scratch?")
    text = "The wires it uses are a blend of yttrium, barium and copper oxide and can conduct with no resistance."
    assert [text[s:e] for s, e in materials(text)] == ["yttrium, barium and copper oxide"]
    text = "The superconductor, made from a blend of yttrium, barium and copper, is undergoing tests."
    assert [text[s:e] for s, e in materials(text)] == ["a blend of yttrium, barium and copper"]
    a = written.ask("what material are Hartwell's new superconducting wires made from?")
    assert "lanthanum-strontium-copper oxide compound" in first_sentence(a), a.answer


def test_what_a_company_makes_is_what_follows_the_verb_of_making():
    # "What does River Oaks ... make?" asks for what it makes, which a sentence says after the
    # verb or its doer ("a maker of mobile homes"), in lower case.
    assert object_verb("What does River Oaks, the company an investor is taking control of, make?") == stem("make")
    assert object_verb("What will Steertec Lenkungen, the new company formed by ZF, develop?") == stem("develop")
    assert expected("What will Steertec Lenkungen develop?") == THING
    # Not a question whose last word is no verb of making, nor one a copula opens.
    assert object_verb("What is the name of the bulk carrier held up by the fire?") is None
    assert object_verb("What does its new offer include besides cash?") is None
    text = "The company, a maker of mobile homes, said it ended talks; Steertec will develop power steering systems."
    assert [text[s:e] for s, e in objects(text, stem("make"))] == ["mobile homes"]
    assert [text[s:e] for s, e in objects(text, stem("develop"))] == ["power steering systems"]


# Written for the test in the manner of a wire story: what the company makes is said once, by its
# doer, in a sentence that holds few of the question's words.
HOMES = [
    ("h1", "1987-04-06", "BIRCH HOLLOW <BHI> TO GIVE CONTROL TO INVESTOR",
     "Birch Hollow Industries Inc said it agreed in principle to give control of the company to Walter Penning, "
     "a Chicago investor, in return for 2.6 mln dlrs in capital.\n\n"
     "The company, a maker of mobile homes, said it ended merger talks with Lakeview Group.\n\n"
     "Penning would take 60 pct of the company's stock under the agreement, Birch Hollow said."),
]


def test_a_question_ending_with_a_verb_of_making_is_answered_by_what_is_made(written):
    a = written.ask("What does Birch Hollow, the company an investor is taking control of, make?")
    assert "mobile homes" in first_sentence(a), a.answer


# Written for the test in the manner of a wire story: the lead names the country, a later
# sentence the province asked for.
STORM = [
    ("s1", "1987-04-20", "HAILSTORMS DAMAGE RAPESEED IN CHINA",
     "The yield on 46,000 hectares of rapeseed in central China will be cut by up to 70 pct by hailstorms and "
     "tornadoes that swept across the area, the New China News Agency said.\n\n"
     "The storm, which lashed the Huai river and eastern Anhui province, left two people dead.\n\n"
     "Officials said replanting would begin next week."),
]


def test_which_province_is_answered_by_a_province_not_the_country(written):
    a = written.ask("In which province did hailstorms and tornadoes damage rapeseed crops?")
    assert "Anhui province" in first_sentence(a), a.answer


def test_a_firm_asked_for_is_no_person_and_no_public_body():
    text = ("Calder Group, owned by Ronald Perelman, filed with the Securities and Exchange Commission; "
            "Charles Schwab and Co and Salomon Brothers Inc will manage it.")
    spans = {m.group(0): names_no_firm(text, m.start(), m.end()) for m in NAME_RUN.finditer(text)}
    assert spans["Ronald Perelman"] and spans["Securities"] and spans["Exchange Commission"]
    assert not spans["Calder Group"] and not spans["Charles Schwab"] and not spans["Salomon Brothers Inc"]
    text = "Holders of a forged Euronote told Eurotunnel and Euroclear. Non-precious metals rose, said Rob Jolly."
    spans = {m.group(0): names_no_firm(text, m.start(), m.end()) for m in NAME_RUN.finditer(text)}
    assert spans["Euronote"] and not spans["Eurotunnel"] and not spans["Euroclear"]
    assert spans["Non-precious"] and spans["Rob Jolly"]  # a sentence's opening word; a short given name
    text = "The U.S. Environmental Protection Agency fined Borden Inc."
    assert names_no_firm(text, text.index("U.S."), text.index(" fined"))
    text = "Coca-Cola and Hewlett-Packard said."
    assert not any(names_no_firm(text, m.start(), m.end()) for m in NAME_RUN.finditer(text))
    text = "It is owned by the China International Exhibition Centre and Genetics Institute."
    spans = {m.group(0): names_no_firm(text, m.start(), m.end()) for m in NAME_RUN.finditer(text)}
    assert spans["China International Exhibition Centre"] and not spans["Genetics Institute"]
    # A body named for what it oversees, wherever it stands in the run (Reuters blind 85: not what
    # "Which airline ...?" asks); a firm with such a word in its name stays one.
    text = "The U.S. Department of Transportation's Office of Public Counsel urged it, as Federated Department Stores did."
    spans = {m.group(0): names_no_firm(text, m.start(), m.end()) for m in NAME_RUN.finditer(text)}
    assert spans["The U.S. Department of Transportation's Office of Public Counsel"]
    assert not spans["Federated Department Stores"]


def test_a_season_and_an_airline_name_no_person():
    # Reuters blind 81 and 85: "Texas Air" is no president of Eastern, "Spring's" no radio station.
    text = "Texas Air said it would switch six of Eastern's jets, and next Spring's election nears."
    assert candidates(PERSON, text, stems("who is eastern airlines president")) == []
    assert [text[s:e] for s, e in candidates(NAME, text, stems("Which radio station did Eastern talk to?"))] == [
        "Texas Air"]


def test_a_name_sharing_only_a_company_word_with_the_question_is_not_its_own():
    # "International" is shared by many firms' names: the lead manager answers.
    q = "Which firm is lead managing Kawasaki Steel International Finance's stepped coupon eurobond?"
    text = ("Kawasaki Steel International Finance Plc is issuing a stepped coupon 30 mln dlr eurobond, "
            "lead manager Wako International Europe Ltd said.")
    assert [text[s:e] for s, e in candidates(NAME, text, stems(q))] == ["Wako International Europe Ltd"]


# Written for the test in the manner of a wire story: the lead names the bidder's owner, the
# last sentence the commission the offer is filed with; the bank asked for is in between.
TENDER = [
    ("t1", "1987-04-08", "CALDER GROUP RAISES OFFER FOR MONTFORT",
     "On April 1, Calder Group, owned by Ronald Perelman, offered 22 dlrs a share for the 60 pct of Montfort "
     "shares he did not already own.\n\n"
     "Kestrel Lambert Inc is acting as dealer-manager for the offer, the companies said.\n\n"
     "Calder said it will file revised tender offer material with the Securities and Exchange Commission."),
]


def test_which_investment_bank_is_answered_by_a_firm(written):
    a = written.ask("Which investment bank is dealer-manager for Calder Group's tender offer for Montfort?")
    assert "Kestrel Lambert Inc" in first_sentence(a), a.answer


# Written for the test in the manner of wire stories: one price is told, the other is not.
UNDISCLOSED = [
    ("u1", "1987-06-29", "HALDEN CORP <HLDN.O> BUYS PRIVATE FIRM",
     "Halden Corp said it bought privately held Storage Lines Inc for an undisclosed sum.\n\n"
     "Storage Lines makes disk drive subsystems for personal computers."),
    ("u2", "1987-01-12", "GARNET <GRNT.O> COMPLETES BRISCO PURCHASE",
     "Garnet Instruments said it paid 12 mln dlrs for Brisco Labs, a maker of test equipment."),
]


def test_a_sentence_that_gives_nothing_of_the_kind_asked_says_so(written):
    a = written.ask("How much did Halden Corp pay for Storage Lines Inc?")
    assert a.found and a.citations[0].item_id == "u1", a.answer
    assert "the story quoted first does not give a figure in the sentence quoted; " \
           "the archive may not hold what is asked" in a.notes
    b = written.ask("How much did Garnet Instruments pay for Brisco Labs?")
    assert "12 mln dlrs" in first_sentence(b), b.answer
    assert not any("sentence quoted" in note for note in b.notes), b.notes


# Written for the test in the manner of wire stories: the lead gives a crop's fall as a share,
# a later sentence the amount.
HARVEST = [
    ("k1", "1987-03-20", "KENYA COFFEE DELIVERIES TO FALL 40 PCT",
     "Coffee deliveries to Kenya's state-owned Coffee Board (KCB) will fall by over 40 pct this year, "
     "following poor rains in the highlands, trade sources said.\n\n"
     "They said 1987 deliveries are expected to decline to around 72,000 tonnes from 120,000 tonnes last year.\n\n"
     "Most of the crop is sold at the weekly auctions in Nairobi."),
]


def test_how_much_of_a_thing_is_answered_by_an_amount_not_a_share(written):
    a = written.ask("How much coffee is Kenya's Coffee Board expected to receive in 1987?")
    assert "72,000 tonnes" in first_sentence(a), a.answer
    b = written.ask("By how much will coffee deliveries to Kenya's Coffee Board fall?")
    assert "40 pct" in first_sentence(b), b.answer
    assert asks_amount("How much maize is the board expected to receive?")
    assert not asks_amount("How much stiffer than aramid is Kevlar 149?")
    assert not asks_amount("how much matsushita's new copier costs")


# Written for the test in the manner of wire stories: the lead cuts costs by a share, a later
# sentence counts the posts by another word than the question's.
CUTS = [
    ("j1", "1987-03-10", "NORWOOD AIR <NWA> TO CUT MANAGEMENT COSTS",
     "Norwood Air Corp said its Norwood Airlines unit will reduce management costs by 15 pct, or about "
     "40 mln dlrs, through job cuts, salary freezes and other measures.\n\n"
     "The airline said it will eliminate 212 management positions and freeze all management salaries.\n\n"
     "Norwood said it is seeking a 10 pct pay cut from its unions."),
]


def test_how_many_jobs_is_answered_by_the_positions_counted_not_a_share(written):
    a = written.ask("how many mgmt jobs is norwood air cutting")
    assert "212" in first_sentence(a), a.answer


# Written for the test in the manner of wire stories: two months' figures from the Bureau of
# Mines, one of gold and one of silver, whose year's total reads much like the month asked.
METALS = [
    ("m1", "1987-03-12", "U.S. GOLD PRODUCTION ROSE IN DECEMBER",
     "U.S. mine production of gold rose to 244,900 troy ounces in December from 244,749 ounces in November, "
     "the Bureau of Mines said.\n\n"
     "Imports of gold in December were 692,700 ounces, against 611,811 ounces a year earlier."),
    ("m2", "1987-03-12", "U.S. SILVER PRODUCTION ROSE IN DECEMBER",
     "U.S. mine production of silver rose in December, the Bureau of Mines said.\n\n"
     "Mine production in the 12-month period Jan-Dec, 1986 totaled 31,720,769 ounces, vs 39,357,197 ounces "
     "produced in December 1985, the U.S. mines bureau said."),
]


def test_how_much_of_a_thing_is_not_answered_by_a_story_that_never_names_it(written):
    a = written.ask("How much gold did U.S. mines produce in December 1986, according to the Bureau of Mines?")
    assert "244,900 troy ounces" in first_sentence(a), a.answer
    assert measured("How much gold did U.S. mines produce?") == {"gold"}
    assert measured("How much cash will it pay?") == frozenset()  # money goes by many names


# Written for the test in the manner of a wire story: the ships counted are "vessels" there.
ICE = [
    ("i1", "1987-02-20", "HIGH WINDS KEEP VESSELS TRAPPED IN BALTIC ICE",
     "Weather officials in Sweden said the icy conditions in the Baltic were the worst for 30 years, with "
     "ships fighting a losing battle to keep moving.\n\n"
     "Off Finland and Sweden up to 40 vessels were reported to be stuck in the ice, coastguard officials said."),
]


def test_how_many_ships_counts_the_vessels_news_writes_of(written):
    a = written.ask("how many ships stuck in baltic ice off finland and sweden")
    assert "40 vessels" in first_sentence(a), a.answer


# Written for the test in the manner of a wire story: the lead names the offer rejected, a later
# sentence the raised one.
RAISED = [
    ("r1", "1987-03-19", "BIRCHWOOD <BRCH> HAS NO COMMENT ON NEW OFFER",
     "Birchwood Inc had rejected Harlan Industries' earlier 21 dlr per share offer, saying it was an "
     "undervalued bid.\n\n"
     "Harlan Industries amended its 21 dlr per share tender offer, raising it to 26 dlrs per share.\n\n"
     "Birchwood rose 1-1/2 to 27 in over-the-counter trading."),
]


def test_the_new_offer_is_not_answered_by_the_one_called_earlier(written):
    a = written.ask("whats harlan industries new per share offer for birchwood")
    assert "26 dlrs" in first_sentence(a), a.answer


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Engine:
    """One archive of the stories written for these tests (VALVES ... RAISED)."""
    stories = VALVES + WIRES + HOMES + STORM + TENDER + UNDISCLOSED + HARVEST + CUTS + METALS + ICE + RAISED
    return small_archive(tmp_path_factory, "written", stories, "Reuters")


# Written for the test in the manner of wire stories: the newest story is of a week that holds
# another city's bankers; the pledges of "last week" are told in a story of April.
PLEDGES = [
    ("p1", "1987-04-21", "UGANDA PLAN SEEKS 2.4 BILLION DLRS",
     "The Ugandan government's four year plan seeks to raise 2.4 billion dlrs in investment funds.\n\n"
     "It says the government had already secured 1.4 billion dlrs in pledges before Islamic lenders promised "
     "a further 494 mln dlrs at a conference in Kampala last week."),
    ("p2", "1987-06-01", "OMAN CENTRAL BANK TO ISSUE TREASURY BILLS",
     "Oman's central bank will offer weekly treasury bills to commercial banks, bankers in Muscat said.\n\n"
     "Lenders meeting this week said the bills would give banks new money market instruments."),
]


@pytest.fixture(scope="module")
def pledges(tmp_path_factory) -> Engine:
    return small_archive(tmp_path_factory, "pledges", PLEDGES, "Reuters")


def test_last_week_of_a_story_is_searched_over_all_dates_when_the_newest_week_lacks_its_names(pledges):
    # "Last week" counted back from the newest item (26 May - 1 June) holds only Oman's bankers,
    # who name neither Uganda nor Islamic lenders: the week is the April story's.
    a = pledges.ask("In which city did Islamic lenders meet last week and pledge new money for Uganda?")
    assert a.found and a.citations[0].item_id == "p1" and "Kampala" in first_sentence(a), a.answer
    assert any(n.startswith("no story dated") and "names Islamic and Uganda" in n for n in a.notes), a.notes

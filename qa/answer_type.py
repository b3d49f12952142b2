"""What a question asks for (a person, a name, a place, a date, a number) and where a text offers one.

"Which former Italian foreign minister wrote for Fox News?" wants a person's name that the
question does not already hold; "How many bags arrived?" wants a number. The answer step adds
this evidence to word overlap, so that the sentence naming "Giulio Terzi" beats the one that
only repeats the question's words. Patterns, not a model: a wh-word and the noun after it.

>>> expected("How many bags of cocoa arrived in the week?")
'number'
>>> text = "The former minister wrote for Fox News. Giulio Terzi wrote it."
>>> [text[s:e] for s, e in candidates("person", text, {"minist", "wrote", "fox", "new"})]
['Giulio Terzi']
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from dateline.index.dates import MONTH_PATTERN

from .places import CITIES, COUNTRY_NAMES, DEMONYMS, LANDMARKS, PLACES
from .sentences import sentences
from .words import STOP_WORDS, TAKE_PLACE, UPPER, WORD, rare_in_general, stem, stems

PERSON, NAME, PLACE, DATE, NUMBER, REASON = "person", "name", "place", "date", "number", "reason"
THING = "thing"  # "What kind of aircraft ...?": a thing described in lower case ("a joint combat helicopter")
KINDS = (PERSON, NAME, PLACE, DATE, NUMBER, REASON, THING)

# Nouns after "which"/"what" that name the kind of answer: "which national park" wants a place,
# "which former minister" a person.
_PLACE_NOUNS = ("country countries state states city cities region regions area areas nation nations "
                "town towns province provinces continent island islands place places capital county port "
                "territory location park parks village border sea river site venue airport factory "
                "plant headquarters")
_PERSON_NOUNS = ("minister ministers president presidents official officials leader leaders star stars actor "
                 "actress singer player players ceo chief executive chairman senator senators governor "
                 "governors lawmaker lawmakers politician spokesman spokeswoman man woman person people "
                 "king queen prince princess pope judge general candidate member members head director "
                 "founder author writer journalist celebrity athlete quarterback coach secretary "
                 "ambassador envoy diplomat commander premier mayor host personality musician rapper "
                 "sergeant colonel captain lieutenant officer soldier analyst economist scientist "
                 "researcher lawyer attorney prosecutor tycoon magnate billionaire financier businessman "
                 "businesswoman entrepreneur banker congressman congresswoman congressmen legislator "
                 "legislators negotiator negotiators manager managers administrator undersecretary deputy "
                 "trader commissioner activist academic investor boss bosses")
_NUMBER_NOUNS = ("percentage percent share proportion number amount price age figure sum total rate "
                 "cost value size score sales revenue revenues profit profits earnings income loss losses "
                 "deficit surplus debt dividend turnover output population budget stake level salary coupon premium ceiling yield "
                 "growth production reserves exports imports volume margin ratio quota capacity")
_DATE_NOUNS = "year date day month time week decade century deadline period"
# "What is the payment date of ...?": a date noun a little after "what is the" asks for a date too
# (only date, day or deadline: "what were last year's sales" asks for a number).
_DATE_ASKED = r"(?:(?:is|was|are|were|will\s+be)\s+(?:the\s+)?(?:[\w’'-]+\s+){0,2}?(?=(?:date|day|deadline)\b))?"
# The verbs that make a question of what follows them; with "shall", "may", "might", "must" they
# are the auxiliaries that make a "When ..." clause ask.
_VERBS = "is|are|was|were|do|does|did|will|would|can|could|should|has|have|had"
_AUXILIARIES = _VERBS + "|shall|may|might|must"
_AUX = _AUXILIARIES.replace("|", " ") + " happened happens this that about if kind sort type"
# "which US national park": up to three words before the noun, or a name of up to five and a word
# ("Which Goldman Sachs International Corp executive ...?", "Which American Soybean Association
# vice president ...?"); a date noun comes next to its
# wh-word ("what year"), or "do what this week?" would ask for a date.
# A form of "be" may be the first of them ("What were last year's sales ...?"), no other verb:
# "Since what year has General Motors' ..." asks for a year, not a general.
# A word of the phrase may be a dotted abbreviation: "Which U.S. company", "Which U.K. city".
_PHRASE_WORD = r"(?:(?:[a-z]\.){2,}|[\w’'/&-]+)"  # "Royal Dutch/Shell's", "AT&T's"
# Nor a past tense before its object: "Which newspaper quoted U.S. officials ...?" asks for no official.
_NOT_VERB = rf"(?!(?:{_VERBS})\b)(?![a-z]+ed\s+(?:the|a|an|its|his|her|their|(?-i:[A-Z]))){_PHRASE_WORD}\s+"
# A date noun right after the asking word, past a word or two that are no verb: "What target date
# has Yeutter set ...?", "Which closing date ...?" (see _WH_NOUN).
_DATE_MODIFIED = rf"(?:{_NOT_VERB}){{1,2}}?(?=(?:date|day|deadline)\b)"
# After "what is", the noun is no name's capitalised word ("What is North Star Uranium called
# ...?" asks for no star; "Which U.S. District Judge ...?" asks for a judge); a question in
# capitals keeps its nouns.
_NOT_TITLE_CASE = r"(?-i:(?![A-Z][a-z]))"
# After "is", up to four words and no preposition: "What was East Malaysia's palm oil production
# ...?" asks for a figure; "What is the title of economist Ravi Batra's book?" for no economist.
_NOT_VERB_NOR_OF = rf"(?!(?:{_VERBS}|of|for|in|at|on|to|from|with|by|about)\b){_PHRASE_WORD}\s+"
_MODIFIERS = rf"(?:(?:is|are|was|were)\s+(?:{_NOT_VERB_NOR_OF}){{0,4}}?{_NOT_TITLE_CASE}|(?-i:(?:[A-Z][\w.&'’-]*\s+){{3,5}}(?:[a-z]+\s+)?)|(?:{_NOT_VERB}){{0,3}}?)"


def _nouns(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


# "How powerful was the blast?" asks for its figure ("up to 20 kilotonnes") as "how big" does.
_HOW_NUMBER = re.compile(r"\bhow\s+(?:many|much|old|long|far|big|large|tall|high|often|fast|powerful|heavy|deep|wide)\b",
                         re.I)
# "Name the Marine sergeant arrested ...", "Identify the company that ...": a request that asks
# as "which" does.
_ASKS_BY_REQUEST = r"^\W*(?:please\s+)?(?:name|identify)\b"
_WH = rf"(?:\b(?:which|what)|{_ASKS_BY_REQUEST}\s+(?:the|a|an))"
_REQUEST = re.compile(_ASKS_BY_REQUEST, re.I)  # "Name the ...", not "Which name ..."
_REQUEST_STEMS = frozenset(stem(w) for w in ("please", "name", "identify"))
# A noun made an adjective by a participle names no kind: a "state-controlled bank" is no place;
# nor does one that another noun follows: a "state company" is no place either.
_COMPOUND_ENDS = ("company companies firm firms bank banks group groups corporation concern utility carrier "
                  "airline insurer lender agency council committee ministry department authority board "
                  "government " + _PLACE_NOUNS + " " + _PERSON_NOUNS + " " + _NUMBER_NOUNS)
# Nor does one a person's noun follows, ending as most do: a "debt negotiator" is no number.
_AGENT_ENDS = r"[a-z]+(?:tors?|ists?|ians?)"
_AS_ADJECTIVE = rf"(?!-(?:\w+ed|run|made|built)\b)(?!\s+(?:{_nouns(_COMPOUND_ENDS)}|{_AGENT_ENDS})\b)"
# (A date's noun may be plural: "During which days will the issue be sold?")
_WH_NOUN = re.compile(rf"{_WH}\s+{_MODIFIERS}(?:(?P<place>{_nouns(_PLACE_NOUNS)})|"
                      rf"(?P<person>{_nouns(_PERSON_NOUNS)})|(?P<number>{_nouns(_NUMBER_NOUNS)}))\b{_AS_ADJECTIVE}|"
                      rf"\b(?:which|what)\s+(?:{_DATE_MODIFIED})?{_DATE_ASKED}(?P<date>{_nouns(_DATE_NOUNS)})s?\b", re.I)
_WHEN = re.compile(r"\bwhen\b|\b(?:what|which)\s+point\s+in\s+time\b", re.I)  # "To what point in time does the figure refer?"
_WHY = re.compile(r"\bwhy\b|\bfor\s+what\s+reasons?\b|\bwhat\s+(?:caused|led\s+to|prompted)\b|\bhow\s+come\b", re.I)
_WHERE = re.compile(r"\bwhere\b", re.I)
_WHO = re.compile(r"\b(?:who|whom)\b", re.I)
_WHICH = re.compile(rf"{_WH}\s+(?!(?:{_nouns(_AUX)})\b)[\w’'-]+", re.I)
# "What is the title of ...?", "What is Northwest calling its fares?", "What will Armco and Stelco
# call their venture?", "Under what name ...?" ask for a name, as does "What is ... called?"
# however long its description of the thing ("What did he call for?", "What are they trying to
# call attention to?" ask for no name: "call" alone asks only before what it names).
# (Read after _uncontracted: "What's it called?" as "What is it called?") "What new name will
# White Engine take?" asks for the name given too.
_WHAT_NAME = re.compile(r"\bwhat\s+(?:is|was|are|were|will\s+be)\s+(?:(?:the|his|her|its|their)\s+)?(?:new\s+)?(?:name|title)s?\b|"
                        r"\bwhat\s+(?:is|was|are|were|will|would|does|did|do)\b[^?]{0,100}?"
                        r"\b(?:call(?:ed|ing)|call(?=\s+(?:the|its|their|his|her|this|that|it)\b)|nam(?:ed|ing)|titled|"
                        r"dubbed)\b|\bunder\s+what\s+name\b|"
                        r"\bwhat\s+(?:is|was|are|were|will)\b[^?]*\b(?:called|named|titled|dubbed)\s*\?|"
                        r"\bwhat\s+(?:new\s+)?name\s+(?:will|would|did|does|do|is|was)\b", re.I)
# "Whose Goodwood Park Hotel shares ...?" wants the owner's name; the noun after it is the thing owned.
_WHOSE = re.compile(r"\bwhose\b", re.I)
# "When Data General unveiled ..., which ...?" opens with a clause of time: "when", no verb that
# makes it ask ("When did ...", "When's ..."), a comma, and an asking word after it.
_WHEN_CLAUSE = rf"when\b(?!['’]s)(?![^,?]*\b(?:{_AUXILIARIES})\b)(?=[^,?]*,\s*(?:which|what|who|whom|whose|where|how)\b)"
_WHEN_OPENING = re.compile(rf"^\W*{_WHEN_CLAUSE}", re.I)
# A question that starts with a phrase of circumstance puts its asking word after a comma.
_OPENING = re.compile(r"^\W*(?:(?:according|after|before|in|on|at|following|despite|as|to|with|since|during|"
                      r"unlike|amid|given|while|once|if|although|though|because|for|from|by|over|under|"
                      r"besides|apart|aside|other\s+than|excluding|except)\b|"
                      rf"{_WHEN_CLAUSE})", re.I)
# A question's preamble ("Police arrested 31 men this week. Which group ...?") sets the scene;
# the wh-word of the last sentence says what is asked.
_LAST_SENTENCE = re.compile(r"(?:^|[.!?]\s+)([^.!?]+[.!?]?)\s*$")


# "What's", "Where's": the asking word and "is".
_CONTRACTED_IS = re.compile(r"\b(what|where|when|who|how)['’]?s\b", re.I)  # typed in a hurry: "whats"


def _uncontracted(question: str) -> str:
    """``question`` with "what's", "where's" ... written out: "What's the deadline?" reads as
    "What is the deadline?" for every pattern that reads questions; "ex-diplomat" as "former
    diplomat" ("Which ex-diplomat ...?" asks for a diplomat)."""
    return _EX.sub("former ", _CONTRACTED_IS.sub(r"\1 is", question))


_EX = re.compile(rf"\b[Ee]x-(?=(?:{_nouns(_PERSON_NOUNS)})\b)")  # not "Ex-Im Bank", "ex-dividend"


# How people talk to a chat assistant: a greeting or an aside first ("Hi, quick one:", "Sorry, one
# more:"), then a request that frames the question ("Can you tell me who ...", "I'm trying to
# remember which company ...", "Remind me when ...", "Give me the figure for ...").
_CHATTY_OPENING = re.compile(r"^\W*(?:(?:hi|hello|hey|sorry|ok|okay|so|thanks|please)\b[\s,!.]*)*"
                             r"(?:(?:a\s+)?(?:quick|one\s+more|another)(?:\s+(?:one|question|thing))?\s*[:,.!-]+\s*)?",
                             re.I)
_REQUEST_FRAME = re.compile(r"(?:(?:can|could|would)\s+you\s+(?:please\s+)?(?:tell\s+me|look\s+up|find\s+out|check)|"
                            r"do\s+you\s+(?:happen\s+to\s+)?know|any\s+idea|(?:i\s+am|i['’]?m)\s+trying\s+to\s+"
                            r"(?:remember|recall|find\s+out)|i\s+(?:need|want|['’]?d\s+like)\s+to\s+know|i\s+wonder|"
                            r"remind\s+me(?:\s+of)?|tell\s+me|find\s+out|look\s+up|i\s+need|give(?:\s+me)?|get\s+me)\s+", re.I)
# The noun a request asks for when it asks for a thing ("Remind me of the deadline ...", "Give me
# the figure for ...", "I need the name of ..."): its kind is that noun's.
_REQUESTED_NOUN = re.compile(r"(?:the|its|their|his|her)\s+(?:[\w-]+\s+){0,2}?([\w-]+)\b", re.I)


def unframed(question: str) -> tuple[str, str | None]:
    """``question`` without its chatty opening and request frame when what is left asks ("Hi, quick
    one: can you tell me who ...?" reads as "who ...?"), and the kind a requested noun names
    ("Remind me of the deadline Verhofstadt gave": a date; "I need the name of ...": a name), if
    any. A frame around anything else ("Tell me about the Panama Canal") stays."""
    opening = _CHATTY_OPENING.match(question)
    rest = question[opening.end():] if opening else question
    frame = _REQUEST_FRAME.match(rest)
    if not frame:
        return (rest, None) if opening and opening.end() and _ASKING.match(rest) else (question, None)
    rest = rest[frame.end():]
    if WH_WORD.match(rest) or _HOW_NUMBER.match(rest):
        return rest, None
    if _NAME_OF.match(rest):
        return rest, NAME
    noun = _REQUESTED_NOUN.match(rest)
    if noun:
        word = noun.group(1).lower()
        kind = next((kind for nouns, kind in _KEYWORD_KINDS if word in nouns), None)
        if kind:
            return rest, kind
    return question, None


# A question that opens with "what" asks what it asks there; a "when" after it opens a clause
# of time ("What did he say when asked about ...?").
_WHAT_FIRST = re.compile(r"^\W*(?:(?:and|so|but|then)\s+)?what\b", re.I)


def expected(question: str) -> str | None:
    """The kind of answer ``question`` asks for: one of KINDS ("Why ...?" a reason), or None ("What happened?").

    "How many/much" asks for a number wherever it stands. Otherwise the first asking word
    decides ("Who is proposed to become chairman when Lord Cayzer retires?" asks for a person,
    not a date), where two start at one word ("In what year") the earlier in _CUES. One after a
    comma opens a relative clause ("Olivia Newton-John, who died this week, was beaten by which
    act?") and counts only when nothing else asks, unless the comma ends an opening phrase
    ("According to the report, who ...?"); the "when" of an opening clause of time asks nothing
    ("When Data General unveiled its products, which company ...?"). A topic statement (is_topic: "U.S. policy toward the
    new regime in South Viet Nam which overthrew President Diem") asks for nothing: its "which"
    opens a clause.
    """
    question, requested = unframed(question)
    if requested:
        return requested
    # "What is the wire made of?", "What will X develop?", "What was named as the key point of ...?"
    if asks_material(question) or object_verb(question) or asks_key(question) or asks_concept(question):
        return THING
    if is_topic(question):  # "avon giorgio purchase closing date" still asks for a date
        if _TOPIC_ASKS_DATE.search(question):
            return DATE
        if _TOPIC_ASKS_NUMBER.search(question):  # "china state employees wage bill q1 total"
            return NUMBER
        named = _TOPIC_ASKS_NAME.search(question)  # a person's, after a person's noun ("governor name")
        return (PERSON if named.group(1) and named.group(1).lower() in _PERSON_NOUNS.split() else NAME) if named else None
    question = TAKE_PLACE.sub("happened", question)  # "What strikes took place?" asks for no place
    question = _uncontracted(question)
    m = _LAST_SENTENCE.search(question.strip())
    asked = m.group(1) if m else question
    for text in (asked, question) if asked != question else (question,):
        if _HOW_NUMBER.search(text):
            return NUMBER
        found = []  # (a relative clause's, where the asking word starts, its rank in _CUES, kind)
        opening = bool(_OPENING.match(text))
        what_first = bool(_WHAT_FIRST.match(text))
        for rank, (pattern, kind) in enumerate(_CUES):
            for cue in pattern.finditer(text):
                if pattern is _WHEN and cue.start() > 0 and what_first:
                    continue  # "What were they trying to do when the police attacked them?": a clause of time
                at = cue.end() - len(cue.group(0).split()[-1]) if pattern is _IN_WHICH else cue.start()
                relative = not opening and text[:at].rstrip().endswith(",")
                found.append((relative, at, rank, kind or cue.lastgroup))
        if _WHEN_OPENING.match(text):  # the opening clause's own "when" asks nothing
            found = [f for f in found if f[1] > text.index(",")] or found
        if found:
            kind = min(found)[3]
            return NAME if kind == PERSON and (_WHO_ROLE.search(text) or _WITH_WHOM.search(text)
                                               or _WHO_ACQUIRES.search(text)) else kind
    return THING if _KIND_OF.search(question) else _keyword_kind(question)


# "Who is its lead underwriter?", "Who were the targets of ...?": a role that a company or a group
# fills as often as a person does asks for any name ("Goldman, Sachs and Co", "ISIS").
_ORG_ROLES = ("underwriter underwriters auditor auditors target targets buyer buyers seller sellers bidder "
              "bidders suitor suitors acquirer owner owners partner partners adviser advisers advisor advisors "
              "lender lenders creditor creditors supplier suppliers customer customers client clients rival "
              "rivals competitor competitors sponsor sponsors backer backers shareholder shareholders "
              "stockholder stockholders parent")
_WHO_ROLE = re.compile(r"^\W*(?:and\s+)?who\s+(?:is|was|are|were|will\s+be|would\s+be)\s+(?:the|its|his|her|their|"
                       rf"[\w.&'’-]+['’]s)\s+(?:[\w-]+\s+){{0,3}}?(?:{_nouns(_ORG_ROLES)})"
                       r"(?=\s+(?:of|for|in|at|on|to|from|with|behind|that|who|which)\b|\s*[?,]|$)", re.I)


# "Who controls Cathay Pacific?", "Who agreed to buy half of ...?": an owner or a buyer, as often
# a company as a person ("Swire Pacific Ltd", "Mitsui and Co Ltd"; "Sumner Redstone").
_WHO_ACQUIRES = re.compile(r"^\W*(?:and\s+)?who\s+(?:(?:has|have|had|will|would|is|was|did|does)\s+)?"
                           r"(?:(?:agreed|plans|planned|wants|wanted|offered|intends|decided)\s+to\s+)?"
                           r"(?:owns?|owned|controls?|controlled|buys?|bought|buying|acquir(?:e|es|ed|ing)|"
                           r"purchas(?:e|es|ed|ing)|bid|bids|bidding)\b", re.I)


# "With whom did Tround sign a joint agreement?": the other party, as often a company as a person.
_WITH_WHOM = re.compile(r"\bwith\s+whom\b", re.I)


# A question in keywords ("Alitalia 1986 net profit?", "Prudential Corp group chief executive?",
# "China fifth securities market opening date?", "chemlawn deadline for bids?") asks for what its
# last noun of a kind names.
_TIME_AT_END = re.compile(r"\s+(?:(?:in|during|for|of|at|by)\s+)?(?:(?:that|this|last|next|the|a)\s+"
                          r"(?:year|month|week|quarter|day|time)|(?:19|20)\d\d)\W*$", re.I)
_KEYWORD_KINDS = tuple((frozenset(nouns.split()), kind) for nouns, kind in (
    (_NUMBER_NOUNS, NUMBER), (_DATE_NOUNS, DATE), (_PERSON_NOUNS, PERSON), (_PLACE_NOUNS, PLACE),
    ("name names", NAME)))


def _keyword_kind(question: str) -> str | None:
    """The kind a question asks in keywords, with a "?" and no asking word: that of its last noun
    before a time it is asked of ("And the group's total sales that year?": sales)."""
    if "?" not in question or _ASKING.search(question) or WH_WORD.search(question):
        return None
    words = _keyword_noun(question)
    return next((kind for nouns, kind in _KEYWORD_KINDS if words[-1] in nouns), None) if words else None


def _keyword_noun(question: str) -> list[str]:
    """A keyword question's words up to its last noun that names a kind ("chemlawn deadline for
    bids?": "chemlawn deadline"), lower-cased; none when no noun names one."""
    words = WORD.findall(_TIME_AT_END.sub("", question).lower())
    at = next((i for i in range(len(words) - 1, -1, -1) if any(words[i] in nouns for nouns, _ in _KEYWORD_KINDS)), None)
    return words[:at + 1] if at is not None else []


# A topic whose last word is a date's noun ("avon giorgio purchase closing date", "Texaco record date"),
# or whose date's noun says what it is the date of ("ameritrust annual meeting date for split vote").
_TOPIC_ASKS_DATE = re.compile(r"\b(?:date|deadline)(?:\s+(?:for|of)\b.*)?\W*$", re.I)
# ... and one whose last word asks for a name ("salomon brothers chief economist name"), in a
# query typed in lower case (a headline in capitals may end with "NAME").
_TOPIC_ASKS_NAME = re.compile(r"(?:\b([\w-]+)\s+)?\b(?-i:names?)\W*$")
# ... or a figure ("china state employees wage bill q1 total", "bundesbank discount rate").
_TOPIC_ASKS_NUMBER = re.compile(r"\b(?-i:total|figure|amount|number|sum|price|rate|percentage)\W*$")
# How a question or request starts; anything else without a "?" is a topic or a headline
# ("Kennedy administration pressure on Diem", "Senators introduce export licensing reform bill").
_ASKING = re.compile(r"^\W*(?:(?:and|so|but|also|then|ok|okay|please)\W+)?(?:who|whom|whose|what|which|when|where|why|"
                     r"how|is|are|was|were|am|do|does|did|can|could|will|would|should|shall|may|might|must|"
                     r"has|have|had|tell|list|show|give|name|identify|find|describe|explain|summari[sz]e|compare|"
                     r"any|anything|in\s+which|on\s+which|since\s+when)\b", re.I)


# Typed in a hurry, a question need not open with its asking word nor end with "?": "klm taking
# full control of xp courier, where is xp based", "quaker state credit line - which bank is the
# agent", "grand jury sitting where". An asking word asks after a dash or a colon, as the last
# word, or after a comma as "where", "when", "what", "how" or "which <noun> <verb>"; a topic's
# relative clause (", which has been under United Nations administration", ", who is both the
# party's leader and ...": TIME's topic statements) does not. A post named just before "who" ("sea
# containers president who expects a loss") asks who holds it.
_ASKING_WORD = r"\b(?:who|whom|whose|what|which|when|where|why|how)\b"
_COMMA_ASKS = re.compile(rf",\s*(?=(?:where|when|what|how)\b|which\s+(?!(?:{_AUXILIARIES})\b)[\w-]+\s+"
                         rf"(?:{_AUXILIARIES})\b)", re.I)
_ASKS_LATE = re.compile(rf"(?:\s[-–—]+|:)\s*{_ASKING_WORD}|{_ASKING_WORD}\W*$|{_COMMA_ASKS.pattern}", re.I)
# (Not in a topic statement in capitals: "... THE KING WHO SIGNED AWAY HIS POWER ...")
_POST_WHO = re.compile(rf"\b(?:{_nouns(_PERSON_NOUNS)})\s+who\b", re.I)


def is_topic(question: str) -> bool:
    """Whether ``question`` names a topic rather than asking something: no "?", no "how many/much"
    anywhere, and no question word or request opening it, its last sentence ("Police arrested 31
    men this week. Which group is behind it") or what follows an opening phrase ("According to the
    report, who sponsored the resolution"), nor one asking late as a hurried question does
    (_ASKS_LATE). Such a query has no answer sentence to find; its most relevant items are what it
    wants."""
    question = _uncontracted(question)  # "whats the new name ..." asks
    if unframed(question)[0] != question:  # "I'm trying to remember which company ...", "Remind me of the deadline ..."
        return False
    if "?" in question or _HOW_NUMBER.search(question) or _ASKING.search(question) or _ASKS_LATE.search(question) \
            or (_POST_WHO.search(question) and not question.isupper()):
        return False
    last = _LAST_SENTENCE.search(question.strip())
    if last and _ASKING.search(last.group(1)):
        return False
    opening = _OPENING.match(question)
    return not (opening and "," in question and _ASKING.search(question.split(",", 1)[1]))


# "How many container ships does ...?": what it counts runs to the verb or the question's end.
# What is counted ends at the verb or at a preposition: "how many counties in the province"
# counts counties ("of" stays: "tonnes of wheat").
_COUNTED_ENDS = _AUXILIARIES + "|in|at|on|for|from|with|by|per|during|since|across|over|under|into|between|among"
_HOW_MANY_NOUN = re.compile(rf"\bhow\s+many\s+(?!(?:{_AUXILIARIES})\b)(.+?)(?=\s+(?:{_COUNTED_ENDS})\b|[?,;:]|$)", re.I)
# "Give the number of members of Congress behind ...", "the number of prisoners executed": a count
# (not "the number of the resolution", which labels it: asks_label).
_NUMBER_OF_NOUN = re.compile(rf"\bnumber\s+of\s+(?!(?:{_AUXILIARIES}|the|this|that|its|their|his|her|a|an)\b)"
                             rf"(.+?)(?=\s+(?:{_COUNTED_ENDS})\b|[?,;:.]|$)", re.I)
COUNTED_WORDS = 4  # at most: "professional and management jobs"


def counted(question: str) -> frozenset[str]:
    """The stems of what "How many ...?" counts, up to its verb: "years" in "How many years was
    his sentence?", "container ships" in "How many container ships does Evergreen operate?"; or
    what "the number of ..." counts."""
    m = _HOW_MANY_NOUN.search(question) or (None if asks_label(question) else _NUMBER_OF_NOUN.search(question))
    return stems(" ".join(m.group(1).split()[:COUNTED_WORDS])) if m else frozenset()


def valued(question: str) -> frozenset[str]:
    """The stems of the noun (one of the number nouns) whose figure "What deficit ...?", "What
    unemployment rate ...?" asks for, with the words before it; none for "How many ...?", which
    counts (counted)."""
    m = _WH_NOUN.search(_uncontracted(question))
    if m is None and _keyword_kind(question) == NUMBER:  # "Alitalia 1986 net profit?": the noun and the word before
        return stems(" ".join(_keyword_noun(question)[-2:]))
    size = _HOW_BIG.search(question)
    if m is None and size:  # "How big was the per-tonne export bonus USDA accepted ...?": the bonus
        return stems(size.group(1))
    flow = _HOW_MUCH_FLOW.search(question)
    if m is None and flow:  # "How much soybeans did China export ...?": "800,000 tonnes exported"
        return stems(flow.group(1))
    # Not the figure's owner: "What was Canada's budget deficit ...?" values a budget deficit.
    return stems(_OWNER.sub("", m.group(0))) if m and m.lastgroup == NUMBER else frozenset()


_OWNER = re.compile(r"^.*[\w.][’']s?\s+")


# "How big was the per-tonne export bonus ...?", "How large is the credit facility ...?": the
# figure of a thing (its noun, the last lower-case word of the phrase after the article).
_HOW_BIG = re.compile(r"\b[Hh]ow\s+(?:big|large|high)\s+(?:is|was|are|were|will\s+be)\s+(?:the|its|their|his|her)\s+"
                      r"(?:[a-z][\w-]*\s+){0,3}?([a-z][\w-]*)(?=\s+(?:[A-Z]|of\b|for\b|in\b|on\b|that\b|which\b)|\s*[?,]|$)")


# "How much soybeans did China export last year?": a quantity that moves, whose verb (or its noun,
# "exports") stands before the figure that answers.
_HOW_MUCH_FLOW = re.compile(r"\bhow\s+much\b[^?]*?\b(export|exports|exported|import|imports|imported|produce|"
                            r"produces|produced|ship|ships|shipped|consume|consumes|consumed)\b", re.I)


# "How much did Sara Lee pay ...?", "How much is the sale worth?": an amount of money is asked,
# and a number that is none ("34 PCT OF DIM" in the headline) does not answer.
_HOW_MUCH_MONEY = re.compile(r"\bhow\s+much\b[^?]*?\b(?:pay|pays|paid|paying|cost|costs|costing|worth|priced|"
                             r"charge|charges|charged|charging|spend|spends|spent|spending|offer|offers|offered|offering|"
                             # "sold for 50 mln dlrs", not "sold for the home market" or "for export"
                             r"fetch|fetched|valued?|(?:sell|sold|buy|bought)\s+for(?!\s+(?:the|a|an|its|their|export|"
                             r"exports|use|delivery|shipment|home|domestic)\b)|"
                             r"(?:sell|sells|sold|buy|buys|bought)\b[^?]{0,60}\bfor(?=\s*(?:\?|$))|commit|commits|"
                             r"committed|invest|invests|invested|lend|lends|lent|borrow|borrows|borrowed)\b|"
                             # "How much did ZCCM lose?", not "How much ground did the dollar lose?"
                             r"\bhow\s+much\s+(?:did|does|do|will|would|has|have|had|is|was|could)\b[^?]*?"
                             r"\b(?:lose|loses|lost|losing|earn|earns|earned|owe|owes|owed)\b|"
                             r"\bhow\s+much\s+(?:[\w-]+\s+)?(?:funding|financing|money|cash|capital)\b", re.I)
_CURRENCY = re.compile(r"[$£€¥]|\b(?:dlrs?|dollars?|stg|sterling|pounds?|yen|marks?|francs?|lire|lira|crowns?|"
                       r"guilders?|pesos?|rupees?|cents?|cts|euros?|ecus?|riyals?|dinars?|rand|yuan|ringgit|baht|"
                       r"schillings?|kroner|kronor|krona|won)\b", re.I)
MONEY_AFTER_CHARS = 20  # a currency within this many characters after a number makes it money ("84 mln dlrs")


# "What price will NEC charge ...?", "What cash price per share is Cruden offering ...?": a price is
# money (not a price's rise or fall, which is a share of it).
_WHAT_PRICE = re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+){0,2}price\b(?!\s+(?:rise|rises|increase|increases|cut|cuts|"
                         r"change|changes|index|fall|falls|drop|drops|gain|gains)\b)", re.I)


# Nouns whose figure is an amount of money, when one ends what "What ...?" asks ("What net profit
# did Alitalia report?") or a question in keywords ("Alitalia 1986 net profit?"): not "What
# profit margin ...?", a share, nor "sales", which may count cars.
_MONEY_NOUNS = frozenset("profit profits earnings income revenue revenues loss losses dividend dividends "
                         "cost costs salary budget deficit surplus turnover debt funding financing bonus subsidy "
                         "fine penalty fee fees".split())  # not "premium": a conversion premium is a share
_NOUN_ENDS = re.compile(rf"\s*(?:[?,;]|$)|\s+(?:{_AUXILIARIES}|of|for|in|at|on|from|per|before|after|last|this)\b", re.I)


def asks_money(question: str) -> bool:
    """Whether ``question`` asks for an amount of money ("How much will Sara Lee pay ...?", "What
    price will NEC charge ...?", "What net profit did Alitalia report?")."""
    return bool(_HOW_MUCH_MONEY.search(question) or _WHAT_PRICE.search(question) or _money_noun(question))


def _money_noun(question: str) -> bool:
    m = _WH_NOUN.search(_uncontracted(question))
    size = _HOW_BIG.search(question)
    if m is None and size:  # "How big was the per-tonne export bonus ...?"
        return size.group(1).lower() in _MONEY_NOUNS
    if m is not None:
        return (m.lastgroup == NUMBER and m.group(NUMBER).lower() in _MONEY_NOUNS
                and bool(_NOUN_ENDS.match(question, m.end())))
    return _keyword_kind(question) == NUMBER and _keyword_noun(question)[-1] in _MONEY_NOUNS


# "How much per share ...?", "What cash price per share ...?": a price a share is asked (not "a share of").
# (Or a tonne, a barrel, an ounce: "the per-tonne export bonus", "42.44 dlrs per tonne".)
_UNITS_PRICED = r"(?:share|tonne|ton|barrel|ounce|bushel|gallon)"
_PER_SHARE_ASKED = re.compile(rf"\b(?:per|a)[\s-]{_UNITS_PRICED}\b(?!\s+(?:of|in)\b)", re.I)
# ... which an amount gives when "a share", "per share" or "each" follows it closely: "23 dlrs a
# share cash-only offer", not "the one billion dlr takeover bid".
_PER_SHARE_AFTER = re.compile(rf"[^.;]{{0,20}}?(?:\b(?:a|per|each)\s+(?:[\w-]+\s+)?{_UNITS_PRICED}s?\b|/share\b|\beach\b)", re.I)


def asks_per_share(question: str) -> bool:
    """Whether ``question`` asks for an amount of money a share ("How much per share ...?")."""
    return asks_money(question) and bool(_PER_SHARE_ASKED.search(question))


def per_share(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The amounts of ``found`` in ``text`` that are a share's price ("23 dlrs a share")."""
    return [(s, e) for s, e in found if _PER_SHARE_AFTER.match(text, e)]


def money(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of ``found`` (numbers in ``text``) that are amounts of money: a currency sign
    before or in them, a currency word just after ("84 mln dlrs", "$20,000", "205 pence"), or
    pence written as London does ("placed at 265p each")."""
    return [(s, e) for s, e in found
            if _CURRENCY.search(text, max(0, s - 1), e) or _CURRENCY.search(text, e, e + MONEY_AFTER_CHARS)
            or _PENCE.match(text, e)]


_PENCE = re.compile(r"p\b")


# "How much maize is the board expected to receive?", "How much crude oil will Ghana take?": an
# amount of the thing named, which a share ("will fall by over 65 pct") does not give. Not "How
# much stiffer than ...?" (a comparison) nor "how much matsushita's copier costs" (its owner).
_HOW_MUCH_THING = re.compile(rf"\bhow\s+much\s+(?!(?:{_AUXILIARIES}|of|more|less|per|a|an|the|its|their|his|her|it|"
                             r"this|that|in|on|for|to|by|further|extra)\b)[a-z][\w-]*\b(?![’']|\s+than\b)", re.I)


def _amount_noun(question: str) -> str | None:
    """The thing "How much ...?" asks an amount of ("maize"), in lower case; None for none."""
    m = _HOW_MUCH_THING.search(question)
    noun = m.group(0).split()[-1] if m else ""
    return noun.lower() if noun[:1].islower() else None


def asks_amount(question: str) -> bool:
    """Whether ``question`` asks how much of a thing ("How much maize ...?"): a share is no amount."""
    return _amount_noun(question) is not None


def measured(question: str) -> frozenset[str]:
    """The stem of the thing whose amount ``question`` asks ("gold" in "How much gold did U.S.
    mines produce?"); none for money ("How much cash ...?", "How much profit ...?"), which a
    story may call by another name ("earnings")."""
    noun = _amount_noun(question)
    if noun is None or noun in _MONEY_NOUNS or noun in _MONEY_WORDS:
        return frozenset()
    return frozenset(stems(noun))


_MONEY_WORDS = frozenset("money cash capital funding financing funds credit aid".split())


# "whats waste management's new per share offer": not the figure a sentence calls the earlier one
# ("rejected Waste Management's earlier 27 dlr per share offer").
_ASKS_NEW = re.compile(r"\b(?:new|latest|revised|raised|sweetened|improved)\b", re.I)
_EARLIER_BEFORE = re.compile(r"\b(?:earlier|previous|prior|original|old|former|initial)\b(?:\s+[\w$.,-]+){0,2}\s*$", re.I)


def asks_new(question: str) -> bool:
    """Whether ``question`` asks for the new figure ("the new offer", "the revised estimate")."""
    return bool(_ASKS_NEW.search(question))


def called_earlier(text: str, start: int) -> bool:
    """Whether the figure at ``start`` of ``text`` is called an earlier one ("its earlier 27 dlr offer")."""
    return bool(_EARLIER_BEFORE.search(text, max(0, start - 40), start))


# "By what percentage did truck sales rise ...?", "What proportion ...?", "How many percentage
# points ...?": only a share answers ("65.2 pct", "12%"), not the count beside it ("to 28,698").
_SHARE_ASKED = re.compile(r"\b(?:what|which)\s+(?:percentage|percent|pct|proportion)\b"
                          r"|\bhow\s+many\s+(?:percent|pct|percentage\s+points?)\b"
                          r"|\b(?:what(?:\s+size)?|how\s+(?:big|large)\s+a)\s+(?:stake|holding)\b", re.I)
_SHARE_AFTER = re.compile(r"(?:\s?%|\s+(?:pct|percent|per\s+cent|percentage\s+points?)\b)", re.I)


def asks_share(question: str) -> bool:
    """Whether ``question`` asks for a share ("By what percentage ...?")."""
    return bool(_SHARE_ASKED.search(question))


def shares(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of ``found`` (numbers in ``text``) that are shares: "65.2 pct", "12%", "nine per cent"."""
    return [(s, e) for s, e in found if text[s:e].lower().endswith(("%", "pct", "percent")) or _SHARE_AFTER.match(text, e)]


def focus(question: str) -> frozenset[str]:
    """The stems of the phrase that describes what is asked: "former Italian foreign minister" in
    "Which former Italian foreign minister wrote ...?"; empty when there is none ("Who ...?")."""
    m = _LAST_SENTENCE.search(question.strip())
    for text in (m.group(1) if m else question, question):
        found = _WH_NOUN.search(text) or _WHICH.search(text)
        if found:
            described = stems(found.group(0))
            return described - _REQUEST_STEMS if _REQUEST.match(found.group(0)) else described
    return frozenset()


# Where the noun phrase after "which" ends: an auxiliary, a past tense ("announced", "won"), a
# preposition or a determiner starts what the question says of it ("Which Ivy League school
# announced ...", "Which company's stock ...", "Which menu item did KFC ...").
_PAST = frozenset("""bought sold won took made became got gave led left held paid said told ran began
brought built cut fell found grew hit kept lost met put rose saw set sent shut spent stood struck swept
threw went wrote chose drew fled flew spoke""".split())
_OWNED = frozenset("held owned traded listed controlled run funded financed".split())
_PHRASE_ENDS = frozenset(_AUXILIARIES.split("|")) | frozenset(
    "of in on at to for from with by about as that which who the a an its his her their this these".split())
# "which bank is Mannesmann buying", "which menu item did KFC roll out", "which company will it
# buy from": an auxiliary with a subject after it asks for the verb's object, not its subject.
_PRONOUN = r"(?:it|he|she|they|we|you|i)\b"
_ASKS_OBJECT = re.compile(rf"(?:do|does|did)\b|(?:is|are|was|were)\s+(?:[A-Z]|{_PRONOUN})|"
                          rf"(?!(?:is|are|was|were)\b)(?:{_AUXILIARIES})\s+(?:[A-Z]|{_PRONOUN}|"
                          r"(?:the|a|an|its|his|her|their|this|that)\b)")
_HEAD_WORDS = 5  # words looked at after "which": "which Ivy League school", "which Federated Department Stores division"
_WHICH_PHRASE = re.compile(rf"\b(?:which|what)\s+((?:{_PHRASE_WORD}\s*){{1,{_HEAD_WORDS}}})", re.I)


# "What is the name of the bank that ...?", "Name the company that ...": asked as "which bank
# that ...?" is (not "the name of the company's new unit", whose noun is another).
_NOUN_THEN_CLAUSE = r"(?=[\w-]+(?:\s+[\w-]+)?\s+(?:that|which|who)\b)"  # "bank that", "investment bank which"
_NAME_OF_THE = re.compile(rf"(?:\b(?:what|which)\s+(?:is|was|are|were)\s+)?\bthe\s+names?\s+of\s+(?:the|a|an)\s+{_NOUN_THEN_CLAUSE}|"
                          rf"^\W*(?:please\s+)?name\s+(?:the|a|an)\s+{_NOUN_THEN_CLAUSE}", re.I)
_IS_THE = re.compile(r"^(?:is|was|are|were)\s+(?:the|a|an)\s+(?=\S+\s+\S)", re.I)


def head(question: str, objects: bool = False) -> str | None:
    """The stem of the noun that "which ..." (or "what ...") asks about: "school" in "Which Ivy
    League school announced ...?", "beverag" in "which popular beverage is ...?"; None when the
    phrase does not end in a lower-case noun ("which Sanwa Bank is buying" opens a clause) or
    there is no such phrase, or when the phrase is the verb's object ("Which company will it buy
    shares from?"), unless ``objects``. A sentence that calls the answer by this noun ("the
    singer", "the Ivy League school's") tells it without naming it (see refers_back)."""
    question = _NAME_OF_THE.sub("which ", _uncontracted(question))
    m = _LAST_SENTENCE.search(question.strip())
    for text in (m.group(1) if m else question, question):
        noun = _WH_NOUN.search(text)
        if noun and noun.lastgroup in (PERSON, PLACE, NUMBER):  # "Which Nixdorf executive spoke ...?"
            asks_object = not objects and _ASKS_OBJECT.match(text, noun.end() + 1)
            return None if asks_object else stem(noun.group(noun.lastgroup).lower())
        found = _WHICH_PHRASE.search(text)
        if not found:
            continue
        words = []
        # "What was the Khashoggi company that ...?": the noun after "is the" is asked about
        phrase = _IS_THE.sub("", found.group(1))
        for word in phrase.split():
            low = word.lower()
            possessive = low.endswith(("'s", "’s"))
            low = _plain(low).rstrip("’'")
            past = word[0].islower() and (low in _PAST or (len(low) > 4 and low.endswith("ed") and "-" not in low))
            # "publicly held", "wholly owned": an adjective, not the verb ("recently announced")
            past = past and not (words and words[-1].lower().endswith("ly") and low in _OWNED)
            if low in _PHRASE_ENDS or past:  # "Federated" names a company, a verb is lower case
                if not objects and _ASKS_OBJECT.match(found.group(1), found.group(1).index(word)):
                    return None  # "Which company will it buy shares from?": not the one it names
                break
            # "Which Japanese car maker plans ...": a word in -s after a lower-case noun is its verb
            if words and words[-1].islower() and low.endswith("s") and not low.endswith("ss"):
                break
            words.append(word.rstrip("’'").removesuffix("’s").removesuffix("'s"))
            if possessive:  # "Which company's stock": the company is asked
                break
        while words and _ADVERB.fullmatch(words[-1]):  # "Which company recently announced ...?"
            words.pop()
        if words and words[-1].islower() and words[-1] not in _AUX.split():
            return stem(words[-1])
        return None
    return None


# Words in -ly that are nouns: "Which Japanese daily ...?"
_ADVERB = re.compile(r"(?!(?:family|supply|assembly|monopoly|rally|anomaly|reply|ally|daily|weekly|monthly|"
                     r"quarterly|fortnightly)$)[a-z]{3,}ly")


def description(question: str) -> frozenset[str]:
    """The stems of the words from "which" (or "what") to the noun it asks about: "well-known
    pizza chain" in "Which well-known pizza chain has been forced ...?"; empty when head finds
    no noun."""
    noun = head(question, objects=True)
    if not noun:
        return frozenset()
    text = _uncontracted(question)
    for m in _WH_START.finditer(text):
        words = _DESCRIPTION_WORD.findall(text, m.end(), m.end() + _DESCRIPTION_CHARS)[:_HEAD_WORDS + 2]
        stems_seen = [stem(_plain(w).removesuffix("'s").removesuffix("’s")) for w in words]
        if noun in stems_seen:
            return frozenset(stems_seen[:stems_seen.index(noun) + 1])
    return frozenset()


_WH_START = re.compile(r"\b(?:which|what)\b", re.I)
_DESCRIPTION_WORD = re.compile(_PHRASE_WORD, re.I)  # a word of the phrase, as head reads it
_DESCRIPTION_CHARS = 80


# "the singer", "the Ivy League school's", "other beverages", "this team": the thing the question
# asks for, called by its noun. Up to three words may stand between ("the processed cheese product").
_DESCRIBED = re.compile(r"\b(?:the|other|another|this|that|these|those)((?:\s+[\w’'-]+){1,4})", re.I)
_APPOSITION_CHARS = 3  # "the singer Adele", "the school, Dartmouth,"
_HEAD_PREFIX = 4  # letters every form of the noun begins with ("comp" for "companies")
# "The utility said its estimate ... the plant's operator, Niagara Mohawk": a source that reports
# what the sentence says (often the story's own subject) may name the answer in what it reports.
_SAID = re.compile(r"\s+(?:also\s+)?(?:said|says|added|adds|told|tells|reported|reports|stated|noted|estimated)\b")
_LISTED = re.compile(r"\s*[,:(]\s*[A-Z<]")  # names follow it, whether the question's or not


def may_hold_head(text: str, head_stem: str) -> bool:
    """A cheap look first: whether ``text`` holds the letters every form of the noun begins with."""
    return head_stem[:_HEAD_PREFIX] in text.lower()


def labelled_by_head(span: str, head_stem: str | None) -> bool:
    """Whether a name begins with the noun a question asks about, and goes on: "Camp Ashraf" or
    "Resolution 188" for "camp" or "resolution" (a name that ends with it, "Supervisory Office" or
    "a Union statement", or goes on with "of", "Bank of Tokyo", may be one of several things of
    that kind a story names)."""
    words = span.split()
    return (len(words) > 1 and stem(_plain(words[0]).rstrip("’'")) == head_stem
            and words[1].lower() not in ACRONYM_SKIP)  # "Bank of Tokyo" is one of a story's banks


_NOUN_BEFORE = re.compile(r"\b([A-Za-z][\w-]*),\s+(?:the\s+)?$")  # "its U.S. Subsidiary, Chene Investments Inc", "watchdog, the Court of Auditors"
# ... or just before it, after a determiner: "told the daily newspaper Asahi Shimbun", "the
# tanker Exxon Valdez".
_NOUN_JUST_BEFORE = re.compile(r"\b(?:the|a|an|its|his|her|their)\s+(?:[a-z][\w-]*\s+){0,2}?([a-z][\w-]*)\s+$")
_APPOSITION_BEFORE = 30  # characters looked back for "Subsidiary, "
# An apposition after the name ends with the noun: "Limerick, our other nuclear plant, ...",
# "<Total Exploration S.A.>, the field's operator."
_NOUN_AFTER = re.compile(r">?,\s+(?:the|a|an|its|our|their|his|her|[A-Z][\w.&-]*['’]s)\s+"
                         r"(?:[\w'’-]+\s+){0,3}?([A-Za-z][\w-]*)\s*(?:[,.;:)]|$)")


def called_by_head(text: str, span: tuple[int, int], head_stem: str | None) -> bool:
    """Whether the name at ``span`` of ``text`` is called by the noun a question asks about: it
    begins with it (labelled_by_head), the noun and a comma stand just before it ("its U.S.
    Subsidiary, Chene Investments Inc" for "Which subsidiary ...?"), or an apposition after it
    ends with the noun ("Limerick, our other nuclear plant,"). A lower-case noun after a
    name is often another noun's modifier ("Far East bank executives") or one of several ("Rolls
    RB211 engine")."""
    s, e = span
    if labelled_by_head(text[s:e], head_stem):
        return True
    before = (_NOUN_BEFORE.search(text, max(0, s - _APPOSITION_BEFORE), s)
              or _NOUN_JUST_BEFORE.search(text, max(0, s - _APPOSITION_BEFORE), s))
    # "... the new Ilyushin airliner, Tanjug said": a source after the comma, no apposition
    if before and _same_noun(stem(before.group(1).lower()), head_stem) and not _SAID.match(text, e):
        return True
    after = _NOUN_AFTER.match(text, e)
    return bool(after) and head_stem is not None and _same_noun(stem(after.group(1).lower()), head_stem)


def _same_noun(noun: str, head_stem: str) -> bool:
    """Whether ``noun`` calls what ``head_stem`` does: itself, or for a business any business noun
    ("Khashoggi's firm, Triad International Marketing" for "What was the Khashoggi company ...?"),
    for a paper any of the press ("daily La Repubblica")."""
    return (noun == head_stem or noun in _BUSINESS_NOUNS and head_stem in _BUSINESS_NOUNS
            or noun in _PRESS_NOUNS and head_stem in _PRESS_NOUNS)


def refers_back(text: str, head_stem: str, found: list[tuple[int, int]]) -> bool:
    """Whether ``text`` calls what is asked by its noun (``head_stem``, see head) with no name
    for it: no candidate in ``found`` before that phrase (which it may point back to: "Saudi
    officials ... in the country's capital") or just after it ("the singer Adele"). Such a
    sentence tells of the answer, named elsewhere ("After postponing her residency ..., the
    singer announced Monday ..."), and its names are other things'."""
    if not may_hold_head(text, head_stem):  # most sentences: no word of the noun's at all
        return False
    for m in _DESCRIBED.finditer(text):
        for word in re.finditer(r"[\w’'-]+", m.group(1)):
            if stem(_plain(word.group(0)).rstrip("’'")) != head_stem:
                continue
            if word.group(0)[0].isupper() and not text.isupper():
                break  # "The People's Construction Bank of China" is a name, not the noun asked
            end = m.start(1) + word.end()
            # "the school's “The Call to Lead”" is the school's, no name for it
            if word.group(0).endswith(("'s", "’s")):
                near = 0
            elif _LISTED.match(text, end) or _SAID.match(text, end):
                break  # "The five companies, SMM Penarroya, ...", "The utility said ...": see _SAID
            else:
                near = _APPOSITION_CHARS
            if not any(s <= end + near for s, _ in found):  # a name before it, in it or beside it
                return True
            break
    return False


# The phrases of a question that set the scene rather than ask: an opening phrase ("According to
# the 20 June piece on ..., which ...?"), a description after a comma ("Rolm, the IBM subsidiary
# that got a new president in April, ..."), a clause of time or cause ("... once it closes its
# Levallois plant?", "... when Lord Cayzer retires?", "... despite the accounting change?").
_SETTING = re.compile(rf"{_OPENING.pattern}[^,?]*,"
                      r"|,\s*(?:the|a|an)\s[^,?]*"
                      r"|(?<=[\w,]\s)(?:once|when|while|because|although|though|whereas|until|after|before|"
                      r"despite|amid|according\s+to)\s[^,?]*", re.I)


ACRONYM_SKIP = frozenset({"of", "and", "the", "for", "de", "du", "la", "&"})
MIN_ACRONYM = 3  # letters: "NMMC", not "NM"


def acronyms(question: str, qstems: set[str] | frozenset[str]) -> dict[str, frozenset[str]]:
    """The acronyms an item may use for the question's names, each with the stems of the words
    it stands for: "nmmc" for "Nissan Motor Manufacturing Corp USA" (the initials of the name
    and of each of its leading runs, three letters at least). None when no content word of the
    question is in lower case (capitals or title case, where a run is not a name)."""
    out: dict[str, frozenset[str]] = {}
    if not any(w[0].islower() and w not in STOP_WORDS for w in re.findall(r"[A-Za-z][\w’'-]*", question)):
        return out
    for m in _CAPS.finditer(question):
        words = [w for w in re.findall(r"[\w’'&-]+", m.group(0)) if w.lower() not in ACRONYM_SKIP]
        for n in range(MIN_ACRONYM, len(words) + 1):
            named = stems(" ".join(words[:n])) & qstems
            if len(named) >= 2:
                out["".join(w[0] for w in words[:n]).lower()] = frozenset(named)
    return out


_MONTH_OR_DAY = re.compile(rf"(?:{MONTH_PATTERN}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)[.,]?",
                           re.I)


def names(question: str) -> list[str]:
    """The names a question uses for someone or something ("Winthrop Knowlton", "Karl Gustaf
    Ratjen", "Knowlton"): runs of capitalised words after its first word, of two words or more,
    or one word English at large seldom uses (words.rare_in_general: not "Brazil", "March")."""
    found = []
    for m in _CAPS.finditer(question):
        if m.start() == len(question) - len(question.lstrip()):
            continue  # the question's first word is capitalised whatever it is
        words = [w for w in m.group(0).split() if w.lower() not in _TITLES and not _MONTH_OR_DAY.fullmatch(w)]
        if len(words) >= 2 or (len(words) == 1 and rare_in_general(words[0].strip(".’'"))):
            found.append(" ".join(words))
    return found


def names_only_companies(span: str, companies: frozenset[str]) -> bool:
    """Whether a capitalised run is spelled only in the words of the question's companies
    (company_words): "National Amusements" for "Who controls National Amusements Inc ...?" is the
    company again, no person who shares a word of its name ("President William Wrigley")."""
    words = [low for low in map(_plain, _RUN_WORD.findall(span))
             if low not in STOP_WORDS and low not in _TITLES and low not in _COMPANY_WORDS]
    return bool(words) and all(stem(low) in companies for low in words)


def company_words(question: str) -> frozenset[str]:
    """The stems of the question's words that it uses only inside a company's or an
    organisation's name ("wrigley" in "Who is the president of chewing gum maker Wm. Wrigley Jr
    Co?"): a person who shares one ("President William Wrigley") is not the question's own. None
    of a question in capitals, where every word runs into one name."""
    if not any(ch.islower() for ch in question):
        return frozenset()
    inside, outside = set(), set()
    at = 0
    for m in _CAPS.finditer(question):
        run = [_plain(w) for w in re.findall(r"[\w’'&-]+", m.group(0))]
        outside |= stems(question[at:m.start()])
        at = m.end()
        # "Halbert and Associates": a run that a firm's ending follows is a firm's name too
        (inside if _organisation(run) or _FIRM_AFTER.match(question, m.end()) else outside).update(map(stem, run))
    outside |= stems(question[at:])
    return frozenset(inside - outside)


WH_WORD = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b", re.I)
# A topic typed before the question, as in a chat box: "Le Peep copycat lawsuit - where are the
# Shelly's restaurants?", "Peach Bottom shutdown: which other plant ...?".
# (One lazy run to the separator: two, around a word character, took time in the square of the
# length of a question that holds none.)
_TOPIC_FIRST = re.compile(rf"^(?=\W*\w)[^?:]*?(?:\s[-–—]+|:)\s+(?={WH_WORD.pattern})", re.I)


def setting(question: str) -> frozenset[str]:
    """The stems of the question's words that set the scene (see _SETTING, and every sentence
    before the last: "Rents in the US hit a record high for the 17th month in a row. Which city
    saw the biggest increase?") and are not also in what it asks: they say which story is
    meant, less which of its sentences answers."""
    parts = sentences(question)
    lead_end = parts[-1][0] if len(parts) > 1 else 0
    if not lead_end and ";" in question:  # "The USDA sent Congress a plan ...; which congressman ...?"
        lead_end = question.rindex(";") + 1
    if not lead_end and (topic := _TOPIC_FIRST.match(question)):  # "Le Peep copycat lawsuit - where ...?"
        lead_end = topic.end()
    if not lead_end and not _ASKING.search(question) and (late := _COMMA_ASKS.search(question)):
        lead_end = late.end()  # typed in a hurry: "klm taking full control of xp courier, where is xp based"
    if lead_end and (WH_WORD.search(question, 0, lead_end) or not WH_WORD.search(question, lead_end)
                     or _ABBREVIATED.search(question, 0, lead_end)):
        # The asking is not all in the last sentence ("Who is the president of ... Wm. Wrigley?"),
        # or the "sentence" ends at an abbreviation ("Long Beach, Calif. Mayor Ernie Kell said what?").
        lead_end = 0
    asking = question[lead_end:]
    spans = [m.span() for m in _SETTING.finditer(asking)]
    if not spans and not lead_end:
        return frozenset()
    asked, scene, at = [], [question[:lead_end]], 0
    for start, end in spans:
        asked.append(asking[at:start])
        scene.append(asking[start:end])
        at = end
    asked.append(asking[at:])
    return stems(" ".join(scene)) - stems(" ".join(asked))


_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec")
_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
_CALENDAR = frozenset((_MONTHS + " " + _DAYS).split())
_SEASONS = frozenset("spring summer autumn fall winter".split())  # capitalised, they name no one

# A bare year ("the 1988 massacre") is a date, not a count: of the 19,292 four-digit numbers from
# 1800 to 2099 in Reuters-21578's bodies, 5 are followed by a unit ("1900 dlrs").
YEAR_FIGURE = re.compile(r"(?:1[89]|20)\d\d")

# "On what date ...?", "From which day ...?": a day is asked for, not a month or a year alone;
# "In what year ...?": a year, which "June 19th" does not give.
DAY, YEAR = "day", "year"
_UNIT_ASKED = re.compile(r"\b(?:what|which)\s+(?:exact\s+)?(?:(?P<day>date|day)|(?P<year>year))\b", re.I)
_GIVES = {DAY: re.compile(rf"\b(?:[12]?\d|3[01])(?:st|nd|rd|th)?\b|\b(?:{'|'.join(_DAYS.split())}|yesterday|today|"
                          r"tomorrow|one|two|three|four|five|six|seven|eight|nine)\b", re.I),
          YEAR: re.compile(rf"\b{YEAR_FIGURE.pattern}\b|\b(?:last|next|this)\s+year\b", re.I)}


def unit_asked(question: str) -> str | None:
    """DAY when ``question`` asks for a day ("On what date did the strikes begin?"), which a
    month alone ("June, September and December") or a year does not give; YEAR when it asks for
    a year ("In what year did the attack happen?"); else None."""
    m = _UNIT_ASKED.search(question)
    return None if m is None else DAY if m.group("day") else YEAR


def giving(unit: str, text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of ``found`` (dates in ``text``) that give the ``unit`` asked: a day ("April 20",
    "Friday", not "June" or "1987") or a year ("1987", "last year", not "June 19th")."""
    return [(s, e) for s, e in found if _GIVES[unit].search(text, s, e)]


_NAMED_MONTHS = frozenset({"jan", "april", "may", "june", "august"})  # also people's names
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty "
                 "thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million "
                 "millions billion billions trillion dozen dozens mln bln half quarter")
# "Forty-Six US Congressmen": one number, not "Forty" and "Six".
_TENS_UNITS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|eight|nine)"
_NUMBER = re.compile(rf"[$£€]?\d(?:[\d,.]*\d)?(?:\s?(?:%|pct|percent))?|\b(?:{_TENS_UNITS}|{_nouns(_NUMBER_WORDS)})\b",
                     re.I)
# Letters straight after a figure that keep it one: a unit ("265p", "5m", "2bn") or an ordinal's
# ending ("the 118th reported sighting").
_UNIT_AFTER = re.compile(r"(?:p|m|bn|k|st|nd|rd|th)\b")


def _in_designation(text: str, start: int, end: int) -> bool:
    """Whether the number at [start, end) of ``text`` is part of a model's or a thing's
    designation, counting nothing: "A-6E", "F-5", "MD-80s", "PS/2", "3M"; not an amount with
    its unit ("265p", "5m", "2bn") nor an ordinal ("118th")."""
    return (start >= 2 and text[start - 1] in "-/" and text[start - 2].isalpha()) or \
        (end < len(text) and text[end].isalpha() and not _UNIT_AFTER.match(text, end))


# "Resolution 188", "Boeing 747", "Chapter 11": a number straight after a name's capitalised word
# labels it and counts nothing (a month's or a weekday's number is a date).
# The word before it is a name's, in mixed case ("GM TO LAY OFF 500 WORKERS" labels nothing).
_LABELLED_BY = re.compile(rf"(?<![.?!])\s(?!(?i:{_nouns(_MONTHS + ' ' + _DAYS)})\b)[{UPPER}](?=[\w-]*[a-z])[\w-]*\s$")
# A label is a whole number, no year ("Chase Manhattan Bank 1986 net") and no amount ("50 mln").
_LABEL_NUMBER = re.compile(r"(?!(?:1[89]|20)\d\d\b)\d+[A-Z]?\b(?![.,]\d)"
                           r"(?!\s+(?:mln|bln|million|billion|pct|percent|dlrs|dollars)\b)")
# The number after a name that labels it: "Resolution 188", "Flight 103" (see candidates).
_LABEL = re.compile(rf"\s+{_LABEL_NUMBER.pattern}")


# "What is the number of the US House resolution ...?", "Give the number of the resolution ...",
# "What number does the resolution carry?",
# "What is the resolution's number?": the number that labels a thing, not a count ("the number
# of the victims" counts them: a plural after "of the" is counted).
_LABEL_ASKED = re.compile(r"\b(?i:(?:what\s+(?:is|was)|give(?:\s+me)?|tell\s+me)\s+the\s+number\s+of\s+(?:the|this|that|its|their))\s+"
                          r"(?:[A-Z][\w.]*\s+)*[a-z]+(?<!s)\b|\b(?i:what\s+number\s+(?:does|did|do|is|was))\b|"
                          r"\b(?i:what\s+(?:is|was)\s+(?:the\s+)?\w+['’]s\s+number)\b")


def asks_label(question: str) -> bool:
    """Whether ``question`` asks for the number that labels a thing ("Resolution 188")."""
    return bool(_LABEL_ASKED.search(_uncontracted(question)))


def labels(text: str, span: tuple[int, int]) -> bool:
    """Whether the number at ``span`` of ``text`` labels the name before it ("Resolution 188")."""
    label = _LABEL_NUMBER.match(text, span[0])
    return bool(label and label.end() == span[1] and _LABELLED_BY.search(text, max(0, span[0] - 40), span[0]))

# "one of these swings", "one of the company's plants": a pick from a group, no count.
_ONE_OF = re.compile(r"\s+of\b", re.I)
# A day in words, as Reuters writes the first nine ("postponed until May four"), after a month's
# name in capitals (not "march two miles").
_DAY_IN_WORDS = r"(?-i:(?:January|February|March|April|May|June|July|August|September|October|November|December)" \
                r"\s+(?:one|two|three|four|five|six|seven|eight|nine))\b"
_DATE = re.compile(rf"\b(?:{_DAY_IN_WORDS}|(?:{_nouns(_MONTHS + ' ' + _DAYS)})\b\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?\b)?|{YEAR_FIGURE.pattern}\b|"
                   r"(?-i:spring|summer|autumn|winter)\b(?!\s+(?:wheat|grains?|crops?|barley|plantings?|sowings?)\b)|"
                   rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN}(?![\w-])|"
                   r"yesterday|today|tomorrow|(?:last|next|this)\s+(?:week|month|year)|"
                   r"(?:first|second|third|fourth|final)\s+(?:quarter|half))", re.I)
# A run of capitalised words, joined by the small words names contain ("Bank of England").
# Arabic names may start with a lower-case article: "al-Emara", "Bashar al-Assad". A middle
# initial keeps its full stop: "John P. Desmond".
# A dotted abbreviation ("U.S.", "U.K.") is one word: read letter by letter, "U.K. Investigation"
# gave the run "K. Investigation", an initial and a surname. So is a Nordic company's "A/S", and
# a title's abbreviation before a name keeps its full stop ("Dr. Fauci", "Sen. Dole").
# An apostrophe inside a word is part of it ("O'Neill", "Reagan's"); at its end, only after an
# "s" (a plural's possessive: "Fisons'"): otherwise it closes a quotation ('Squid Game').
_CAPS_WORD = (rf"(?:[ae]l-)?(?:(?:[A-Z]\.){{2,}}|A/S\b|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Prof)\.(?=\s+[{UPPER}])|"
              rf"[{UPPER}](?:\.(?=\s+[{UPPER}])|(?:[\w&-]|[’'](?=\w)|(?<=s)[’'])*))")
# Between the capitalised words of one name: a small word ("Bank of England") or a name's
# particles ("Cor van der Klugt", "Miguel de la Madrid", "Ursula von der Leyen", "Daniel arap Moi").
# A weekday goes on no name: "landed in Taiwan Tuesday", "President Reagan Monday named ...".
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
# A name may open a quotation in single quotes, as headlines quote titles ("'Squid Game' season
# 2 is coming to Netflix"), but starts no word after an apostrophe ("d'Estaing" is no "Estaing")
# and is no lone letter after one ("Pay 'N Pak").
_CAPS = re.compile(rf"(?<![\w-])(?<!\w[’'])(?:(?<![’'])|(?=\w\w)){_CAPS_WORD}(?:\s+(?:(?:van|von|de)\s+(?:der|den|de|la|le|los|las)\s+|"
                   rf"(?:of|the|de|da|del|der|den|du|van|von|bin|ibn|al|arap|for)\s+)?(?!{_WEEKDAY}){_CAPS_WORD})*")
NAME_RUN = _CAPS  # a run of capitalised words that may be one name (qa/acronyms.py reads them too)
_TITLES = frozenset("""prime minister president secretary chancellor general governor senator sen rep mr
mrs ms dr sir lord lady king queen prince princess judge justice chief deputy vice foreign former
first chairman ceo speaker leader staff sgt sergeant cpl corporal pvt lt lieutenant col colonel maj capt captain
cmdr commander adm admiral brig brigadier""".split())
_GENERATIONS = frozenset("jr jr. sr sr. ii iii iv".split())  # after a surname
# Titles that only a person holds, before a surname alone ("President Reagan"): not "General"
# ("General Motors"), nor "Chief", "Deputy" or "First".
_PERSONS_TITLES = frozenset("""president chancellor premier minister king queen pope senator governor
ayatollah sheikh judge speaker chairman secretary mr mrs ms dr sen rep gov prof""".split())
# Words that make a capitalised run an organisation's name rather than a person's.
_ORG_WORDS = frozenset("""board council committee ministry party agency organization organisation union
association corp inc co ltd company bank group university news regime guards court department
commission assembly house senate congress times post journal press network service services
institute foundation fund army force forces police government administration office newspaper
magazine outlet publication channel""".split())
# ... and a company's legal form or trade, which also start or end companies' names that questions
# name in part ("General Motors"), so they only keep a run from being read as a person. A legal
# form, like "Inc", is shared by other names: "Safveans AB" is not the question's "AB Catena".
_LEGAL_FORMS = frozenset("plc ag sa nv spa llc gmbh bv ab oy asa a/s pty bhd lp".split())
BARE_FORMS = _LEGAL_FORMS | frozenset("co cos inc corp ltd".split())
_COMPANY_WORDS = _LEGAL_FORMS | frozenset("""holdings industries
international systems trust partners securities motors air airlines airways petroleum resources
technologies electronics communications enterprises laboratories stores hotels exchange""".split())

# Things named after a person, whose names end a run in the shape of a person's: "the Ted Lindsay
# Award" names no one who won it. (Not "Hall", "Law", "Street", "Park", "Tower", "Arena", "Bridge"
# or "Cup": surnames too, "Senator John Tower".)
_NAMED_AFTER_SOMEONE = frozenset("""award awards trophy prize medal memorial stadium center centre library
academy hospital airport avenue boulevard museum gallery theater theatre building act amendment doctrine
fellowship scholarship syndrome festival""".split())


def _organisation(words: Iterable[str]) -> bool:
    """Whether lower-case ``words`` of a capitalised run make it an organisation's name."""
    return any(w in _ORG_WORDS or w in _COMPANY_WORDS for w in words)


# "At what site ...?", "In which part of Iran ...?": a place, whatever the noun ("In what year"
# is read as a date before this is tried), unless an organisation's ("In which company ...?").
# An occasion is no place: "at which prestigious awards show", "in which election".
_OCCASIONS = ("show awards award ceremony conference meeting summit event festival game match tournament race "
              "election vote convention hearing trial rally concert auction exhibition session talks")
_IN_WHICH = re.compile(rf"\b(?:in|at|near)\s+(?:which|what)\b(?!\s+(?:{_nouns(' '.join(_ORG_WORDS))})\b)"
                       rf"(?!\s+(?:[\w’'-]+\s+){{0,2}}?(?:{_nouns(_OCCASIONS)})\b)", re.I)
# The cues of expected(), in the order that breaks a tie; None: the noun's group names the kind.
# "What's his name?": a person's name (expected() reads "what's" as "what is").
_PERSONS_NAME = re.compile(r"\bwhat\s+(?:is|was)\s+(?:his|her)\s+(?:full\s+)?name\b", re.I)
# "What's his name?", "Name the Marine sergeant ...": "name" is how the question asks, and meets
# the "named" of an appointment ("... has been named an executive vice president") in any story.
_NAME_ASKS = re.compile(rf"{_PERSONS_NAME.pattern}|^\s*name\s+(?:the|a|an|this|that|these|those)\b", re.I)
_NAME_STEM = frozenset({stem("name")})
# "What post does he hold in the European Parliament?", "What is Terzi's position?": a post, which
# a title names (post_titles).
_ASKS_POST = re.compile(r"\bwhat\s+(?:[\w’'-]+\s+)?(?:post|position|job|office)s?\b[^?]*\b(?:hold|holds|held|"
                        r"have|has|had|occupy|occupies|occupied|take|takes|took|taken|fill|fills|filled)\b|"
                        r"\bwhat\s+(?:is|was)\s+(?:his|her|their|(?:[\w.’'-]+\s+){0,3}?[\w.’'-]+['’]s)\s+(?:[\w’'-]+\s+)?"
                        r"(?:post|position|job|title|office)\b(?!\s+(?:on|about|regarding|toward|towards|over)\b)", re.I)
# "What did Royal Bank's non-accrual loans total at April 30?", "What will the plant cost?": an amount.
_WHAT_TOTAL = re.compile(r"\bwhat\s+(?:did|does|do|will|would|is|are|was|were)\b[^?]*\b(?:total|totals|totalled|"
                         r"totaled|amount\s+to|come\s+to|cost)\b(?:\s+(?:at|in|on|by|for|during|last|this)\b[^?]*)?\?",
                         re.I)
# "In which season of 1988 ...?", "At what time of year ...?": a date, a season's ("the summer of
# 1988"); not "Which season of 'Succession' ...?", a show's.
_SEASON_ASKED = re.compile(r"\b(?:which|what)\s+season(?=\s+of\s+(?:the\s+year|last\s+year|this\s+year|\d)|"
                           r"\s+(?:did|does|do|is|was|were|will|would)\b)", re.I)
# "name of jefferies group's lawyer commenting after ...": a request in keywords for a name.
_NAME_OF = re.compile(r"^\W*(?:the\s+)?names?\s+of\b", re.I)
_CUES = ((_WH_NOUN, None), (_PERSONS_NAME, PERSON), (_ASKS_POST, NAME), (_WHAT_TOTAL, NUMBER), (_WHAT_NAME, NAME),
         (_WHEN, DATE), (_WHERE, PLACE), (_SEASON_ASKED, DATE), (_IN_WHICH, PLACE),
         (_WHOSE, NAME), (_WHO, PERSON), (_WHY, REASON), (_WHICH, NAME), (_NAME_OF, NAME))

# "in Paris", and where something is: "at its Dakota City plant", "at a Tehran mosque", "in the
# United States", "outside of Frankfurt", "east of Johannesburg", "the proposed Nigerian capital Abuja" ("to the Gulf
# state of qatar", "from the Fed" name no place).
_PLACE_CUE = re.compile(r"\b(?:(?:(?:in|at|near)\s+(?:(?:the|a|an|its|his|her|their|our)\s+)?|"
                        r"(?:from|to|across|throughout|outside(?:\s+of)?|inside|into|towards?)\s+|"
                        r"\b(?:city|town|village|province|region|port|airport|capital|coast|state|emirate|"
                        r"republic|kingdom)\s+of\s+|"
                        r"\b(?:north|south|east|west)(?:-?(?:east|west))?\s+of\s+|"  # "the mine east of Johannesburg"
                        r"\b(?-i:capital|city|town|village|port)\s+)"
                        r"(?:(?:north|south|east|west)?(?:-?(?:north|south|east|west)(?:ern)?)?\s+|central\s+)?|"
                        r"\boffshore\s+)$", re.I)
# "its Farmingdale, N.Y., plant", "Little Rock, Ark.", "Dallas, Texas.": a name followed by a US
# state or a Canadian province (as news abbreviates it, or in full and ending a phrase, not
# "Texaco, Texas Eastern and Mobil") is a town. "Hart, Tex." was read as no place until "Tex" was
# one of them.
_STATE_ABBREVIATIONS = ("Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss "
                        "Mo Mont Neb Nebr Nev N.H N.J N.M N.Y N.C N.D Okla Ore Pa R.I S.C S.D Tenn Tex Va Vt Wash "
                        "Wis Wisc W.Va Wyo D.C Penn Ont Que Alta B.C")
# A question's lead that ends at a short capitalised word or a US state's abbreviation ("Wm.",
# "Calif.", "Pa.") rather than ending a sentence (see setting).
_ABBREVIATED = re.compile(r"\b(?:[A-Z][a-z]?|" + "|".join(re.escape(a) for a in _STATE_ABBREVIATIONS.split())
                          + r")\.\s*$")
# A state in full is read with every other place by _COUNTRY_AFTER; "New York" and "Washington"
# are no places of their own (a city's names too).
_ENDS_PHRASE = r"(?=\s*[,.;:)]|\s*$)"
# (A dotted one may be spaced: "its Neal, W. Va., polypropylene plant".)
_STATE_AFTER = re.compile(r",\s+(?:(?:" + "|".join(re.escape(a).replace(r"\.", r"\.\s?") for a in _STATE_ABBREVIATIONS.split())
                          + rf")\.|(?:New York|Washington){_ENDS_PHRASE})")
# "Biopool AB of Umea, Sweden", "the plant at Mangualde, Portugal", "Dallas, Texas.": a name
# followed by a country, state, province or region that ends a phrase is a town too.
_COUNTRY_AFTER = re.compile(r",\s+(?:the\s+)?(?:" + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True))
                            + rf"){_ENDS_PHRASE}")
# "Khuzestan Province", "Buchanan County", "Kurdistan Region": a name that ends with what kind of
# place it is names one, wherever it stands ("Yellowstone National Park", "Kennedy Airport"); so
# does one that starts with it ("Mount Osutaka").
_PLACE_KIND = re.compile(r"\s(?:Province|County|District|Region|Prefecture|Governorate|Oblast|Township|Parish|"
                         r"Peninsula|Valley|Park|Island|Islands|River|Bay|Strait|Canal|Desert|Airport|Mountains|"
                         r"Falls|Coast|Beach|Harbor|Harbour|City)$|^(?:Mount|Mt\.?|Lake|Cape)\s")
# "Texas State", "New York State": a place's government, no person.
_STATE_NAMED = re.compile(r"^(.+?)\s+State$")
# "Montreal's Mirabel airport", "Sichuan province": a name before a lower-case place noun names a place.
_PLACE_NOUN_AFTER = re.compile(r"\s+(?:airport|province|county|district|prefecture|region|island|harbou?r)\b")
# "the Los Angeles-based Rogers and Cowan": a name before "-based" is where something is based.
_BASED = "-based"
_DEMONYM = re.compile(r"(?:ian|ese|ish|ean)$")

# The places' names (each word) that a people's name may be read from: "Iran" for "Iranian".
_PLACE_WORDS = frozenset(w.lower() for place in PLACES for w in place.split())


# Peoples and regions' adjectives that no known place's name spells out.
_OTHER_PEOPLES = frozenset("""persian jewish kurdish arab arabian parisian cantonese javanese balinese
sicilian bavarian prussian siamese sinhalese tibetan flemish mediterranean""".split())


def _names_a_people(word: str) -> bool:
    """Whether a word ending as peoples' names do ("Iranian", "Chinese", "Korean") names one: it
    is a known place's word ("Caribbean") or one of _OTHER_PEOPLES, or what precedes the ending
    starts a known place's name with at most two letters to go ("Korea") or shares all but its
    last letter with one ("Peru" for "Peruvian", "Togo" for "Togolese"). A first name ending so
    ("Brian", "Jean", "Julian") is no people."""
    low = word.lower()
    if low in _OTHER_PEOPLES:  # "Arab", with no place's name in it ("Gulf Arab states")
        return True
    m = _DEMONYM.search(low)
    if not m:
        # "Uruguayan", "Nicaraguan", "Libyan": a known place's whole name, then "an" or "n"
        return len(low) > 5 and low.endswith("an") and (low[:-1] in _PLACE_WORDS or low[:-2] in _PLACE_WORDS)
    if low in _PLACE_WORDS or low in _OTHER_PEOPLES:
        return True
    root = low[:m.start()]
    return len(root) >= 2 and any(
        (w.startswith(root) and len(w) - len(root) <= 2) or (len(w) >= 4 and root.startswith(w[:max(4, len(w) - 1)]))
        for w in _PLACE_WORDS)


def is_place_word(word: str) -> bool:
    """Whether ``word`` (lower case) is a word of a known place's name ("italy", "iran")."""
    return word in _PLACE_WORDS


def people_of(word: str, place: str) -> bool:
    """Whether ``word`` (lower case) names the people of ``place``, a word of a known place's name:
    "italian" of "italy", "iranian" of "iran", "chinese" of "china"."""
    return word != place and word.startswith(place[:max(4, len(place) - 1)]) and _names_a_people(word)


_CUE_CHARS = 32  # characters looked back for "in", "from" (and "the", "its") before a place


def _name_words(span: str, qstems: set[str] | frozenset[str]) -> list[str]:
    """The words of a capitalised run that could name something new: neither function words,
    nor calendar words (but for a month that is also a name, beside another name: "SAS
    President Jan Carlzon", "Theresa May"), nor the question's own."""
    words = _RUN_WORD.findall(span)
    lows = [_plain(w) for w in words]
    out = []
    for i, (w, low) in enumerate(zip(words, lows)):
        if low in STOP_WORDS or stem(low) in qstems or low in qstems:
            continue
        if low in _CALENDAR and not (low in _NAMED_MONTHS and any(
                _names_someone(other) for other in lows[max(0, i - 1):i] + lows[i + 1:i + 2])):
            continue
        out.append(w)
    return out


# The words of a capitalised run, a dotted abbreviation one word ("U.S.", as words.stems reads it).
_RUN_WORD = re.compile(r"(?:[A-Z]\.){2,}|A/S\b|[\w’'&-]+")


# Dotted abbreviations of places and bodies; other dotted capitals are a person's initials ("O.C. Davis").
_DOTTED_NAMES = frozenset("u.s u.k u.n e.c u.s.a u.s.s.r n.z e.e.c".split())


def _acronym(word: str) -> bool:
    """Whether a word of a capitalised run is an acronym ("UK", "OPEC", "U.S."), which names no person."""
    return _plain(word) in _DOTTED_NAMES if "." in word else word.isupper() and len(word) > 1


def _plain(word: str) -> str:
    low = word.lower().replace("’", "'").rstrip(".")
    return low[:-2] if low.endswith("'s") else low


def _names_someone(low: str) -> bool:
    """Whether a word of a capitalised run may be part of a person's name (``low``: _plain)."""
    return not (low in STOP_WORDS or low in _CALENDAR or low in _TITLES or low in _ORG_WORDS
                or low in _COMPANY_WORDS or low.isdigit())


# "What is the service called?", "What is the name of ...?", "Under what brand name ...?": the
# question asks for the name something was given, which a story gives after a naming word.
_GIVEN_NAME = re.compile(_WHAT_NAME.pattern + r"|\b(?:brand|trade)\s*names?\b|\bwhat\s+brand\b", re.I)
# "a new unit named AMR Investment Services", "The service, called Fast Lube,", "known as ASAP
# Express", "will be marketed as Retrovir", "under the trade name Kodel": a naming word ending
# just before a capitalised run (an opening quote or bracket may stand between).
# "... will change its name to Hercules Engines Inc", "changed the name of its Hi-Net Communications
# unit to Comsat Video Enterprises", "its new name will be ..." give one too.
_NAMING = re.compile(r"\b(?:(?:re)?named|called|known\s+as|dubbed|titled|marketed\s+as|sold\s+as|branded|"
                     r"name\s+(?:of\s+[^.;]{1,50}?\s+)?to|new\s+name\s+(?:is|will\s+be|of)|"
                     r"under\s+the\s+(?:brand\s*|trade\s*)?name(?:\s+of)?)\s+[\"“‘'<(]?$", re.I)
_NAMING_CHARS = 80  # how far back a naming word is looked for ("changed the name of its ... unit to")
# ... or after it: "Gaspe Mines is the name of the Noranda division that ...".
_NAME_OF_AFTER = re.compile(r"\s+(?:is|was|will\s+be|has\s+become)\s+the\s+(?:new\s+|official\s+)?name\s+(?:of|for)\b")
# "BP/Standard Financial Trading"; "called Version 1.01": a version's number goes with the name
_GIVEN_RUN = re.compile(rf"{_CAPS.pattern}(?:/{_CAPS.pattern})*(?:\s+\d+(?:\.\d+)*[a-z]?\b(?![.,]?\d))?")


# "What did he call the austerity measures?", "How did Funaro describe the program?", "What term
# did he use for ...?": the words someone used, which a story quotes ('a "necessary antidote"').
_WORDING = re.compile(r"\bwhat\s+(?:did|does|do|has|have|had|would|will)\s+[^?]{1,80}?\b(?:call|term|label|dub|describe)\b"
                      r"|\bhow\s+(?:did|does|do|has|have|had|would|will)\s+[^?]{1,80}?\bdescribe\b"
                      r"|\bwhat\s+(?:[\w-]+\s+)?(?:term|word|words|phrase|expression|slogan|rating)\s+"
                      r"(?:did|does|do|has|have|had|would|will|is|was)\b", re.I)
# Inside quotation marks: curly and single ones by their shape (a single one not inside a word:
# "Sony's" holds none); straight double ones by where they stand (_STRAIGHT_MARK).
_QUOTED = re.compile(r"“([^“”]{2,80}?)[,.;:!?]?”|(?<![\w'‘])['‘]([^'‘’\"]{2,80}?)[,.;:!?]?['’](?![\w'’])")
_INSIDE = re.compile(r"\s*(.*?)[,.;:!?]?\s*$", re.S)
# A straight mark opens after a space or the start and before a word ('as a "necessary'), and
# closes after a word ('antidote"'): a quotation the sentence before opened is closed, not opened.
_STRAIGHT_MARK = re.compile(r'(?:(?<![^\s(\[])(?P<opens>")(?=\S))|(?:(?<=\S)(?P<closes>"))')
QUOTED_WORDS = 6  # at most: a longer quotation is a statement, not a wording


def asks_wording(question: str) -> bool:
    """Whether ``question`` asks for the words someone used ("What did he call ...?")."""
    return bool(_WORDING.search(question))


def quoted(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` quoted in a few words ('"substandard,"', '“screwdriver factories”'), without
    the quotation marks and the punctuation inside them."""
    spans = [m.span(m.lastindex) for m in _QUOTED.finditer(text)]
    open_at = None
    for m in _STRAIGHT_MARK.finditer(text):
        if open_at is None and m.group("opens"):
            open_at = m.end()
        elif open_at is not None and m.group("closes"):
            spans.append(_INSIDE.match(text, open_at, m.start()).span(1))
            open_at = None
    return sorted((s, e) for s, e in spans
                  if len(text[s:e].split()) <= QUOTED_WORDS and any(ch.isalpha() for ch in text[s:e]))


def asks_given_name(question: str) -> bool:
    """Whether ``question`` asks what something is called: its name, title or brand."""
    return bool(_GIVEN_NAME.search(_uncontracted(question)))


def given_names(text: str, qstems: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that a naming word introduces ("formed a new unit named AMR Investment
    Services", 'named "Lei-zy Day Fares"'), with a word the question does not use. A name so
    given is new even where it shares a word with the question's company ("AMR"), which
    candidates would take for the question's own; a title after "named" ("was named President")
    gives no name. Quotation marks alone give none: in today's news they hold titles, slogans
    and scare quotes ('The extra-long "Better Call Saul" series finale') as often as names."""
    out = []
    for m in _GIVEN_RUN.finditer(text):
        before = text[max(0, m.start() - _NAMING_CHARS):m.start()]
        named = (_NAMING.search(before) or _NAME_OF_AFTER.match(text, m.end())) and _plain(m.group(0).split()[0]) not in _TITLES
        if named and (_name_words(m.group(0), qstems) or any(ch.isdigit() for ch in m.group(0))):
            out.append(m.span())
    return out


def _initials(words: list[str]) -> str:
    """The acronym a name's words make, without its legal form: "cdc" for "Centers for Disease
    Control", "att" for "American Telephone and Telegraph Co"."""
    while words and _plain(words[-1]) in BARE_FORMS:
        words = words[:-1]
    return "".join(w[0] for w in words if w.lower() not in ACRONYM_SKIP).lower()


def _own_by_initials(text: str, runs: list[re.Match], qstems: set[str] | frozenset[str]) -> set[int]:
    """Where two runs start that one "and" joins into a name the question gives as its acronym:
    "Ministry of International Trade and Industry" for "MITI", "American Telephone and Telegraph
    Co" for "ATT" (a run stops at "and", where two names are listed as often)."""
    own = set()
    for first, second in zip(runs, runs[1:]):
        if text[first.end():second.start()] in (" and ", " & ") and \
                _initials(_RUN_WORD.findall(first.group(0) + " " + second.group(0))) in qstems:
            own.update((first.start(), second.start()))
    return own


def _is_the_questions_own(span: str, qstems: set[str] | frozenset[str], kind: str,
                          described: frozenset[str] = frozenset()) -> bool:
    """Whether a capitalised run names what the question already names: "Kenyan President Daniel
    Arap Moi" when it asks about Moi, "Business Computer Solutions Inc" when it asks about that
    company. Titles and organisation words ("Minister", "Corp") are shared by other names, and a
    person is named by the surname: "John P. Desmond" is not the question's "John Geiger". Words
    of the question's description of the answer (``described``: "pizza" in "Which pizza chain
    ...?") do not make a name that holds others its own: "Domino's Pizza" answers."""
    runs = _RUN_WORD.findall(span)
    initials = _initials(runs) if len(runs) >= 2 else ""
    if initials and (initials in qstems or stem(initials) in qstems):
        return True  # "Centers for Disease Control" when it asks "Which CDC researcher ...?" (and "CBOE", stemmed "cbo")
    named = [low for low in map(_plain, runs) if low not in STOP_WORDS and low not in _TITLES]
    words = [low for low in named if low not in _ORG_WORDS and low not in _COMPANY_WORDS and low not in _CALENDAR]
    if kind == PERSON:
        # The surname; after "Jr" or "III", the first name too: "Joseph B. Ely II" is the
        # question's "Joseph Ely", "August Busch III" not its "Anheuser-Busch".
        generation = [low for low in words if low not in _GENERATIONS]
        if len(generation) < len(words) and stem(named[0]) not in qstems:
            return False
        words = generation[-1:]
    own = [low for low in words if stem(low) in qstems or low in qstems]
    if not own and words and all(_hyphened_own(low, qstems) for low in words):
        own = words  # "Ciba-Geigy" itself, not "Falcon MS-DOS" for what name was on the copies of MS-DOS
    if own and len(own) < len(words) and all(stem(low) in described for low in own):
        return False
    return bool(own)


def _hyphened_own(low: str, qstems: set[str] | frozenset[str]) -> bool:
    """Whether a hyphened word is the question's own in its parts, as the question's words are
    read ("ciba" and "geigy" for "Ciba-Geigy"); not a designation with a number ("Covid-19": read
    so, it lost two RealTime QA answers whose sentence had offered it, and gained no Reuters one)."""
    parts = [part for part in low.split("-") if part]
    return len(parts) > 1 and all(part.isalpha() and stem(part) in qstems for part in parts)


# What gives a reason, from the cue to the end of its clause: "because of ...", "due to ...",
# "blamed the decline on ...", "citing ...". The weaker cues ("after", "amid", "to help
# finance") give a reason less often than they tell what came before or what it is for.
_REASON_STRONG = (r"because(?:\s+of)?|due\s+to|owing\s+to|as\s+a\s+result\s+of|on\s+account\s+of|thanks\s+to|"
                  r"caused\s+by|(?:blam|attribut)(?:e|es|ed|ing)\b[^.;]{0,80}?\b(?:on|to)|cit(?:e|es|ed|ing)|"
                  r"reflect(?:s|ed|ing)?|in\s+order\s+to|so\s+(?:as\s+)?to|in\s+response\s+to|for\s+fear|"
                  r"died\s+(?:of|from)")  # "Zorinsky, who died of a heart attack last Friday"
_REASON_WEAK = r"after|following|amid|since|to\s+help|to\s+(?:finance|fund|pay|cut|reduce|boost|raise|avoid)"
_REASON = re.compile(rf"\b(?:(?P<strong>{_REASON_STRONG})|(?P<weak>{_REASON_WEAK}))\b[^.;]{{0,120}}", re.I)
# A cause that does something, before its verb: "A defective electrical relay caused a feedwater
# pump to stop", "..., heavy rains triggered the slide".
_CAUSE = re.compile(r"(?:^|[,;:]\s*)(?P<cause>[^,;:.]{3,120}?)\s+(?:caused|led\s+to|prompted|triggered|sparked|forced)\b")


# A bond's maturity ("6.75 pct capital bonds due 1988/2007") is part of what it is called: it
# answers when the bonds are due or mature, not when their subscriptions close (an event "due
# in June" is when it is expected).
_DUE_BEFORE = re.compile(r"\b(?:bonds?|notes?|debentures?|eurobonds?|euronotes?|paper|certificates?|loans?|"
                         r"issues?)\b[^.;]{0,40}?\bdue\s+(?:\d{4}\s*[/-]\s*)?$", re.I)
_MATURITY_STEMS = stems("mature maturity matures due redeem redemption repay repaid repayable expire expiry")


def _own_number(number: str, qstems: set[str] | frozenset[str]) -> bool:
    """Whether a number is the question's own ("12", "twenty-five")."""
    low = number.lower().strip("$£€%")
    words = stems(low) if "-" in low else frozenset()
    # "462,000" is read from a question as "462" and "000"
    groups = low.split(",") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", low) else []
    return low in qstems or bool(words) and words <= qstems or bool(groups) and all(g in qstems for g in groups)


def candidates(kind: str, text: str, qstems: set[str] | frozenset[str],
               described: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of ``text`` that could answer a question of ``kind``, leaving out the question's
    own words (``qstems``, as words.stems gives them; a name holding words of the question's
    description of the answer, ``described``, and others is not its own): a person's name is two or more
    capitalised words, not a nationality ("Iranian Regime"); a place is a name after "in",
    "from", "near" (or "in northwestern"), a known place's name, or a town before its US state or
    Canadian province; a date is a month, weekday, year or season; a number is digits or a
    number word."""
    if kind == NUMBER:
        dates = [m.span() for m in _DATE.finditer(text)]
        return [m.span() for m in _NUMBER.finditer(text)
                if not _own_number(m.group(0), qstems) and not YEAR_FIGURE.fullmatch(m.group(0))
                and not any(s <= m.start() and m.end() <= e for s, e in dates)
                and not (m.group(0).lower() == "one" and _ONE_OF.match(text, m.end()))
                and not _in_designation(text, *m.span())]
    if kind == DATE:
        maturity = not _MATURITY_STEMS.isdisjoint(qstems)
        return [m.span() for m in _DATE.finditer(text) if m.group(0).lower() not in qstems and _a_date(m.group(0))
                and (maturity or not _DUE_BEFORE.search(text, max(0, m.start() - 60), m.start()))]
    if kind == REASON:
        return sorted([m.span() for m in _REASON.finditer(text)] + [m.span("cause") for m in _CAUSE.finditer(text)])
    if kind in (PERSON, NAME) and not any(ch.islower() for ch in text):
        return []  # in capitals ("FROST/SULLIVAN OFFICERS TO SELL SHARES") every word looks like a name
    out = []
    listed_from = -1  # where the last place ended: a list goes on from it ("in London, Paris and Frankfurt")
    runs = list(_CAPS.finditer(text))
    own_pairs = _own_by_initials(text, runs, qstems) if kind in (PERSON, NAME) else set()
    for m in runs:
        run, start = m.group(0), m.start()
        if start in own_pairs:
            continue
        opener = _OPENER.match(run + " ")  # "In California, which ...": the sentence's first word is no part of the name
        if opener and opener.end() > len(run) or _COUNT_ALONE.fullmatch(run):
            continue  # "Unlike much in Congress ...": the opening word alone names nothing
        if opener:
            run, start = run[opener.end():], start + opener.end()
        if kind == PERSON:  # "David Larner of Lloyds", "Henry Kaufman of Salomon Brothers Inc": a person's
            run = _before_of(run, qstems)  # name before the "of" of where they work
        end = start + len(run)
        label = _LABEL.match(text, end) if kind == NAME and described else None
        if label and stem(_plain(run.split()[-1])) in described:
            # "Which resolution ...?": "Resolution 188", the noun asked for and the number that labels it
            run, end = text[start:label.end()], label.end()
        # (A list goes on with places, each ending where the list does or goes on: not with "Energy
        # Ministry officials" nor "in northern Iraq, Tehran's IRNA news agency said".)
        placed = kind == PLACE and (_reads_as_place(text, run, start, end) or _listed(text, listed_from, start)
                                    and not _organisation(_plain(w) for w in run.split())
                                    and bool(_LIST_ITEM_END.match(text, end)))
        words = _name_words(run, qstems)
        if placed and not all(_plain(w) in _CALENDAR for w in _RUN_WORD.findall(run)):
            # the question's own place too ("the lake port of Jinja and Kisumu"); but a month is
            # no place a list goes on from ("in May, Trade Minister Rachmat Saleh told Reuters")
            listed_from = end
        if not words or all(_plain(w) in BARE_FORMS for w in words):
            continue  # "Sears, Roebuck and Co": the legal form alone names nothing
        if kind in (PERSON, NAME) and len(words) == 1 and _plain(words[0]) in _SEASONS:
            continue  # "after next Spring's presidential election"
        if kind in (PERSON, NAME) and _is_the_questions_own(run, qstems, kind, described):
            # "Arther Mitchell of Coudert Brothers", "NASA's Artemis I": the question's own name,
            # and the firm after "of" (not a town: "Moss Rosenberg Verft of Stavanger") or the
            # thing after the possessive a name to offer.
            after = _after_own(run, qstems) if kind == NAME else ""
            if after:
                out.append((end - len(after), end))
            continue
        if kind == PERSON:
            # A run that ends as an organisation's name is one though the question names it
            # ("Ontario Supreme Court"); a post at one stays a person's ("Central Bank Governor
            # Chang Chi-cheng", "US House Speaker Nancy Pelosi"): after a title, only the words
            # that follow it name the holder.
            every = _name_words(run, frozenset())
            titled = [i for i, w in enumerate(every) if w.lower() in _TITLES]
            holder = every[titled[-1] + 1:] if titled else words
            if _organisation(map(_plain, holder)) or _organisation(map(_plain, every[-1:])):  # "Smith Inc's" too
                continue
            if _plain(every[-1]) in _NAMED_AFTER_SOMEONE:  # "the Ted Lindsay Award", "Lincoln Center"
                continue
            if _place_name(run) in _NO_PERSON or _PLACE_KIND.search(run):  # "the United States", "Montana City"
                continue
            state = _STATE_NAMED.match(run)
            if state and _known_place(state.group(1)):  # "in Texas State court"
                continue
            if _TICKER_AFTER.match(text, end):  # "Regie Nationale des Usines Renault <RENA.PA>": a company
                continue
            own = _POSSESSIVE_FIRST.match(run)
            if run.endswith(_BASED) or own and len(every) < 3 and _known_place(own.group(1)):
                continue  # "New York-based", "Tanzania's Agriculture": a place's, no one's name
            # "UK Prime Minister Boris Johnson": a person is named by what is left of the run
            # without acronyms, nationalities and titles, in two words or more, or in one after a
            # title only a person holds ("President Reagan", "King Fahd").
            named = [w for w in every if not _acronym(w) and not _names_a_people(w)
                     and w.lower() not in DEMONYMS and w.lower() not in _TITLES]
            if " ".join(named) in _NO_PERSON:  # "New York NASDAQ": a city's name and an exchange's
                continue
            if len(named) < 2 and not (named and titled and titled[-1] == len(every) - 2
                                       and every[-2].lower() in _PERSONS_TITLES):
                continue
        elif kind == PLACE:
            based = run.find(_BASED)
            if based > 0:  # "Los Angeles-based" (the run may go on: "Los Angeles-based Rogers")
                out.append((start, start + based))
                continue
            if _COUNTRY_AFTER.match(text, end) and not _known_place(run):
                # "Biopool AB of Umea, Sweden": the town is the name after the last "of"
                of = run.rfind(" of ")
                out.append((start + (of + len(" of ") if of >= 0 else 0), end))
                continue
            home = _COMPANY_OF_IN_RUN.search(run)
            if home:  # "Qintex Ltd of Brisbane": where the company is
                out.append((start + home.start(1), end))
                continue
            served = run.rsplit(" for ", 1)[-1] if " for " in run else ""
            if served and _known_place(served):
                # "a former member of the European Parliament for Poland": the country served
                out.append((end - len(served), end))
                continue
            if not placed:
                continue
            if _named_by_its_people(run, words, qstems) or _named_short(run, qstems):
                continue
        out.append((start, end))
    if kind == PLACE:  # "over the Iraqi desert", "in Kuwaiti waters": a people's land by what it is
        out = sorted(set(out) | {m.span(1) for m in _PEOPLES_GROUND.finditer(text)
                                 if not stems(m.group(1)) <= qstems})
    return out


# A place told by a people's adjective and the kind of ground it is, after a word of where.
_PEOPLES_GROUND = re.compile(r"\b(?:in|at|near|over|across|into|inside|along|off|from)\s+(?:the\s+)?"
                             rf"((?-i:[{UPPER}][a-z]+(?:i|ian|ish|ese|an))\s+(?:desert|waters|airspace|border|coast|"
                             r"territory|soil|mountains|capital|countryside|province|frontier))\b")


# A sentence's first word, capitalised, that the name after it runs on from: "In California",
# "At Boeing", "The Netherlands" ("The" is read as the name's own by _place_name where it is).
# A linking adverb ("Furthermore, USDA said ...") names nothing either, nor a preposition in
# "-ing" ("According to Norsk Hydro", "Following consummation of the offer").
_OPENER = re.compile(r"(?:(?:The|A|An|In|At|On|For|From|By|With|After|Before|Under|Since|During|Despite|Against|"
                     r"Among|Between|Into|Through|While|When|If|Although|Unlike|And|But|Or|As|Of|To|However|"
                     r"Meanwhile|Furthermore|Moreover|Nevertheless|Nonetheless|Instead|Also|Thus|Therefore|"
                     r"Otherwise|Yet|Separately|Additionally|Finally|Overall|Initially|Subsequently|Consequently|"
                     r"Accordingly|Likewise|Similarly|Indeed|Besides|Still|Then|Now|Later|Earlier|Previously|Currently|"
                     r"Recently|Today|Yesterday|Traditionally|Usually|Normally|Generally|Ultimately|Eventually|Hence|"
                     r"According|Following|Including|Excluding|Regarding|Concerning|Barring|Pending|"
                     r"Prior|Due|Once|Given|Upon|Whereas|Amid|Amidst|Toward|Towards|Via|Apart|Aside|Regardless|Unless|"
                     r"Whether|Within|Without|"
                     # ... nor a participle opening an inverted sentence ("Cut to Baa-2 were the senior debt ...")
                     r"Cut|Raised|Lowered|Downgraded|Upgraded|Affected|Confirmed|Reduced|Withdrawn|"
                     # ... nor a plural noun of the trade opening a sentence ("Proceeds and expenses from ...")
                     r"Proceeds|Sales|Revenues|Earnings|Profits|Losses|Shares|Prices|Terms|Details|Analysts|"
                     r"Officials|Sources|Traders|Dealers|Shareholders|Stockholders|Bankers|Economists|Investors)\s+)+")
# A count alone ("Three of the plants will work") names nothing; before other capitalised words it
# may begin a name, which it stays part of.
_COUNT_ALONE = re.compile(r"One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve|Twenty|Dozens|Hundreds|"
                          r"Thousands|Several|Many|Some|Most|All|Both|Each|Every|Another|Such")
# Places whose names are a person's in shape (two capitalised words), which name no person.
_NO_PERSON = PLACES | CITIES | LANDMARKS
# A run that opens with a possessive, a place's (_known_place) in "Tanzania's Agriculture (and Livestock Development
# Minister)", "Britain's Prime Minister ...".
_POSSESSIVE_FIRST = re.compile(r"^(.+?['’]s)\s")
# A run that goes on, past a particle, to a stock ticker names a company: "Regie Nationale des
# Usines Renault <RENA.PA>".
_TICKER_AFTER = re.compile(r"(?:\s+(?:des|de|du|di|del|della|van|von|of|and|&|la|le|et)\s+[A-Z][\w.&'’-]*"
                           r"(?:\s+[A-Z][\w.&'’-]*)*)*\s*<[A-Z0-9.]+>")
# Between the names of a list, or a name and the one that places it: "London, Paris and
# Frankfurt", "Jinja and Kisumu", "Mar-a-Lago, Trump's Palm Beach resort".
_LIST_JOIN = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
_LIST_ITEM_END = re.compile(r"\s*(?:[,.;:)]|$)|\s+(?:and|or|in|on|near)\b")  # "Jinja and Kisumu in Kenya"


def _listed(text: str, after: int, start: int) -> bool:
    """Whether the name starting at ``start`` of ``text`` goes on from a place that ended at
    ``after`` (-1: none) in a list or an apposition."""
    return after >= 0 and bool(_LIST_JOIN.fullmatch(text, after, start))


# "<Qintex Ltd> of Brisbane", "Qintex Ltd of Brisbane": a company's legal form, then where it is.
_LEGAL_OF = r"\b(?:Inc|Ltd|Corp|Co|Plc|PLC|AG|SA|NV|Bhd|Pty)\.?>?\s+of\s+"
_COMPANY_OF = re.compile(rf"(?:{_LEGAL_OF}|>\s+of\s+)$")
_COMPANY_OF_IN_RUN = re.compile(rf"{_LEGAL_OF}([{UPPER}].*)$")


def names_a_home(text: str, start: int, end: int) -> bool:
    """Whether the place at [start, end) of ``text`` says where a company is based: "British" in
    "a British-based pharmaceutical company", "Toronto" in "Galactic Resources Ltd of Toronto"."""
    return text.startswith(_BASED, end) or bool(_COMPANY_OF.search(text, max(0, start - _CUE_CHARS), start))


_AFTER_BASED = re.compile(r"[^,.;:()<>]{0,60}")
BASED_WORDS = 6  # words after "-based" that may name the company it is the home of


def home_of_another(text: str, end: int, qstems: set[str] | frozenset[str]) -> bool:
    """Whether the place ending at ``end`` is the home of a company the question does not name:
    "New York-based investment firm of Rosenkranz" for "Where is Reliance based?" (a name follows
    "-based" and none is the question's); not "Philadelphia-based Reliance" nor "a
    Philadelphia-based company"."""
    if not text.startswith(_BASED, end):
        return False
    words = WORD.findall(_AFTER_BASED.match(text, end + len(_BASED)).group(0))[:BASED_WORDS]
    names = [w for w in words if w[0].isupper()]
    return bool(names) and not any(stem(w.lower()) in qstems for w in names)


def _reads_as_place(text: str, run: str, start: int, end: int) -> bool:
    """Whether the capitalised ``run`` at [start, end) of ``text`` reads as a place: after "in",
    "from", "near" ... (_PLACE_CUE), a known place's name, a town before its US state, or a name
    of a place's kind ("Nara Prefecture", "Mount Osutaka")."""
    return bool(_PLACE_CUE.search(text[max(0, start - _CUE_CHARS):start]) or _known_place(run)
                or _COMPANY_OF.search(text[max(0, start - _CUE_CHARS):start])
                or _STATE_AFTER.match(text, end) or _PLACE_KIND.search(run)
                or bool(_PLACE_NOUN_AFTER.match(text, end)) and not names_a_people(run))  # not "the Indonesian island"


def _before_of(run: str, qstems: set[str] | frozenset[str]) -> str:
    """The part of a capitalised run before its last "of" when that part names someone in two
    words or more and the part after names an organisation or what the question names ("David
    Larner" of "David Larner of Lloyds" for "Who at Lloyds ...?", "Henry Kaufman of Salomon
    Brothers Inc"); else the whole run ("Secretary of State George Shultz", "Chairman of the
    Joint Chiefs of Staff Admiral William Crowe")."""
    of = run.rfind(" of ")
    if of <= 0 or len(_name_words(run[:of], qstems)) < 2:
        return run
    after = [_plain(w) for w in _RUN_WORD.findall(run[of + len(" of "):])]
    where = _organisation(after) or any(w in qstems or stem(w) in qstems for w in after)
    return run[:of] if where else run


def _after_own(run: str, qstems: set[str] | frozenset[str]) -> str:
    """What follows the question's own name in a capitalised run, when it names something else:
    the part after the last "of" (two name words at least) or after a possessive, and no known
    place; "" when nothing does."""
    of = run.rfind(" of ")
    owned = max(run.rfind("'s "), run.rfind("’s "))
    if of > 0:
        after, least = run[of + len(" of "):], 2
    elif owned > 0:
        after, least = run[owned + len("'s "):], 1
    else:
        return ""
    if _is_the_questions_own(after, qstems, NAME) or _known_place(after) or len(_name_words(after, qstems)) < least:
        return ""
    return after


# "Which company ...?", "Which bank ...?": a business is asked for, which no place or people is
# (a producer, supplier or exporter may be a country: "Which producers were named ...?").
_BUSINESS_NOUNS = frozenset(stem(w) for w in """company firm bank group airline carrier insurer lender
brokerage broker manufacturer maker retailer utility subsidiary affiliate unit venture corporation
concern conglomerate underwriter refiner distributor co house""".split())  # "trading house"
# Other bodies that no place or people names ("Which union are the striking locals part of?"),
# the press among them: any of its nouns calls a paper ("Italian daily La Repubblica" for "Which
# Italian paper ...?").
_PRESS_NOUNS = frozenset(stem(w) for w in "newspaper paper daily weekly".split())
_BODY_NOUNS = _PRESS_NOUNS | frozenset(stem(w) for w in "union association federation agency institution".split())
_NO_PLACE_NOUNS = _BUSINESS_NOUNS | _BODY_NOUNS


_BASE = re.compile(r"\b(?:based|headquartered|headquarters|home|hometown|located|situated|from)\b", re.I)


def asks_base(question: str) -> bool:
    """Whether a "where" question asks where something is based ("Where is the buyer based?")."""
    return bool(_BASE.search(question))


def asks_business(question: str) -> bool:
    """Whether ``question`` asks which company, firm, bank ... ("Which company is buying ...?",
    "Which bank is La Caja Obrera merging with?")."""
    return head(question, objects=True) in _NO_PLACE_NOUNS


def names_place_or_people(span: str) -> bool:
    """Whether a capitalised run is a known place's name or a people's ("California", "New York",
    "Uruguayan"), which names no company."""
    return _known_place(span) or names_a_people(span) or _place_name(span) in _COUNTRY_ABBREVIATIONS


# "Which investment bank ...?" asks for a firm, which neither a person nor a public body is:
# not "Ronald Perelman", who owns the bidder, nor the "Securities and Exchange Commission" a
# filing goes to, nor the "Environmental Protection Agency". A person is told by a forename
# opening a run of two or three words; a firm that carries its founder's name keeps a company's
# word or legal form ("Charles Schwab and Co"). (Forenames, not "given names": given_names above
# reads the names things are given.)
FIRM_NOUNS = frozenset(stem(w) for w in """company firm bank airline carrier insurer lender brokerage
broker manufacturer maker retailer utility underwriter refiner distributor house""".split())
_FORENAMES = frozenset("""adam alan albert alexander alfred allan andrew anthony antonio arthur barbara
barry ben benjamin bernard bill brian bruce carl carlos charles christopher claude colin craig daniel
david dennis donald douglas edward elizabeth eric ernest eugene frank franz frederick gary george
gerald gerard gordon graham harold harry helmut henry herbert howard hugh ian irwin jack jacques james
jean jeffrey jerome jerry jim joe johann john jonathan jose joseph juan karl keith kenneth kevin larry
lawrence leonard leslie lewis louis margaret mario mark martin mary michael nicholas norman patrick
paul peter philip pierre ralph raymond richard robert roger ronald russell samuel saul stanley
stephen steven susan terry theodore thomas timothy victor walter wayne werner william
andy bob chris dan dick don ed fred greg jeff ken matt mike nick pat phil rob ron sam steve ted tom tony
geoffrey gregory hans klaus kurt matthew neil nigel rudolf wolfgang""".split())
_PUBLIC_BODIES = frozenset("""commission ministry department court government administration congress senate
parliament agency bureau""".split())
_PUBLIC_BODY = "|".join(sorted(w.title() for w in _PUBLIC_BODIES))
# ... and institutions: "China International Exhibition Centre" is no bank (an "Institute" may be
# a company: "Genetics Institute").
_INSTITUTIONS = frozenset("centre center university college school hospital museum".split())
# A body named for what it oversees, anywhere in a run: "Department of Transportation's Office ..."
# ("Federated Department Stores" is a firm).
_BODY_OF = re.compile(rf"\b(?:{_PUBLIC_BODY})\s+of\b")
# "Securities" before "and Exchange Commission": a body's name that "and" runs through.
_BODY_AFTER_AND = re.compile(rf"\s+and\s+(?:[A-Z][\w'’-]*\s+){{0,3}}(?:{_PUBLIC_BODY})\b")
# The euromarket's instruments, capitalised in news copy ("a zero-coupon Euronote"): no firm, though
# Euroclear, Eurofima and Eurotunnel are.
_EURO_INSTRUMENTS = frozenset("""eurobond eurobonds eurodollar eurodollars euroyen eurosterling eurodebt euromarket
euromarkets euronote euronotes eurocommercial eurocurrency euroequity""".split())
_LOWER_AFTER_HYPHEN = re.compile(r"-[a-z]")
_FIRM_AFTER = re.compile(r",?\s+(?:and|&)\s+(?:Co|Sons|Company|Partners|Associates)\b"
                         r"|\s+(?:&\s+)?(?:Co|Inc|Corp|Ltd|Plc)\b")


def names_no_firm(text: str, start: int, end: int) -> bool:
    """Whether the capitalised run at [start, end) of ``text`` names a person, a public body or
    an instrument, no firm: "Ronald Perelman", "Exchange Commission", "Securities" before "and
    Exchange Commission", "Euronote"."""
    words = [_plain(w).lower() for w in _RUN_WORD.findall(text[start:end])]
    if not words:
        return False
    if words[-1] in _PUBLIC_BODIES or words[-1] in _INSTITUTIONS or _BODY_AFTER_AND.match(text, end):
        return True
    if _BODY_OF.search(text, start, end):  # "U.S. Department of Transportation's Office of Public Counsel"
        return True
    if len(words) == 1:  # nor "Non-precious" opening a sentence: a firm's hyphen is between names
        return words[0] in _EURO_INSTRUMENTS or bool(_LOWER_AFTER_HYPHEN.search(text, start, end))
    return (len(words) <= 3 and words[0] in _FORENAMES and not _organisation(words)
            and not _FIRM_AFTER.match(text, end))


# A country as news abbreviates it ("the U.K.'s state-owned car maker" names no bank).
_COUNTRY_ABBREVIATIONS = frozenset("U.S. U.K. US UK USA U.S.A. USSR U.S.S.R. UAE U.A.E.".split())


def names_a_people(span: str) -> bool:
    """Whether a capitalised run is a people's name ("Swiss", "Japanese", "European"): an
    adjective, no name of a company, person or thing."""
    return _plain(span) in DEMONYMS or _names_a_people(span)


# "Which language ...?": the nouns whose answer a people's name may be ("French").
PEOPLES_ANSWER = frozenset(stem(w) for w in "language languages nationality nationalities cuisine".split())


def _named_by_its_people(span: str, words: list[str], qstems: set[str] | frozenset[str]) -> bool:
    """Whether the question names this place through its people: "Zimbabwe" when it asks about
    "Zimbabwean veterinary officials", "China" for "Chinese", "Canada" for "Canadian" (a question
    word sharing all but the place's last letter, four at least), "Turkey" for "Turkish" (the
    table of places.DEMONYMS). Every word of the place must be so named: "South Australia" is
    a place to offer when the question asks about an "Australian state"."""
    if any(all(stem(w) in qstems for w in people.split()) for people in _PEOPLE_OF.get(_place_name(span), ())):
        return True
    return bool(words) and all(
        len(low) >= 4 and any(q.startswith(low[:max(4, len(low) - 1)]) and q != low for q in qstems)
        for low in map(_plain, words))


# "Which city ...?", "In what town ...?": a country, a state or a region answers none ("Africa"),
# unless it is also a city's name.
_CITY_ASKED = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:city|cities|town|towns|capital|port|village)\b", re.I)
_CITY_TOO = frozenset("""New York|Washington|Quebec|Kuwait|Panama|Guatemala|Djibouti|Singapore|Hong Kong|Macao|Macau|
Monaco|Vatican|Luxembourg|San Marino|Mexico|Brasilia""".replace("\n", "").split("|"))


def asks_city(question: str) -> bool:
    """Whether ``question`` asks which city or town."""
    return bool(_CITY_ASKED.search(question))


# "In which province ...?", "Which U.S. state ...?": a part of a country, which no country's name answers.
_PART_ASKED = re.compile(r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,2}?(?:province|provinces|state|states|prefecture|"
                         r"prefectures|county|counties)\b(?![\w-])", re.I)


def asks_part_of_country(question: str) -> bool:
    """Whether ``question`` asks which province, state or county."""
    return bool(_PART_ASKED.search(question))


def names_a_country(span: str) -> bool:
    """Whether a place's name is a country's ("China", "Brazil's")."""
    return _place_name(span) in COUNTRY_NAMES


def no_city(span: str) -> bool:
    """Whether a place's name is a country's, a state's or a region's that no city shares ("Africa", "Ohio")."""
    return _known_place(span) and _place_name(span) not in _CITY_TOO


def _known_place(span: str) -> bool:
    """Whether a capitalised run is a country's, a US state's, a Canadian province's, an
    Australian state's, a region's or a sea's name ("China's", "The Netherlands", "Ontario"),
    which names a place with no "in" before it."""
    return _place_name(span) in PLACES


def _place_name(span: str) -> str:
    """A capitalised run as a place's name: "Netherlands" for "The Netherlands", "China" for "China's"."""
    return re.sub(r"^The\s+|['’]s$", "", span)


# Countries news names by their initials: a question's "U.S." is the story's "United States".
# (Not "us", which is as often the pronoun.)
_SHORT_NAMES = {"u.s": ("United States", "America"), "u.s.a": ("United States", "America"),
                "u.k": ("United Kingdom", "Britain", "Great Britain"), "uk": ("United Kingdom", "Britain", "Great Britain"),
                "ussr": ("Soviet Union",), "uae": ("United Arab Emirates",)}


def _named_short(span: str, qstems: set[str] | frozenset[str]) -> bool:
    """Whether the question names this place by its initials ("United States" when it asks about
    the "South Korea-U.S. energy talks")."""
    place = _place_name(span)
    return any(place in _SHORT_NAMES.get(short, ()) for short in qstems)


# Each place of places.DEMONYMS with what its people are called: "Turkey" -> ("turkish",).
_PEOPLE_OF = {place: tuple(people for people, places in DEMONYMS.items() if place in places)
              for place in frozenset().union(*DEMONYMS.values())}


# Months that are also words ("it may sell", "a protest march"): a month only with its day
# ("May 7") or written as a name ("in March"), not in capitals, where every word is.
_MONTH_OR_WORD = frozenset({"may", "march", "mar"})


def _a_date(span: str) -> bool:
    """Whether a span the date pattern found is a date: a bare "may" or "march" is a word."""
    first = span.split()[0].rstrip(".")
    if first.lower() not in _MONTH_OR_WORD or any(ch.isdigit() for ch in span):
        return True
    return first[0].isupper() and not first.isupper()


# "next month", "last week": a date, but one that leaves the day to another sentence. "Today",
# "yesterday" and "tomorrow" name a day outright: the answer shows the item's date beside them.
_RELATIVE_DATE = re.compile(r"(?:last|next|this)\s+(?:week|month|year)", re.I)


def names_exactly(kind: str, text: str, qstems: set[str] | frozenset[str],
                  found: list[tuple[int, int]] | None = None, posts: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` offers what a question of ``kind`` asks for outright: a candidate other
    than a week, month or year counted from the day of writing ("next month" asks for "April
    1-2"; "today" names the item's day), nor a person with a lesser rank of the post asked or
    with another post than the one ``posts`` asks who holds (posts_asked). ``found``: its
    candidates, when already searched."""
    if kind == REASON:  # "because", "due to", a cause that does something; not "after"
        return any(not (m := _REASON.match(text, s)) or m.group("strong")
                   for s, _ in (candidates(kind, text, qstems) if found is None else found))
    return any(not (kind == DATE and _RELATIVE_DATE.fullmatch(text[s:e]))
               and not (kind == PERSON and (_lesser_post(text, s, e, qstems) or _other_post(text, s, e, posts)))
               for s, e in (candidates(kind, text, qstems) if found is None else found))


# A rank that makes a post another one: "Assistant general manager Wang Hongshan" is not the
# general manager a question asks for, nor "Deputy Prime Minister X" the prime minister.
_RANKS = frozenset("assistant deputy vice acting associate interim former".split())
_POST_CHARS = 40  # looked back before a name for its post
# After a name, an apposition ("X, assistant general manager") or the post the sentence gives
# them ("X has been named executive vice president").
_POST_AFTER = re.compile(r",\s+[^.;,()]{0,60}|\s+(?:has\s+been\s+|was\s+|were\s+|will\s+be\s+|is\s+)?"
                         r"(?:named|appointed|elected|promoted\s+to)\s+[^.;,()]{0,60}")
_EARLIER = re.compile(r"\b(?:previously|formerly|was|had\s+been|until)\b", re.I)


def _post_words(text: str, s: int, e: int, *, left: bool) -> list[str]:
    """The lower-case words that may give the post of the person named at ``text[s:e]``: those
    before the name back to its clause's start, the span's own ("Deputy Chairman X"), and an
    apposition after it ("X, assistant general manager"); with ``left`` False, not an apposition
    that tells of a post left ("X, previously executive vice president")."""
    window = text[max(0, s - _POST_CHARS):s]
    said = window[max(map(window.rfind, ".;,()")) + 1:] + text[s:e]  # back to the clause's start
    after = _POST_AFTER.match(text, e)
    if after and (left or not _EARLIER.search(after.group(0))):
        said += after.group(0)
    return re.findall(r"[a-z]+", said.lower())


def _lesser_post(text: str, s: int, e: int, qstems: set[str] | frozenset[str]) -> bool:
    """Whether the person named at ``text[s:e]`` holds the post the question asks about with a
    rank it does not ask for, in the words just before the name or in the span itself ("Deputy
    Chairman X"), or in an apposition after it ("X, assistant general manager"); "X, a former
    member of parliament" holds no rank in the vice presidency asked about."""
    words = _post_words(text, s, e, left=False)
    return any(w in _RANKS and stem(w) not in qstems and stem(post) in qstems  # "deputy [prime] minister"
               for w, post in zip(words, words[1:]))


# Posts a question may ask who holds ("Who is the president of Pan Ocean Shipping?").
_POST_WORDS = """president chairman chairwoman minister secretary chancellor governor senator mayor director
manager ceo treasurer spokesman judge commissioner premier editor founder lawyer prosecutor economist
analyst engineer scientist researcher coach quarterback actor singer author journalist diplomat commander
congressman"""
# Names of one post: "attorney for Apex" is the lawyer asked for.
_SAME_POST = {"attorney": "lawyer", "counsel": "lawyer", "spokeswoman": "spokesman", "spokesperson": "spokesman",
              "chairwoman": "chairman", "actress": "actor", "writer": "author", "envoy": "diplomat",
              "ambassador": "diplomat", "congresswoman": "congressman", "lawmaker": "congressman",
              "legislator": "congressman"}
_POST_NAMES = " ".join(_POST_WORDS.split() + list(_SAME_POST))
_POSTS = {stem(w): stem(_SAME_POST.get(w, w)) for w in _POST_NAMES.split()}
# "Who is the president of ...?", "Which Nixdorf executive ...", "Name the chairman of ...": the
# post asked for, not one the question names of someone else ("Who ordered banking commissioner
# Robert Empie out of office?").
_POST_ASKED = re.compile(r"\b(?:who\s+(?:is|was|are|were|will\s+be|has\s+been|became|becomes|will\s+become)|which|"
                         r"what|name|identify)\s+(?:(?:the|its|their|his|her|a|an)\s+)?(?:[\w.’'&-]+\s+){0,4}?"
                         rf"({_nouns(_POST_NAMES)})s?\b", re.I)


def posts_asked(question: str) -> frozenset[str]:
    """The stem of the post a "who is the ... ?" or "which ...?" question asks who holds."""
    m = _POST_ASKED.search(question)
    return frozenset({_POSTS[stem(m.group(1).lower())]}) if m else frozenset()


def asking_words(question: str) -> frozenset[str]:
    """The stems of words by which ``question`` asks for a person's name rather than says what it
    is about: "name" in "What's his name?" and "Name the Marine sergeant ..." ("What is the name
    of the holding company?" asks for a name given, which "named" may well introduce)."""
    return _NAME_STEM if _NAME_ASKS.search(_uncontracted(question)) else frozenset()


# "What are the wires made of?", "what material are ATT's new wires made from?"
_ASKS_MATERIAL = re.compile(r"^\W*(?:what|which)\b.*\b(?:made|manufactured|formed|built|composed)\s+(?:out\s+)?(?:of|from)\W*$|"
                            r"^\W*(?:what|which)\s+materials?\b", re.I)
# The rest of a clause, in lower case or not, to where it ends: a stop, a bracket, a comma before
# another clause (", the company said", ", is undergoing tests") or "and" before a verb.
_CLAUSE_REST = (r"(?P<thing>[^.;:()]{3,80}?)(?=\s*[.;:()]|\s*$|,\s+(?:the|it|he|she|they|according|said|and|is|are|"
                r"was|were|has|have|had|will|would|can|could|which|who)\b|\s+(?:which|that|said|and\s+(?:can|could|is|"
                r"are|was|were|will|would|has|have|may|might))\b)")
# What a thing is made of, after the words that say so: "are made of a barium-yttrium-copper oxide
# compound", "are a blend of yttrium, barium and copper oxide and can conduct ...".
_MATERIAL = re.compile(r"\b(?:(?:made|manufactured|formed|built|composed)\s+(?:out\s+)?(?:of|from)|consists?\s+of|"
                       rf"consisting\s+of|(?:blend|mixture|mix|compound|alloy|combination)\s+of)\s+{_CLAUSE_REST}", re.I)


# "What is the key point of disagreement between ...?", "what was named as the main issue ...":
# what a sentence says the most important one is ("The most important difference is the role of
# the regime's intelligence ministry in ...").
_KEY_ADJECTIVE = r"(?:key|main|chief|principal|primary|central|biggest|major|greatest|(?:single\s+)?most\s+important)"
_ASKS_KEY = re.compile(r"\bwhat\s+(?:is|was|are|were|(?:is|was)\s+(?:named|seen|described|cited|given|identified)\s+as)"
                       rf"\s+the\s+{_KEY_ADJECTIVE}\s+[\w-]+", re.I)
_KEY_THING = re.compile(rf"\b(?:the|its|their)\s+{_KEY_ADJECTIVE}\s+(?:[\w'’-]+\s+){{0,3}}?(?:is|was|are|were)\s+"
                        r"(?P<thing>[^.;:()]{3,200}?)(?=\s*[.;:()]|\s*$|,)", re.I)


def asks_key(question: str) -> bool:
    """Whether ``question`` asks what the most important one of something is."""
    return bool(_ASKS_KEY.search(question))


def key_things(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that say what the most important one of something is (for asks_key)."""
    return [m.span("thing") for m in _KEY_THING.finditer(text)]


# "What approach does Trump prefer ...?", "What Western policy ... wants brought to an end?", "What
# reaction did ... provoke?": a way of acting or a response, which news tells in lower case ("Trump
# prefers direct action", "the appeasement of the Iranian mullahs", "quite a stir"): a thing, not a
# name (the names such a sentence holds are most often the question's own or beside the point).
_CONCEPT_NOUNS = "approach policy strategy stance attitude reaction response label aim goal objective tactic"
_ASKS_CONCEPT = re.compile(rf"\b(?:what|which)\s+(?:[\w’'-]+\s+){{0,2}}?(?P<noun>{_nouns(_CONCEPT_NOUNS)})\b"
                           r"(?!\s+(?:of|for)\s+[A-Z])", re.I)


def asks_concept(question: str) -> bool:
    """Whether ``question`` asks for a way of acting or a response (_CONCEPT_NOUNS)."""
    return bool(_ASKS_CONCEPT.search(question))


def asks_material(question: str) -> bool:
    """Whether ``question`` asks what something is made of."""
    return bool(_ASKS_MATERIAL.search(question))


def materials(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that say what something is made of (for asks_material)."""
    return [m.span("thing") for m in _MATERIAL.finditer(text)]


# "What will Steertec develop?", "What does River Oaks, the company ..., make?": a question
# ending with a verb of making or selling asks for what is made or sold, its object.
_VERB_ENDS = re.compile(r"^\W*what\s+(?:do|does|did|will|would|could|can|should)\b.*?\s(?P<verb>[a-z]+)\W*$", re.I)
_OBJECT_VERBS = frozenset(stem(w) for w in """make produce manufacture develop build sell market supply design
launch introduce export import mine grow distribute offer provide publish""".split())
_IRREGULAR = {stem("make"): "made", stem("build"): "built", stem("sell"): "sold", stem("grow"): "grew|grown"}


def object_verb(question: str) -> str | None:
    """The stem of the verb a "What will X develop?" question ends with, whose object it asks."""
    m = _VERB_ENDS.search(_uncontracted(question).strip())
    if not m:
        return None
    verb = stem(m.group("verb").lower())
    return verb if verb in _OBJECT_VERBS else None


def objects(text: str, verb: str) -> list[tuple[int, int]]:
    """Spans of ``text`` after a form of ``verb`` (a stem; "maker of" for "make" too) to its
    clause's end: "power steering systems" in "Steertec will develop power steering systems."."""
    return [m.span("thing") for m in _object_after(verb).finditer(text)]


@functools.lru_cache(maxsize=len(_OBJECT_VERBS))
def _object_after(verb: str) -> re.Pattern:
    """What objects searches for ``verb``: built once per verb, not once per sentence."""
    forms = rf"{re.escape(verb)}\w*" + (f"|{_IRREGULAR[verb]}" if verb in _IRREGULAR else "")
    return re.compile(rf"\b(?:{forms})\s+(?:(?:of|by)\s+)?{_CLAUSE_REST}", re.I)


def asks_post(question: str) -> bool:
    """Whether ``question`` asks what post someone holds ("What post does he hold ...?", "What's
    Giulio Terzi's position?")."""
    return bool(_ASKS_POST.search(_uncontracted(question)))


# A title, with up to two words that say which of its kind: "vice president", "Foreign Minister",
# "chief executive officer", "a member of the European Parliament".
_TITLE_MODIFIERS = " ".join(_RANKS) + (" foreign finance prime defense defence interior justice trade economy "
                                       "executive general managing chief senior first co")
_TITLE_NOUNS = _POST_NAMES + " member head leader officer adviser advisor representative delegate"
_POST_TITLE = re.compile(rf"\b(?:(?:{_nouns(_TITLE_MODIFIERS)})[\s-]+){{0,2}}(?:{_nouns(_TITLE_NOUNS)})s?\b", re.I)


def post_titles(text: str, qstems: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that name a post (for asks_post), not those every word of which the
    question holds: "vice president" in "The vice president of the European Parliament said"."""
    return [m.span() for m in _POST_TITLE.finditer(text)
            if not all(stem(w) in qstems for w in re.findall(r"[\w’']+", m.group(0).lower()))]


def _other_post(text: str, s: int, e: int, asked: frozenset[str]) -> bool:
    """Whether the person named at ``text[s:e]`` is described by a post (in the words before the
    name back to its clause's start, the span, or an apposition after it) when the question asks
    who holds another one (``asked``, posts_asked): "Finance Minister Chung In-young" is not the
    president of Pan Ocean Shipping a question asks for."""
    if not asked:
        return False
    held = {_POSTS[st] for st in map(stem, _post_words(text, s, e, left=True)) if st in _POSTS}
    return bool(held) and not held & asked


# A story that names its writer: "X wrote an op-ed for Fox News", "X, a human rights activist,
# has analysed the new US sanctions", "In a column, X argued ...".
_WRITING = re.compile(r"\b(?:wrote|writes|has\s+written|penned|authored|analy[sz]e[sd]|argue[sd]|op-ed|"
                      r"column|commentary|editorial)\b", re.I)


def writer(text: str) -> tuple[int, int] | None:
    """The first sentence of ``text`` that says who wrote or analysed it: a person and a verb of
    writing, within one sentence; its offsets, or None."""
    for s, e in sentences(text):
        said = text[s:e]
        if _WRITING.search(said) and candidates(PERSON, said, frozenset()):
            return s, e
    return None


# "Which ministry's role ...?", "Which government body ...?": an organisation that news names in
# lower case ("the regime's intelligence ministry", "the agriculture department") answers too.
_ORGAN_HEADS = frozenset("ministry department agency council committee commission court board authority "
                         "bureau".split())
_ANY_ORGAN = frozenset("body organisation organization institution".split())  # any of the heads
_ORGAN_ASKED = re.compile(rf"\b(?:which|what)\s+(?:[\w’'-]+\s+){{0,2}}?"
                          rf"(?P<head>{_nouns(' '.join(_ORGAN_HEADS | _ANY_ORGAN))})(?:['’]s)?\b", re.I)
# "Which groups did the Resistance urge ...?": groups in the plural, named or told in lower case
# ("all human rights organisations"); a group in the singular is most often a company's.
GROUP_HEADS = frozenset("groups organisations organizations".split())
_ORGAN_NAMED = re.compile(rf"\b(?:{_nouns(' '.join(_ORGAN_HEADS | GROUP_HEADS))})\b")  # lower case: capitalised ones are names
_ORGAN_MODIFIERS = 2
_LOOK_BACK_CHARS = 64  # for each word before the noun: a sentence is not searched from its start
_LOWER_WORD = re.compile(r"(?<![\w’'-])([a-z][a-z-]*)\s+$")  # a whole word: not the "s" of "regime's"


_GROUPS_ASKED = re.compile(r"\b(?:which|what)\s+(?:[\w’'-]+\s+){0,2}?(?:groups|organi[sz]ations|bodies)\b", re.I)


def organs_asked(question: str) -> frozenset[str]:
    """The nouns of organisations a "which ministry / body" question asks for; empty for others."""
    if _GROUPS_ASKED.search(question):
        return GROUP_HEADS
    m = _ORGAN_ASKED.search(question)
    if not m:
        return frozenset()
    head = m.group("head").lower()
    return _ORGAN_HEADS if head in _ANY_ORGAN else frozenset({head})


def _words_before(text: str, start: int, most: int, word: re.Pattern) -> tuple[int, list[str]]:
    """The lower-case words (``word``'s first group) right before ``start``, at most ``most`` and
    up to a stop word, nearest first, and where the farthest starts."""
    words: list[str] = []
    while len(words) < most:
        before = word.search(text, max(0, start - _LOOK_BACK_CHARS), start)
        if not before or before.group(1) in STOP_WORDS:
            break
        words.append(before.group(1))
        start = before.start(1)
    return start, words


def organs(text: str, heads: frozenset[str], qstems: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` naming an organisation in lower case by the words before its noun ("the
    regime's intelligence ministry": "intelligence ministry"), when a word of those is not the
    question's own ("the government agency" names none the question about a government body
    does not)."""
    out = []
    for m in _ORGAN_NAMED.finditer(text):
        if m.group(0) not in heads:
            continue
        start, words = _words_before(text, m.start(), _ORGAN_MODIFIERS, _LOWER_WORD)
        if any(stem(w) not in qstems and w not in qstems for w in words):
            out.append((start, m.end()))
    return out



# "What often-repeated myth ...?" is answered by "the moderates v hardliners myth", "What sort of
# world ...?" by "a better, safer world": the lower-case words a sentence puts before the noun a
# "what" or "which" question asks about, when that noun names a thing (no business, organisation,
# person, place or number, which names answer).
_KIND_OF = re.compile(r"\b(?:what|which)\s+(?:kind|kinds|sort|sorts|type|types)\s+of\s+((?:[\w-]+\s+){0,2}[\w-]+)", re.I)
_NOT_THINGS = _NO_PLACE_NOUNS | frozenset(stem(w) for w in _ORGAN_HEADS | _ANY_ORGAN) | PEOPLES_ANSWER | frozenset(
    stem(w) for w in "name names title country nation state city place person people".split())
THING_MODIFIERS = 3
# Words that describe no thing in particular: "a new menu item" restates "Which menu item ...?".
_VAGUE = frozenset("""new first other same such own latest main major big small key further several various
certain different similar next last previous recent current future possible potential proposed planned
unspecified undisclosed unnamed unidentified particular specific additional more most only entire whole""".split())
_MODIFIER_BEFORE = re.compile(r"(?<![\w’'-])([a-z][a-z-]*),?\s+$")


def thing_asked(question: str) -> str | None:
    """The stem of the thing a "what"/"which" question asks to be described ("myth" in "What
    often-repeated myth ...?", "world" in "What sort of world ...?"); None for any other."""
    kind_of = _KIND_OF.search(question)
    concept = None if kind_of else _ASKS_CONCEPT.search(question)
    if kind_of:
        noun = _phrase_noun(kind_of.group(1))
    elif concept:  # "What Western policy toward ...": the concept's noun, not "toward"
        noun = stem(concept.group("noun").lower())
    else:
        noun = head(question, objects=True)
    return None if noun is None or noun in _NOT_THINGS else noun


def _phrase_noun(phrase: str) -> str | None:
    """The stem of the noun a phrase after "kind of" ends with: its last lower-case word before
    a verb, an auxiliary or a preposition ("new product" in "new product did ...": "product")."""
    noun = None
    for word in phrase.split():
        if word in _PHRASE_ENDS or word in _PAST or not word.islower():
            break
        noun = word
    return stem(noun) if noun else None


def described_things(text: str, noun: str, qstems: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that describe a thing of stem ``noun`` by the lower-case words before it,
    one at least not the question's own ("moderates v hardliners myth", "better, safer world")."""
    if noun[:-1] not in text.lower():  # a cheap look first: the stem less its last letter ("compan" in "companies")
        return []
    out = []
    for m in WORD.finditer(text):
        if not m.group(0).islower() or stem(m.group(0)) != noun:
            continue
        start, words = _words_before(text, m.start(), THING_MODIFIERS, _MODIFIER_BEFORE)
        if any(stem(w) not in qstems and w not in _VAGUE for w in words):
            out.append((start, m.end()))
        said = _THING_IS.match(text, m.end())
        found = list(_LOWER_RUN.finditer(text, said.start(1), said.end(1))) if said else []
        found = found[:next((i for i, w in enumerate(found) if w.group(0) in STOP_WORDS), len(found))]
        if found and found[0].group(0).endswith(_NOT_DESCRIBING):
            found = []  # "The engine was originally proposed for ...": a deed, not what it is
        if any(stem(w.group(0)) not in qstems and w.group(0) not in _VAGUE for w in found):
            # "the new product could be an electronic still camera"
            out.append((found[0].start(), found[-1].end()))
    return out


# "The chemicals are chiefly chlorofluorocarbons", "the new product could be an electronic still
# camera": what a sentence says the thing is, in lower-case words.
_NOT_DESCRIBING = ("ly", "ed", "ing")  # the first word after "is": an adverb or a participle
_LOWER_RUN = re.compile(r"[a-z][a-z-]*")
_THING_IS = re.compile(r"\s+(?:is|are|was|were|(?:could|would|will|may|might)\s+be)\s+(?:chiefly\s+|mainly\s+|mostly\s+|"
                       r"largely\s+|primarily\s+)?(?:an?\s+|the\s+)?((?:[a-z][a-z-]*\s+){0,3}[a-z][a-z-]*)")

"""Whether a question leans on the conversation before it, and how: read from its words alone.

A follow-up ("Who reported it?", "And in July?", "Who is the company's chairman?") is searched
with the question it follows; one that points back at what the previous answer named ("he",
"it", "the company") is answered from that answer's items first (qa/chat.py resolves both). A
question that names its own subject ("What did Volkswagen say about its currency losses?") is
a new one, however short.
"""
from __future__ import annotations

import re

from dateline.index.dates import MONTHS

from . import answer_type
from .places import PLACES
from .read_on import asks_more
from .words import UPPER, rare_in_general, stems, terms

_PRONOUN = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|him|his|her|there|then)\b", re.I)
# In a longer question, a pronoun points back only when the question names nothing it could stand
# for: "he", "his" no name before them ("What post does he hold in the European Parliament?" is
# about someone earlier; "Which French minister said he ..." is not), "it", "their", "there"
# no name at all ("How many miners ended their protest at Anglo American's mine?" is about those
# miners). "there" is a place only where it is not "there is/are ...".
_PERSONAL = re.compile(r"\b(he|she|him|his|her)\b", re.I)
_REFERRING = re.compile(r"\b(it|its|they|them|their|this|these|those)\b"
                        r"|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )"
                        r"\bthere\b(?!\s+(?:is|are|was|were|be|been|will|would|has|have|had)\b)", re.I)
# "Who is the bank's chief executive?", "Where is the company based?": a bare description of what
# the earlier answer named, in a question that names nothing of its own ("the co's write-off" typed
# in a hurry; not "the co-chairman").
_DESCRIBED = re.compile(
    r"\bthe\s+(company|co(?!-)|firm|bank|group|corporation|government|minister|ministry|country|deal|agreement|"
    r"accord|pact|offer|bid|talks|meeting|plan|programme|program|proposal|report|article|story|piece|"
    r"op-ed|resolution|unit|subsidiary|chairman|president|official|writer|author|paper|newspaper|agency|"
    r"sale|merger|takeover|acquisition|plant|project|strike|election|vote|union|court)(?:'s|’s)?"
    r"(?!\s+(?:of|on|in|about|for|to|from|with|that|which|who|whose|where)\b)\b", re.I)
# "What interest would that partner get?", "How much does that offer include?": a demonstrative
# after an auxiliary or a preposition points at something earlier (not "said that profits ...").
_DEMONSTRATIVE = re.compile(r"\b(?:is|was|are|were|does|did|do|will|would|can|could|should|has|have|had|of|in|"
                            r"for|from|with|on|at|by|about|after|before|under)\s+(?:that|this|these|those)\s+"
                            r"(?!(?:is|was|are|were|has|have|had|will|would|can|could|does|did|do|year|years|month|"
                            r"months|week|weeks|quarter|day|days|time|morning|afternoon|evening|weekend)\b)[a-z]", re.I)
_WHO = re.compile(r"^\s*(who|whose)\b", re.I)
# "Which division of the Guards does he run?": "he", the subject after the question's first
# auxiliary, cannot be anyone the question's opening phrase names (the Guards); it is someone
# earlier. Not "Which French minister said he ...", where "he" may be the minister.
_AUXILIARIES = "did|does|do|is|was|are|were|will|would|has|have|had|can|could"
_AUXILIARY = rf"\b(?:{_AUXILIARIES})\b"
_ASKED_OF_SOMEONE_EARLIER = re.compile(
    rf"^\s*(?:which|what|where|when|why|how(?:\s+\w+)?)\b(?:(?!{_AUXILIARY})[^,;])*?{_AUXILIARY}\s+(?:he|she)\b", re.I)
_WH_SUBJECT = re.compile(r"^\s*(who|whose|which|what)\b", re.I)
_AUXILIARY_BEFORE = re.compile(rf"\b({_AUXILIARIES}|should|may|might|must)\s+$", re.I)
# What a question names of its own: a capitalised word after its first, or a number.
# (Not the letter of a class of shares: "per class B share" names nothing.)
_NAME = re.compile(rf"(?<!^)(?<![.?!]\s)(?<!\bclass\s)(?<!\bseries\s)\b(?!I\b)[{UPPER}][\w'’&.-]*|\b\d[\d.,]*\b")
_FIRST_WORD = re.compile(rf"^\W*([{UPPER}][\w'’-]*)")
_NEWS = re.compile(r"\bnews\b", re.I)
_CONTINUE = re.compile(r"^\s*(and|also|what about|how about|but|so|then)\b", re.I)
# "Tell me about coffee quotas", "What do we know about cocoa?": a request for an overview that
# names its own topic starts a new one, however few its words; "Tell me about it" points back.
_ABOUT = re.compile(r"^\W*(?:please\s+|(?:can|could)\s+you\s+)?(?:tell\s+me\s+(?:about|of)|"
                    r"what\s+(?:do|did|does|can)\s+(?:we|you|i|they)\s+know\s+(?:about|of|on)|"
                    r"what\s+is\s+known\s+(?:about|of)|(?:give\s+me\s+)?(?:an?\s+)?"
                    r"(?:overview|summary|digest|round-?up)\s+of)\b(?P<topic>.*)$", re.I)
# "Who reported it?", "Which source published that?", "Who wrote the article?"; not "Who said
# so?", which asks for the speaker the story quotes.
_WHO_REPORTED = re.compile(
    r"^\s*(?:and\s+)?(?:who|which\s+(?:source|paper|newspaper|agency|outlet|publication))\s+"
    r"(?:\w+\s+)?(?:wrote|write|writes|reported|reports|report|published|publish|filed|author\w*|"
    r"ran|carried)\b", re.I)


def is_elliptical(question: str) -> bool:
    """Whether a follow-up leaves its asking to the question before: "And the year before?",
    "How about West Germany?" ask what that one asked, of another time or of a name; "And
    where?" asks on its own, and so do "And its partner in the venture?" and "What about its
    revenue?", which say what they ask for."""
    m = _CONTINUE.match(question)
    if not m or answer_type.WH_WORD.search(question, m.end()):
        return False
    rest = question[m.end():]
    named = {w.lower() for w in _NAME.findall(rest)}
    return not (set(terms(rest)) - _TIME_WORDS - named)


_TIME_WORDS = frozenset("""year years month months quarter quarters week weeks day days period before earlier
previous prior ago last next later after first second third fourth half""".split()) | frozenset(MONTHS)


def goes_on(question: str) -> bool:
    """Whether a follow-up goes on with the topic before ("And billet?", "What about gold sales?",
    "And the year before?"): its answer is another passage than the one quoted before, unless that
    one holds the new words. "In which province is the mine?" asks something new of the same
    passage, which may hold it."""
    return bool(_CONTINUE.match(question))


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on an earlier turn: a pronoun, "And ...", or a question with
    almost no topic words ("Why?", "Which board?"). A keyword or a name with no question
    ("executions") is a new search, and so is a question for the news at large ("What is the
    latest news?"), however few their words."""
    words = terms(question)
    if _CONTINUE.search(question) or asks_who_reported(question) or asks_more(question):
        return True
    if len(words) <= 3 and any(_leans_back(question, m) for m in _PRONOUN.finditer(question)):
        return True
    if answer_type.is_topic(question) or _NEWS.search(question) or _names_topic(question):
        return False
    # "Why did profit fall?": two words at most and no name of its own, the earlier story's.
    return len(words) <= 1 or (len(words) <= 2 and not _names_something(question)) or points_back(question)


def _names_something(question: str) -> bool:
    """Whether the question names something of its own: a capitalised word after its first or a
    number (_NAME), or a first word that is a country, state or region ("Brazil debt?") or a word
    English at large seldom uses ("Volcker debt?", "Texaco bankruptcy?"), which a capital alone
    does not tell from "Profits fell?"."""
    first = _FIRST_WORD.match(question)
    return bool(_NAME.search(question)) or bool(first and (first.group(1) in PLACES or rare_in_general(first.group(1))))


def _names_topic(question: str) -> bool:
    """Whether ``question`` asks for an overview of a topic it names ("Tell me about coffee
    quotas"), not of something earlier ("Tell me about it", "What do we know about the company?")."""
    m = _ABOUT.match(question)
    return bool(m) and bool(terms(m.group("topic"))) and not refers_back(m.group("topic"))


def _leans_back(question: str, pronoun: re.Match) -> bool:
    """Whether a pronoun of a short question stands for something earlier: it ends the question
    ("Who reported it?", "What did Reagan say about it?") or no name comes before it ("its" in
    "What did Volkswagen say about its currency losses?" is Volkswagen's)."""
    return not question[pronoun.end():].strip(" ?.!") or not _NAME.search(question[:pronoun.start()])


def points_back(question: str) -> bool:
    """Whether a question of any length points at something it does not name: "he" or "his" with
    no name before it, or "it", "their", "there" or a bare description ("the company") in a
    question that names nothing; in each case a pronoun that may stand for what the question
    asks about ("Which company said its chairman had resigned?") does not count."""
    for m in _PERSONAL.finditer(question):  # a person's pronoun may stand only for "who"
        if not _NAME.search(question[:m.start()]) and not (_WHO.match(question) and _stands_for_asked(question, m)):
            return True
    if _ASKED_OF_SOMEONE_EARLIER.match(question):
        return True
    if _NAME.search(question):
        return False
    return (any(not _stands_for_asked(question, m) for m in _REFERRING.finditer(question))
            or bool(_DESCRIBED.search(question)) or bool(_DEMONSTRATIVE.search(question)))


def _stands_for_asked(question: str, pronoun: re.Match) -> bool:
    """Whether ``pronoun`` may stand for who or what the question asks about: the question opens
    with "Who", "Which ..." or "What ...", and the pronoun is neither the subject after an
    auxiliary ("What post does he hold ...?") nor its last word ("... between them?")."""
    return (bool(_WH_SUBJECT.match(question)) and not _AUXILIARY_BEFORE.search(question[:pronoun.start()])
            and bool(question[pronoun.end():].strip(" ?.!")))


# "Who wrote it?", "Who is the author?": the writer, where the story names one, before the outlet.
_WHO_WROTE = re.compile(r"\b(?:wrote|write|writes|written|author\w*)\b", re.I)


def asks_who_wrote(question: str) -> bool:
    """Whether a "who reported it" question asks for the writer ("Who wrote it?")."""
    return asks_who_reported(question) and bool(_WHO_WROTE.search(question))


def asks_who_reported(question: str) -> bool:
    """Whether the question asks who reported or wrote what the previous answer cited."""
    return bool(_WHO_REPORTED.search(question)) and len(terms(question)) <= 3


def refers_back(question: str) -> bool:
    """Whether ``question`` points at something the previous answer named ("he", "it", "that
    resolution", "the company"), or asks with no topic word of its own ("Why?", "How much?"),
    rather than only continuing its topic ("And in July?")."""
    return bool(_PRONOUN.search(question)) or points_back(question) or not terms(question)


def names_used(question: str) -> set[str]:
    """The stems of what the question names of its own: capitalised words after its first, numbers."""
    return {s for m in _NAME.finditer(question) for s in stems(m.group(0))}

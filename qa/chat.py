"""Conversation turns: resolve a follow-up ("Who reported it?", "And in July?") against history.

A request may carry the previous turns, either as ``{"question", "answer": {answer dict}}`` or
as chat messages ``{"role": "user" | "assistant", "content"}``. A follow-up is searched together
with the question it follows, and the previous turn's filters carry over unless the new
question sets its own. "Who reported it?" is answered from the previous answer's citations;
a follow-up that refers back ("Which board is he on?") is answered from the previous answer's
items first, moving past the sentences it already quoted unless they hold the new words.
Which questions are follow-ups, read from their words, is qa/follow_up.py's to say; a question
about a story the previous answer cited is one too (_asks_about_cited).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from dateline.index.dates import MONTHS

from . import answer_type
from .follow_up import goes_on, is_elliptical, is_follow_up, names_used, refers_back
from .query import ArchiveFacts, Filters, ParsedQuery, check_date, merge_filters, parse_question
from .request import NOT_TEXT, FieldError, checked_answer, cited
from .retrieve import Passage, SearchResult
from .words import stem, stems, terms

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\[(\d+)\]")

# A question of the story the previous answer led with holds at least this share of its words
# (stems) in that story (see _asks_about_cited).
ABOUT_CITED_SHARE = 0.75
ABOUT_CITED_ITEMS = 3  # of the previous answer's citations, the first this many are looked at
ItemStems = Callable[[str], "frozenset[str] | None"]  # item id -> the stored item's stems


@dataclass
class Turn:
    """One earlier exchange: the question and, when known, the answer's dict form."""

    question: str
    answer: dict | None = None


def read_history(history: list[dict] | None) -> list[Turn]:
    """Accept both history shapes; return the turns in order.

    Each answer is checked (`qa.request.HistoryAnswer`) and reduced to what a follow-up reads, so
    whatever a client echoes back, a bad field is a FieldError naming it (``history[2].answer.
    citations[0].start``) and nothing unchecked reaches retrieval or the response.
    """
    if not history:
        return []
    if not isinstance(history, list):
        raise FieldError("history", "`history` must be a list of turns")
    turns: list[Turn] = []
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            raise FieldError(f"history[{i}]", f"`history[{i}]` must be a JSON object")
        if "question" in entry:
            turns.append(Turn(_text(entry["question"], f"history[{i}].question"),
                              _answer(entry.get("answer"), ("history", i, "answer"))))
        elif "role" in entry and "content" in entry:
            role = entry["role"]
            if role == "user":
                turns.append(Turn(_text(entry["content"], f"history[{i}].content")))
            elif role == "assistant" and turns and turns[-1].answer is None:
                turns[-1].answer = _answer(entry["content"], ("history", i, "content"))
        else:
            raise FieldError(f"history[{i}]", f"`history[{i}]` needs \"question\" (and \"answer\") "
                                              f"or \"role\" and \"content\"")
    return turns


def _text(value: object, field: str) -> str:
    """An earlier question: a string that is text."""
    if not isinstance(value, str):
        raise FieldError(field, f"`{field}` must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(field, f"`{field}` {NOT_TEXT}") from None
    return value


def _answer(value: object, where: tuple) -> dict | None:
    """An earlier answer: its JSON, or its text alone (a chat client's assistant message)."""
    if value is None:
        return None
    return checked_answer({"answer": value} if isinstance(value, str) else value, where)


@dataclass
class Previous:
    """What a follow-up that refers back ("Which board is he on?") knows of the answer it follows."""

    own: frozenset[str]  # stems of the follow-up's own words: what is asked now
    items: list[str]  # the item ids the previous answer cited, in citation order
    quoted: set[tuple[str, int]]  # (item_id, body offset) of each sentence the previous answer quoted


@dataclass
class Resolved:
    """A question made ready for retrieval: parsed filters and the text to search."""

    parsed: ParsedQuery
    search_text: str
    previous: Turn | None  # the turn a follow-up leans on
    refers_to: Previous | None = None  # set when the follow-up points back at that turn's answer
    # A follow-up that goes on with the topic without pointing back (follow_up.goes_on: "And
    # billet?"): what that turn quoted, which its answer moves past unless it holds the new words.
    moves_past: Previous | None = None


def previous_answer(question: str, turn: Turn, *, about_it: bool = False) -> Previous | None:
    """What the answer of ``turn`` cited and quoted, for a follow-up ``question`` that refers back
    to it (or asks ``about_it``, see _asks_about_cited); None when it does not, or the turn's
    answer (as the client sent it back) cites nothing."""
    return _cited_and_quoted(question, turn) if about_it or refers_back(question) else None


def _cited_and_quoted(question: str, turn: Turn) -> Previous | None:
    """What the answer of ``turn`` cited and the sentences it quoted, as ``question`` reads them;
    None when it cites nothing."""
    answer = turn.answer or {}
    citations = cited(answer)
    if not citations:
        return None
    shown = {int(n) for n in _MARKER.findall(str(answer.get("answer") or ""))}
    quoted = set()
    for c in citations:
        if c.get("start") is None:
            continue  # read back from a Markdown answer: which sentence it quoted is not known
        try:
            start = int(c.get("start") or 0) + int((c.get("highlight") or [0])[0])
        except (TypeError, ValueError, IndexError):
            continue
        if c.get("n") in shown:
            quoted.add((str(c["item_id"]), start))
    items = list(dict.fromkeys(str(c["item_id"]) for c in citations))
    return Previous(stems(question), items, quoted)


def previous_first(result: SearchResult, previous: Previous, items: dict) -> SearchResult:
    """``result`` with the previous answer's items first, in their citation order: a follow-up
    that refers back is answered from them when they hold what it asks. ``items`` maps the ids
    retrieval did not find to the stored items (absent when deleted since)."""
    found: dict[str, list[Passage]] = {}
    for p in result.passages:
        found.setdefault(p.item.id, []).append(p)
    top = max((p.score for p in result.passages), default=0.0)
    first: list[Passage] = []
    for item_id in previous.items:
        if item_id in found:
            first += found.pop(item_id)
        elif item_id in items:
            item = items[item_id]
            first.append(Passage(chunk_id=-1, item=item, start=0, end=len(item.body), score=top))
    rest = [p for p in result.passages if p.item.id in found]
    result.passages = first + rest
    return result


def _history_filters(f: dict, facts: ArchiveFacts) -> Filters:
    """The filters an earlier answer applied, as the client sent them back (read_history checked
    their types and dates): a period as its days, names as the archive spells them."""
    where = "history: the previous answer's filters"

    def text(name: str) -> str | None:
        value = f.get(name)
        return value.strip() or None if isinstance(value, str) else None

    return Filters(check_date(text("date_from"), f"{where}.date_from"),
                   check_date(text("date_to"), f"{where}.date_to", end=True),
                   facts.spelling("source", text("source")), facts.spelling("place", text("place")))


def _asks_about_cited(question: str, turn: Turn, item_stems: ItemStems | None) -> bool:
    """Whether a question that does not point back lexically still asks about a story the
    previous answer cited: every name it uses and most of its words are that story's ("Who is
    the managing board chairman?" after Audi's results; "What does the bank expect for GNP
    growth?" after the Bank of Japan's). A question naming anything the story does not
    ("What did Volkswagen say ...?" after a story on Lawson) is a new one."""
    words = stems(question)
    if item_stems is None or not words or answer_type.is_topic(question):
        return False
    names = names_used(question)
    return any(names <= have and len(words & have) >= ABOUT_CITED_SHARE * len(words)
               for have in _cited_stems(turn, item_stems))


def _cited_stems(turn: Turn, item_stems: ItemStems) -> Iterator[frozenset[str]]:
    """The stems of the first ABOUT_CITED_ITEMS stories ``turn``'s answer cited (those still stored)."""
    item_ids = dict.fromkeys(str(c["item_id"]) for c in cited(turn.answer))
    for item_id in list(item_ids)[:ABOUT_CITED_ITEMS]:
        if (have := item_stems(item_id)) is not None:
            yield have


def _period_told(question: str, turn: Turn, item_stems: ItemStems | None) -> bool:
    """Whether a story the previous answer cited names the months and years ``question`` names:
    "And for September alone?" after a story of "January through September" figures asks for
    September's figure in it, not for stories dated in September."""
    period = {stem(w) for w in terms(question) if w in MONTHS or answer_type.YEAR_FIGURE.fullmatch(w)}
    if item_stems is None or not period:
        return False
    return any(period <= have for have in _cited_stems(turn, item_stems))


def resolve(question: str, history: list[dict] | None, facts: ArchiveFacts, *,
            item_stems: ItemStems | None = None, **request_filters) -> Resolved:
    """Parse ``question`` with the request's filters and, for a follow-up, its previous turn.
    ``item_stems`` gives a stored item's stems (None when it is gone): with it, a question about
    the story the previous answer led with is a follow-up though it does not point back."""
    parsed = parse_question(question, facts, **request_filters)
    turns = read_history(history)
    if not turns:
        return Resolved(parsed, parsed.text, None)
    # The turn leaned on: the last one, or, when it cited nothing ("Tell me more" at the end of
    # the item, a refusal), the one before it that did (of the last four: a conversation's
    # topic does not reach further back).
    at = next((i for i in range(len(turns) - 1, max(len(turns) - 5, -1), -1) if cited(turns[i].answer)), len(turns) - 1)
    previous, earlier = turns[at], turns[:at]
    follows = is_follow_up(parsed.question)
    about_it = not follows and _asks_about_cited(parsed.question, previous, item_stems)
    if not (follows or about_it):
        return Resolved(parsed, parsed.text, None)
    # The previous question may itself be a follow-up: resolve it against the turns before it.
    prev_parsed = resolve(previous.question, [{"question": t.question, "answer": t.answer} for t in earlier[-3:]],
                          facts, item_stems=item_stems)
    prev_filters = prev_parsed.parsed.filters
    if previous.answer and isinstance(previous.answer.get("filters"), dict):
        # What the answer applied, of what its question's own words set: the request's filters
        # are the client's to send again (the chat page sends its filter fields with every
        # question, so dates a user cleared there must not come back from the earlier turn).
        applied, own = _history_filters(previous.answer["filters"], facts), prev_filters
        prev_filters = Filters(applied.date_from if own.has_dates else None, applied.date_to if own.has_dates else None,
                               applied.source if own.source else None, applied.place if own.place else None)
    told = parsed.unheld_period is not None and _period_told(parsed.question, previous, item_stems)
    merged = merge_filters(parsed, prev_filters, period_told=told)
    # The new question's own words come first; the earlier question supplies the topic.
    text = f"{parsed.text} {prev_parsed.search_text}".strip()
    merged = replace(merged, ordered=parsed.ordered or (prev_parsed.parsed.ordered and not terms(parsed.text)),
                     asks_as=(prev_parsed.parsed.asks_as or previous.question) if is_elliptical(parsed.question) else None)
    merged.notes.append(f"follow-up of \"{previous.question}\"")
    log.debug("follow-up %r searched as %r", question, text)
    refers_to = previous_answer(parsed.question, previous, about_it=about_it)
    moves_past = _cited_and_quoted(parsed.question, previous) if refers_to is None and goes_on(parsed.question) else None
    return Resolved(merged, text, previous, refers_to, moves_past)

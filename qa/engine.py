"""The one entry point the CLI and the web app share: questions in, cited answers out.

An Engine belongs to one data directory. It loads the embedder and the live FAISS index once,
on first use, and reopens the index when ``dateline index`` publishes a new generation
(``maybe_reload``). SQLite connections are per thread, so one Engine serves a threaded server.
"""
from __future__ import annotations

import contextvars
import functools
import logging
import re
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

from dateline.index import settings
from dateline.index.disk import sqlite_error
from dateline.index.errors import DatelineError
from dateline.index.item import Item
from dateline.index.reader import ArchiveReader
from dateline.index.store import Archive

from . import acronyms, answer_type, periods
from .answer import CALENDAR, CHECK_NOTE, MIN_NAME_STEM, Answer, citation_for, compose, word_finder
from .chat import Resolved, previous_first, read_history, resolve
from .follow_up import asks_who_reported, asks_who_wrote
from .read_on import asks_more, named_citation, quoted_end, where_to_read_on
from .query import (ArchiveFacts, Filters, names_the_day, over_all_dates, parse_question, with_the_month_after,
                    without_names_read, without_the_day, years_written_out)
from .request import AskRequest, FieldError, SearchRequest, cited
from .spelling import respelled
from .words import stems
from .retrieve import ASKING, Passage, Retriever

log = logging.getLogger(__name__)

# Questions read scattered chunk rows and vectors: memory-mapped pages skip a system call per
# page, and a bigger page cache keeps the hot ones (measured: 1,200 filtered vectors read in
# 80 ms without, see benchmarks/query.py).
MMAP_BYTES = 1 << 30  # address space, not memory: the OS pages in what is read
PAGE_CACHE_KIB = 65536  # SQLite's page cache per connection (its default is 2,000 KiB)
# A refused question that uses a name and at most this many words besides is answered from the
# items that name it (see _ask_by_name).
MAX_WORDS_BESIDE_NAME = 1
WHO_REPORTED_CITATIONS = 3  # "Who reported it?" names the sources of this many earlier citations
# A question answered less surely than this under the dates, source or place it named is searched
# again wider, as a refused one is: until session 34 the no-answer threshold was this, and such
# answers were refused and the wider search found the story ("Saudi Arabia's average crude
# output in February" is told on 2 March); at 0.4 one of February's price cuts answered instead.
SURE_ENOUGH = 0.5
# A previous citation whose offsets no longer fit its item (the item changed) is cited from the
# start of the body, this long.
WHO_REPORTED_EXCERPT_CHARS = 300
# The names a question uses, looked for in the story its answer quotes first (see
# Engine._names_not_in_first_story).
_POSSESSIVE = re.compile(r"['’]s?$")  # "Textron's": the name is "Textron"
_PEOPLES_ENDING = re.compile(r"(?:ian|an|ese|ish|i)$")
_DAY_AFTER = re.compile(r"\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
# Set while an earlier question is asked again to learn what its answer cited (_cited_history):
# that ask takes its own history as it came, so a long conversation costs one more ask, not one
# per turn.
_RECOVERING: contextvars.ContextVar[bool] = contextvars.ContextVar("recovering_citations", default=False)


def _lacks_a_name(parsed, answer: Answer, result) -> bool:
    """Whether the story ``answer`` leads with (one of ``result``'s) lacks a name the question
    uses ("Entwistle" in "How many Bird common shares did Entwistle buy on April 1?")."""
    names = answer_type.names(parsed.text)
    if not names or not answer.citations:
        return False
    first = answer.citations[0].item_id
    item = next((p.item for p in result.passages if p.item.id == first), None)
    return item is None or not _holds_every_name(item, names)


def _holds_every_name(item: Item, names: list[str]) -> bool:
    """Whether ``item``'s title or body holds every word of ``names``."""
    return stems(" ".join(names)) <= stems(f"{item.title} {item.body}")


def _as_typed(answer: Answer, typed: str, slips: list[tuple[str, str]]) -> Answer:
    """``answer`` to the question as it was typed, its notes saying how a slip was read
    (spelling.respelled): "read \"shraes\" as \"shares\"" first."""
    if slips:
        answer.question = typed
        answer.notes[:0] = [f'read "{slip}" as "{word}"' for slip, word in slips]
    return answer


def _text_alone(answer: dict | None) -> bool:
    """Whether an earlier answer came back without its citations (a chat message's text), not
    as the JSON of an answer that cited nothing."""
    return answer is None or answer.get("citations") is None


def _archive_errors(method):
    """Make a failure of the archive file in ``method`` (damaged, on a full or failing disk) a
    DatelineError (503) that names the file and the repair, logged with its absolute path."""
    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as e:
            error = sqlite_error(e, self.data_dir / Archive.FILENAME, shown=Archive.FILENAME)
            if error is None:
                raise
            log.info("%s", error)  # the server log has the path; `dateline ask` prints it as its error
            raise error from e
    return checked


class Engine:
    """Answer questions over the archive and index in ``data_dir``.

    >>> engine = Engine("./dateline-data")
    >>> answer = engine.ask("What happened on 28 June?")
    >>> answer.citations[0].date_display
    '28 Jun 2017?'
    """

    def __init__(self, data_dir: str | Path, *, model: str | None = None, embedder=None):
        """``embedder``: one already loaded (a replica's engine for a new snapshot takes the old one's)."""
        self.data_dir = Path(data_dir)
        self.model = model or settings.get("model") or None
        self.threshold = float(settings.get("no_answer_threshold"))
        self.sure = max(self.threshold, SURE_ENOUGH)
        self.per_item = int(settings.get("passages_per_item"))
        self._lock = threading.RLock()
        self._local = threading.local()
        self._embedder = embedder
        self._live = None
        self._state: tuple | None = None  # the index on disk as the loaded generation was last checked
        self._refused: tuple[tuple, DatelineError] | None = None  # (index_state, why) of the last failed open
        self._facts: ArchiveFacts | None = None
        self._facts_key: tuple | None = None
        self._df_cache: dict[str, int] = {}  # word -> chunks containing it, while the archive is unchanged

    # -- loading ------------------------------------------------------------------------

    def reader(self) -> ArchiveReader:
        """This thread's read-only view of the archive (opened on first use)."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            # Read-only where the disk is full or the folder read-only; messages name the file
            # as "archive.sqlite", since they may reach HTTP responses.
            archive = Archive.open(self.data_dir, create=False, reading=True, shown=Archive.FILENAME)
            reader = self._local.reader = archive.reader(mmap_bytes=MMAP_BYTES, cache_kib=PAGE_CACHE_KIB)
        return reader

    @property
    def embedder(self):
        """The embedding model, loaded once per process."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from dateline.index.embed import load_embedder
                    self._embedder = load_embedder(self.model)
        return self._embedder

    @property
    def live(self):
        """The live FAISS index; raises DatelineError (503) when none is built or it is damaged."""
        live = self._live
        if live is None:
            with self._lock:
                if self._live is None:
                    self._live = self._open_live()
                live = self._live
        return live

    def _open_live(self):
        """Open the generation ``index/CURRENT`` names, or raise why not.

        A refusal stands until the index on disk changes, so a damaged generation is not hashed
        again for every question, nor logged again.
        """
        import faiss

        from dateline.index.generations import generation_stamp, index_state, open_live
        embedder = self.embedder
        state = index_state(self.data_dir)
        if self._refused is not None and self._refused[0] == state:
            raise self._refused[1].with_traceback(None)
        # One question is one query vector: threads only add hand-off cost, and
        # they fight the other workers for cores (5.6 ms against 1.2 ms measured).
        faiss.omp_set_num_threads(int(settings.get("search_threads")))
        try:
            live = open_live(self.data_dir, embedder)
        except DatelineError as e:
            self._refused = (state, e)
            log.info("%s", e)  # the server logs it; `dateline ask` prints it as its error
            raise
        self._refused = None
        self._state = (index_state(self.data_dir), generation_stamp(self.data_dir, live.generation))
        log.info("opened index generation %s (%d vectors)", live.generation, live.ntotal)
        return live

    def maybe_reload(self) -> bool:
        """Follow the index on disk; return whether the generation answering questions changed.

        A newly published generation is opened; one that cannot be (damaged files, a damaged
        ``index/CURRENT``) is refused with a log line, and the loaded generation keeps
        answering. The loaded generation's own files are hashed again when their stamps change
        (a write in place): if they no longer match their checksums it is dropped, and
        questions get a 503 naming the repair until a sound generation is published. When
        nothing changed this costs a few stat calls.
        """
        from dateline.index.generations import changed_in_place, generation_stamp, index_state
        live = self._live
        if live is None:
            return False  # nothing open: the next question opens (or refuses) afresh
        state = (index_state(self.data_dir), generation_stamp(self.data_dir, live.generation))
        if state == self._state:
            return False
        with self._lock:
            if self._live is not live:
                return False  # another thread got here first
            self._state = state
            if self._follow_pointer(live):
                return True
            damage = changed_in_place(self.data_dir, live)
            if damage is None:
                return False
            error = DatelineError(f"index generation {live.generation} is damaged ({damage}): run `dateline index` "
                                  "to build a sound one", code="bad_index", status=503, detail=str(live.path))
            log.error("%s; no longer answering from it", error)
            self._live, self._facts = None, None
            self._refused = (index_state(self.data_dir), error)
            return True

    def _follow_pointer(self, live) -> bool:
        """Open the generation ``index/CURRENT`` names if it is not ``live``; return whether it did.
        Call with the lock held."""
        from dateline.index.generations import current_generation
        try:
            name = current_generation(self.data_dir)
        except DatelineError as e:
            log.warning("%s; still answering from generation %s", e, live.generation)
            return False
        if name is None or name == live.generation:
            return False
        try:
            self._live = self._open_live()
        except DatelineError as e:
            log.warning("%s; still answering from generation %s", e, live.generation)
            return False
        self._facts = None
        log.info("reloaded index generation %s", self._live.generation)
        return True

    def facts(self) -> ArchiveFacts:
        """Dates, sources and places of the archive, re-read when the items change."""
        reader = self.reader()
        # Every import logs a row in imports, so the key changes with each import; it is cheap
        # enough for every question (reading the facts is not: it scans the items). A removal
        # changes at worst which dates count as "dated".
        key = reader.change_key()
        if self._facts is None or key != self._facts_key:
            self._facts = ArchiveFacts.from_archive(reader)
            self._facts_key = key
            self._df_cache = {}
        return self._facts

    def retriever(self) -> Retriever:
        """A retriever over this thread's archive reader and the live index."""
        return Retriever(self.reader(), self.live, self.embedder, per_item=self.per_item, df_cache=self._df_cache)

    # -- questions ----------------------------------------------------------------------

    @_archive_errors
    @ASKING.answering()  # the question counts as answered until its answer is composed (retrieve.Asking)
    def ask(self, question: str, *, history: list[dict] | None = None, date_from: str | None = None,
            date_to: str | None = None, source: str | None = None, place: str | None = None,
            top_k: int = 5) -> Answer:
        """Answer ``question`` with up to ``top_k`` citations.

        ``history`` holds earlier turns (``{"question", "answer"}`` or ``{"role", "content"}``);
        the filters are ISO dates (YYYY, YYYY-MM or YYYY-MM-DD), a source name and a dateline
        place, and win over what the question itself says. Raises DatelineError on bad input
        (status 400/422) and when no index is built (503).

        >>> Engine("./dateline-data").ask("Who sponsored the resolution?").citations[0].source
        'Iran Focus'
        """
        t0 = time.perf_counter()
        # The API's limits and messages (qa/request.py); ``history`` is read by chat.read_history,
        # which also takes the {"role", "content"} turns of chat clients.
        asked = AskRequest.checked(dict(question=question, date_from=date_from, date_to=date_to,
                                        source=source, place=place, top_k=top_k))
        typed, top_k = asked.question, asked.top_k
        question, slips = respelled(typed, self.retriever().items_holding, self.facts().lower_names,
                                    self.retriever().writes)
        question, years = years_written_out(question, self.facts().newest)  # "in 79": 1979
        slips += years
        resolved = resolve(question, history, self.facts(), item_stems=self.item_stems, **asked.filters())
        if resolved.previous is not None and _text_alone(resolved.previous.answer) and not _RECOVERING.get():
            # A follow-up of an answer sent back as its text alone (a chat client keeps only the
            # message): what that answer cited is worked out again (see _cited_history).
            history = self._cited_history(history, top_k, asked.filters())
            resolved = resolve(question, history, self.facts(), item_stems=self.item_stems, **asked.filters())
        if resolved.previous is not None and asks_who_reported(question):
            answer = self._who_reported(resolved)
            if answer is not None:
                answer.took_ms = (time.perf_counter() - t0) * 1000
                return _as_typed(answer, typed, slips)
        if resolved.previous is not None and asks_more(question):
            answer = self._read_on(resolved)
            if answer is not None:
                answer.took_ms = (time.perf_counter() - t0) * 1000
                return _as_typed(answer, typed, slips)
        parsed = resolved.parsed
        # The question's words are looked for in the best full-text items while it is encoded.
        finder = word_finder(parsed, resolved.search_text)
        result = self.retriever().search(resolved.search_text, parsed.filters, k=top_k, as_of=parsed.as_of,
                                         newest_first=parsed.newest_first, prepare=lambda item: finder.find(item.body))
        if resolved.refers_to is None and (spelled := self._acronyms_written_out(question, resolved, result)):
            # "the BOJ": searched again beside "Bank of Japan", as the stories found write it. The
            # sentence is still chosen by the question's own words: the name's would outweigh the
            # acronym they stand for.
            resolved = spelled
            parsed = resolved.parsed
            result = self.retriever().search(resolved.search_text, parsed.filters, k=top_k, as_of=parsed.as_of,
                                             newest_first=parsed.newest_first,
                                             prepare=lambda item: finder.find(item.body))
        # A question whose period counts back from the newest item, or that names a source or
        # place, may be searched again (see _ask_wider): with the vector encoded the first time.
        qvec = result.query_vector
        if resolved.refers_to is not None:
            # Items retrieval missed are added only inside the filters they were cited under.
            same_filters = parsed.filters.to_dict() == (resolved.previous.answer or {}).get("filters")
            found = {p.item.id for p in result.passages}
            missing = [i for i in resolved.refers_to.items if i not in found]
            result = previous_first(result, resolved.refers_to,
                                    self.reader().items(missing, chunked=True) if missing and same_filters else {})
        answer = compose(parsed, result, top_k=top_k, threshold=self.threshold, searched=resolved.search_text,
                         previous=resolved.refers_to or resolved.moves_past, finder=finder)
        if resolved.refers_to is None and (undated := without_the_day(parsed)) is not None \
                and (answer.confidence <= self.sure or _lacks_a_name(parsed, answer, result)):
            # Refused, answered only because the day's items share its words
            # (answer._holds_what_is_named), or from a story that lacks a name it asks about:
            # the day may be one a story names ("a June 19th report", "a statement dated June
            # 26", "bought 102,000 Bird common shares on April 1") rather than its own.
            answer = self._told_of_the_day(resolved, undated, parsed.filters.date_from, top_k, qvec) or answer
        if answer.confidence < self.sure and parsed.counted_back and resolved.refers_to is None:
            answer = self._ask_wider(resolved, over_all_dates(parsed), top_k, qvec) or answer
        elif parsed.counted_back and resolved.refers_to is None and _lacks_a_name(parsed, answer, result):
            answer = self._named_over_all_dates(resolved, parsed, top_k, qvec) or answer
        if answer.confidence < self.sure and resolved.refers_to is None and (later := with_the_month_after(parsed)):
            answer = self._ask_wider(resolved, later, top_k, qvec) or answer
        if answer.confidence < self.sure and parsed.names_read and resolved.refers_to is None:
            answer = self._ask_wider(resolved, without_names_read(parsed), top_k, qvec) or answer
        if not answer.found and resolved.refers_to is None:
            answer = self._ask_by_name(resolved, top_k) or answer
        first = self._first_story(answer, result.passages) if answer.found and answer.citations else None
        if first is not None:
            if unnamed := self._names_not_in_first_story(parsed, first):
                answer.notes.append(f"{CHECK_NOTE} name {', '.join(unnamed)}")
            if periods.names_a_period(parsed.text) and (unmentioned := periods.unmentioned(parsed.text, first)):
                answer.notes.append(f"{CHECK_NOTE} mention {', '.join(unmentioned)}")
        answer.took_ms = (time.perf_counter() - t0) * 1000
        log.info("ask %r: %s, %d citations, %.1f ms", question, "found" if answer.found else "no answer",
                 len(answer.citations), answer.took_ms)
        return _as_typed(answer, typed, slips)

    def _names_not_in_first_story(self, parsed, item: Item) -> list[str]:
        """The names a factual question uses that ``item``, the story its answer quotes first,
        does not hold in any form ("How much did Wedtech lose in 1986?" answered from another
        company's results): a reader is told to check. Not places or peoples, which a story may
        give by its dateline or in another form ("Japan" for "Japanese"), nor the archive's sources."""
        if parsed.question.isupper():
            return []
        text = f"{item.title}\n{item.dateline}\n{item.body}"
        facts, unnamed = self.facts(), []
        for m in answer_type.NAME_RUN.finditer(parsed.text):
            run = _POSSESSIVE.sub("", m.group(0))
            if m.start() == 0 or answer_type.names_place_or_people(run) or facts.has_place(run) \
                    or facts.has_source(run) or run.isupper() or CALENDAR & set(run.lower().split()) \
                    or _DAY_AFTER.match(parsed.text, m.end()):
                continue  # nor an acronym, which a story may write out, nor "Black Monday"
            named = [st for st in stems(run) if len(st) >= MIN_NAME_STEM]
            if named and not any(_starts_a_word(st, text) for st in named):
                unnamed.append(run)
        # Only a question that asks for a kind of answer (a topic or an overview quotes its
        # stories, each as relevant as the search found it); read last, as it costs the most.
        return unnamed if unnamed and answer_type.expected(parsed.question) is not None else []

    def _first_story(self, answer: Answer, found: list[Passage]) -> Item | None:
        """The item ``answer`` quotes first: among the passages retrieval read, or from the archive."""
        first = answer.citations[0].item_id
        return next((p.item for p in found if p.item.id == first), None) or self.get_item(first)

    def _acronyms_written_out(self, question: str, resolved, result) -> Resolved | None:
        """``resolved`` with the names its question's acronyms stand for added to its search text
        (acronyms.written_out: "Bank of Japan" for "BOJ", as the best-ranked stories write it),
        and a note for each; None when it uses none or no story writes one out."""
        wanted = acronyms.asked(question)
        if not wanted or not result.item_ids:
            return None
        items = self.reader().items(result.item_ids[:acronyms.STORIES_READ])
        texts = [f"{item.title or ''} |\n{item.body or ''}" for item in items.values()]  # "|": no name runs on
        names = {a: name for a in wanted if (name := acronyms.written_out(a, texts))
                 and name.lower() not in question.lower()}
        if not names:
            return None
        notes = [f'"{a}" read as "{name}" too, as the stories found write it' for a, name in names.items()]
        parsed = replace(resolved.parsed, notes=resolved.parsed.notes + notes)
        return replace(resolved, parsed=parsed, search_text=" ".join([resolved.search_text, *names.values()]))

    def _cited_history(self, history: list[dict], top_k: int, filters: dict) -> list[dict]:
        """``history`` as turns, the last one's answer replaced by the answer its question gets
        when asked again (under the request's ``filters``, after the turns before it as they were
        sent): the items a follow-up points back at ("Who reported it?", "Which board is he
        on?") when the client sent back that answer's text alone. Unchanged when that question
        cannot be asked (longer than a question may be)."""
        turns = read_history(history)
        before = [{"question": t.question, "answer": t.answer} for t in turns[:-1]]
        token = _RECOVERING.set(True)  # one level: the turns before it are taken as they came
        try:
            again = self.ask(turns[-1].question, history=before or None, top_k=top_k, **filters)
        except FieldError:
            return history
        finally:
            _RECOVERING.reset(token)
        return before + [{"question": turns[-1].question, "answer": again.to_dict()}]

    def _ask_wider(self, resolved, parsed, top_k: int, qvec) -> Answer | None:
        """Ask again, under the wider filters of ``parsed``, a question that held no answer under
        a guess read from its words: a period counted back from the archive's newest item
        ("last week", see query.over_all_dates), a month it names (query.with_the_month_after) or a
        source or place it names (see query.without_names_read). None if still none answers."""
        result = self.retriever().search(resolved.search_text, parsed.filters, k=top_k, as_of=parsed.as_of,
                                         newest_first=parsed.newest_first, qvec=qvec)
        answer = compose(parsed, result, top_k=top_k, threshold=self.threshold, searched=resolved.search_text)
        return answer if answer.found else None

    def _named_over_all_dates(self, resolved, parsed, top_k: int, qvec) -> Answer | None:
        """The answer over all dates to a question whose period was counted back from the
        archive's newest item ("last week") and answered there from a story that lacks a name it
        uses: the week may be the story's ("Islamic lenders met last week and pledged new money
        for Uganda"). Kept only when its first story holds every name; else None."""
        wider = self._ask_wider(resolved, over_all_dates(parsed), top_k, qvec)
        item = self.get_item(wider.citations[0].item_id) if wider is not None and wider.citations else None
        names = answer_type.names(parsed.text)
        if item is None or not _holds_every_name(item, names):
            return None
        f = parsed.filters
        wider.notes = [f"no story dated {f.date_from} to {f.date_to} (\"{parsed.counted_back}\", counted back from "
                       f"the archive's newest item) names {' and '.join(names)}: searched all dates"
                       if n.startswith("nothing dated ") else n for n in wider.notes]
        return wider

    def _told_of_the_day(self, resolved, undated, day: str, top_k: int, qvec) -> Answer | None:
        """The answer over all dates (``undated``, query.without_the_day) to a question that named
        ``day``, when it is sure enough on its own (SURE_ENOUGH) and its first sentence names
        that day; else None."""
        answer = self._ask_wider(resolved, undated, top_k, qvec)
        if answer is None or answer.confidence <= self.sure or not answer.citations:
            return None
        return answer if names_the_day(answer.citations[0].excerpt, day) else None

    def _ask_by_name(self, resolved, top_k: int) -> Answer | None:
        """Answer a refused question that uses a name from the stories that name it in full.

        "Who is Winthrop Knowlton?": only two items hold the name, so the full-text list is too
        short to stand out once standardised, and the model finds other people's stories closer
        to "Who is ...?"; the judged story then lacks the name and the question is refused. A
        question about someone the archive names is answered from the items that name them.
        None when the question uses no name (answer_type.names) or no item holds all of its names
        in full and the word beside them: "What did Gorbachev say about Afghanistan?" is not
        answered by Gorbachev's stories on missiles."""
        parsed = resolved.parsed
        wanted = answer_type.names(parsed.text)  # not the dates read as filters ("on June 23")
        # Only a question about the name itself ("Who is ...?", "What did ... say?"): naming
        # Hassan Rouhani does not make the archive answer what percentage of the vote he won.
        named = stems(" ".join(wanted))
        beside = stems(parsed.text) - named
        if not wanted or len(beside) > MAX_WORDS_BESIDE_NAME:
            return None
        result = self.retriever().search(" ".join(wanted), parsed.filters, k=top_k, mode="fts")
        need = named | beside
        result.passages = [p for p in result.passages if need <= _stems_of(p.item)]
        if not result.passages:
            return None
        answer = compose(parsed, result, top_k=top_k, threshold=0.0, searched=resolved.search_text)
        answer.notes.append(f"answered from the items that name {' or '.join(wanted)}; the question's confidence "
                            "alone was below the no-answer threshold")
        return answer

    def _who_reported(self, resolved) -> Answer | None:
        """Answer "Who reported it?" from the previous answer's citations, citing them again."""
        prev = resolved.previous.answer or {}
        citations = cited(prev)
        if not citations:
            return None
        items = {}
        for c in citations[:WHO_REPORTED_CITATIONS]:
            item = self.get_item(str(c["item_id"]))
            if item is not None:
                items[item.id] = (item, c)
        if not items:
            return None
        citations, parts = [], {}  # "Reuters, Rio De Janeiro, 16 Mar 1987" -> its citations' numbers
        for n, (item, c) in enumerate(items.values(), 1):
            start, end = int(c.get("start") or 0), int(c.get("end") or 0)
            highlight = c.get("highlight")
            if not (0 <= start <= end <= len(item.body)):
                start, end, highlight = 0, min(len(item.body), WHO_REPORTED_EXCERPT_CHARS), None
            if not (isinstance(highlight, list) and len(highlight) == 2 and 0 <= highlight[0] <= highlight[1] <= end - start):
                highlight = None  # the whole excerpt, as when the sentence quoted is not known
            # The sentence the earlier answer quoted stays the one marked.
            cit = citation_for(n, item, start, end, float(c.get("score") or 0.0),
                               highlight=tuple(highlight) if highlight else None)
            citations.append(cit)
            who = item.source or "an unnamed source"
            authors = item.metadata.get("authors") if isinstance(item.metadata, dict) else None
            if authors:
                who += " (by " + ", ".join(map(str, authors if isinstance(authors, list) else [authors])) + ")"
            where = ", ".join(x for x in (item.dateline, cit.date_display) for x in [x] if x and x != "undated")
            parts.setdefault(f"{who}{', ' + where if where else ''}", []).append(n)
        # Two copies of one wire story (filed, then filed again) are one report with two sources.
        text = "It was reported by " + "; ".join(f"{who} " + " ".join(f"[{n}]" for n in ns)
                                                 for who, ns in parts.items()) + "."
        first = next(iter(items.values()))[0]
        wrote = answer_type.writer(first.body) if asks_who_wrote(resolved.parsed.question) else None
        if wrote is not None:
            # "Who wrote it?" of an op-ed or an analysis: the sentence naming its writer comes
            # first, and citation 1 quotes it; the outlet follows.
            start, end = wrote
            citations[0] = citation_for(1, first, start, end, citations[0].score)
            text = f"{first.body[start:end]} [1] {text}"
        return Answer(question=resolved.parsed.question, answer=text, found=True, citations=citations,
                      filters=resolved.parsed.filters, notes=resolved.parsed.notes,
                      searched=resolved.search_text, confidence=1.0)

    def item_stems(self, item_id: str) -> frozenset[str] | None:
        """A stored item's stems (title, dateline and body); None when it is gone."""
        item = self.get_item(item_id)
        return None if item is None else _stems_of(item)

    def _read_on(self, resolved) -> Answer | None:
        """Answer "Tell me more" with the passage after what the previous answer showed of the
        item it cites (qa/read_on.py); None when that answer cites nothing: the follow-up is
        then searched as any other."""
        prev, parsed = resolved.previous.answer or {}, resolved.parsed
        citations = cited(prev)
        if not citations:
            return None
        items = {i: self.get_item(i) for i in dict.fromkeys(str(c["item_id"]) for c in citations)}
        where = where_to_read_on(parsed.question, prev, {i: it.body for i, it in items.items() if it is not None},
                                 from_start=not asks_more(resolved.previous.question))
        answer = Answer(question=parsed.question, answer="", found=False, citations=[], filters=parsed.filters,
                        notes=list(parsed.notes), searched=resolved.search_text)
        named = named_citation(parsed.question, len(citations))
        if named is not None and all(c.get("n") != named for c in citations):
            cites = "only [1]" if len(citations) == 1 else f"[1] to [{len(citations)}]"
            answer.answer = f"The previous answer has no source [{named}]: it cites {cites}."
            return answer
        if where is None and not any(isinstance(c.get("end"), int) or (
                items.get(str(c["item_id"])) is not None
                and quoted_end(str(prev.get("answer") or ""), c.get("n"), items[str(c["item_id"])].body) is not None)
                for c in citations):
            return None  # where the answer's quotes end is not known: searched as any other question
        if where is None:
            answer.answer = (f"The item cited as [{named}] says no more after what the previous answer showed."
                             if named is not None else "The items the previous answer cited say no more after what it showed.")
            return answer
        item = items[where.item_id]
        score = next((float(c.get("score") or 0.0) for c in citations if str(c["item_id"]) == item.id), 0.0)
        answer.citations = [citation_for(1, item, where.start, where.end, score, highlight=(0, where.end - where.start))]
        answer.answer = " ".join(item.body[where.start:where.end].split()) + " [1]"
        answer.found, answer.confidence = True, 1.0
        answer.notes.append(f"more of the item cited as [{where.n}] in the previous answer, "
                            + ("from its start, before what it showed" if where.before else "after what it showed"))
        return answer

    @_archive_errors
    def search(self, q: str, *, k: int = 10, date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, place: str | None = None) -> list[Passage]:
        """Return up to ``k`` stories' best passages for ``q`` (filters as in ``ask``), best first."""
        wanted = SearchRequest.checked(dict(q=q, k=k, date_from=date_from, date_to=date_to,
                                            source=source, place=place))
        parsed = parse_question(wanted.q, self.facts(), **wanted.filters())
        return self.retriever().search(parsed.text, parsed.filters, k=wanted.k, as_of=parsed.as_of,
                                       newest_first=parsed.newest_first).passages

    @_archive_errors
    def get_item(self, item_id: str) -> Item | None:
        """Return the stored item with this id, or None."""
        return self.reader().item(str(item_id))

    @_archive_errors
    def status(self) -> dict:
        """Items, chunks, index generation, model, date range and sources of this engine's data."""
        summary = self.reader().summary()
        from dateline.index.generations import current_generation
        try:
            generation = current_generation(self.data_dir)
        except DatelineError:  # a damaged pointer: none is published that a server could open
            generation = None
        info = {"items": summary["items"], "chunks": summary["chunks"],
                "generation": generation,
                "loaded_generation": self._live.generation if self._live is not None else None,
                "vectors": self._live.ntotal if self._live is not None else None,
                "model": self._embedder.name if self._embedder is not None else (self.model or "bundled all-MiniLM-L6-v2"),
                "date_from": summary["date_from"], "date_to": summary["date_to"], "sources": summary["sources"]}
        return info


def _starts_a_word(stem_: str, text: str) -> bool:
    """Whether a word of ``text`` starts with ``stem_`` ("brazil" in "Brazilian"; a stem that
    ends in a restored "y", "laboratory", as "laborator"): a look through the text, cheaper
    than stemming all of it."""
    prefix = stem_[:-1] if stem_.endswith("y") else stem_
    # A people's word the tables lack meets its place: "Salvadoran" in "El Salvador".
    country = _PEOPLES_ENDING.sub("", prefix)
    prefixes = {prefix} | ({country} if len(country) >= MIN_NAME_STEM else set())
    return any(re.search(rf"(?<![^\W_]){re.escape(p)}", text, re.I) for p in prefixes)


def _stems_of(item: Item) -> frozenset[str]:
    """An item's stems: its title, dateline and body."""
    return stems(f"{item.title}\n{item.dateline}\n{item.body}")


__all__ = ["Engine", "Answer", "Filters", "Passage"]

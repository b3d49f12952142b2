"""The one entry point the CLI and the web app share: questions in, cited answers out.

An Engine belongs to one data directory. It loads the embedder and the live FAISS index once,
on first use, and reopens the index when ``dateline index`` publishes a new generation
(``maybe_reload``). SQLite connections are per thread, so one Engine serves a threaded server.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from dateline.index import settings
from dateline.index.errors import DatelineError
from dateline.index.item import Item

from .answer import Answer, citation_for, compose
from .chat import asks_who_reported, resolve
from .query import ArchiveFacts, Filters, parse_question
from .retrieve import Passage, Retriever

log = logging.getLogger(__name__)

MAX_TOP_K = 20
MAX_QUESTION_CHARS = 2000
MMAP_BYTES = 1 << 30  # address space, not memory: the OS pages in what is read


def _check_k(value, name: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            raise DatelineError(f"{name}: must be a whole number from 1 to {high}", code=f"bad_{name}", status=422) from None
    if not 1 <= value <= high:
        raise DatelineError(f"{name}: must be from 1 to {high}, got {value}", code=f"bad_{name}", status=422)
    return value


class Engine:
    """Answer questions over the archive and index in ``data_dir``.

    >>> engine = Engine("./dateline-data")
    >>> answer = engine.ask("What happened on 28 June?")
    >>> answer.citations[0].date_display
    '28 Jun 2017?'
    """

    def __init__(self, data_dir: str | Path, *, model: str | None = None):
        self.data_dir = Path(data_dir)
        self.model = model or settings.get("model") or None
        self.threshold = float(settings.get("no_answer_threshold"))
        self.per_item = int(settings.get("passages_per_item"))
        self._lock = threading.RLock()
        self._local = threading.local()
        self._embedder = None
        self._live = None
        self._facts: ArchiveFacts | None = None
        self._facts_key: tuple | None = None
        self._df_cache: dict[str, int] = {}  # word -> chunks containing it, while the archive is unchanged

    # -- loading ------------------------------------------------------------------------

    def _conn(self):
        """This thread's archive connection (opened on first use)."""
        archive = getattr(self._local, "archive", None)
        if archive is None:
            from dateline.index.store import Archive
            archive = Archive.open(self.data_dir, create=False)
            # Questions read scattered chunk rows and vectors: memory-mapped pages skip a system
            # call per page, and a bigger page cache keeps the hot ones (measured: 1,200 filtered
            # vectors read in 80 ms without, see benchmarks/query.py).
            archive.conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            archive.conn.execute("PRAGMA cache_size = -65536")
            self._local.archive = archive
        return archive.conn

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
        """The live FAISS index; raises DatelineError (503) when none has been built."""
        if self._live is None:
            with self._lock:
                if self._live is None:
                    import faiss

                    from dateline.index.vectors import open_live
                    # One question is one query vector: threads only add hand-off cost, and
                    # they fight the other workers for cores (5.6 ms against 1.2 ms measured).
                    faiss.omp_set_num_threads(int(settings.get("search_threads")))
                    self._live = open_live(self.data_dir, self.embedder)
                    log.info("opened index generation %s (%d vectors)", self._live.generation, self._live.ntotal)
        return self._live

    def maybe_reload(self) -> bool:
        """Reopen the live index if a new generation was published; return whether it did."""
        from dateline.index.vectors import current_generation
        if self._live is None:
            return False  # nothing open yet: the first use opens the current generation
        generation = current_generation(self.data_dir)
        if generation is None or generation == self._live.generation:
            return False
        with self._lock:
            if self._live is not None and generation != self._live.generation:
                from dateline.index.vectors import open_live
                self._live = open_live(self.data_dir, self.embedder)
                self._facts = None
                log.info("reloaded index generation %s", self._live.generation)
                return True
        return False

    def facts(self) -> ArchiveFacts:
        """Dates, sources and places of the archive, re-read when the items change."""
        conn = self._conn()
        # Every import logs a row in imports, so its max id changes with each import; all three
        # are index look-ups, cheap enough for every question (reading the facts is not: it
        # scans the items). A removal changes at worst which dates count as "dated".
        key = tuple(conn.execute("SELECT (SELECT max(id) FROM imports), (SELECT max(rowid) FROM items),"
                                 " (SELECT max(date) FROM items)").fetchone())
        if self._facts is None or key != self._facts_key:
            self._facts = ArchiveFacts.from_archive(conn)
            self._facts_key = key
            self._df_cache = {}
        return self._facts

    def retriever(self) -> Retriever:
        """A retriever over this thread's connection and the live index."""
        return Retriever(self._conn(), self.live, self.embedder, per_item=self.per_item, df_cache=self._df_cache)

    # -- questions ----------------------------------------------------------------------

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
        if not isinstance(question, str) or not question.strip():
            raise DatelineError("question: must be a non-empty string", code="bad_question", status=400)
        if len(question) > MAX_QUESTION_CHARS:
            raise DatelineError(f"question: longer than {MAX_QUESTION_CHARS} characters",
                                code="bad_question", status=422)
        top_k = _check_k(top_k, "top_k", MAX_TOP_K)
        resolved = resolve(question, history, self.facts(), date_from=date_from, date_to=date_to,
                           source=source, place=place)
        if resolved.previous is not None and asks_who_reported(question):
            answer = self._who_reported(resolved)
            if answer is not None:
                answer.took_ms = (time.perf_counter() - t0) * 1000
                return answer
        result = self.retriever().search(resolved.search_text, resolved.parsed.filters, k=top_k)
        answer = compose(resolved.parsed, result, top_k=top_k, threshold=self.threshold,
                         searched=resolved.search_text)
        answer.took_ms = (time.perf_counter() - t0) * 1000
        log.info("ask %r: %s, %d citations, %.1f ms", question, "found" if answer.found else "no answer",
                 len(answer.citations), answer.took_ms)
        return answer

    def _who_reported(self, resolved) -> Answer | None:
        """Answer "Who reported it?" from the previous answer's citations, citing them again."""
        prev = resolved.previous.answer or {}
        cited = [c for c in prev.get("citations") or [] if isinstance(c, dict) and c.get("item_id")]
        if not cited:
            return None
        items = {}
        for c in cited[:3]:
            item = self.get_item(str(c["item_id"]))
            if item is not None:
                items[item.id] = (item, c)
        if not items:
            return None
        citations, parts = [], []
        for n, (item, c) in enumerate(items.values(), 1):
            start, end = int(c.get("start") or 0), int(c.get("end") or 0)
            if not (0 <= start <= end <= len(item.body)):
                start, end = 0, min(len(item.body), 300)
            cit = citation_for(n, item, start, end, float(c.get("score") or 0.0))
            citations.append(cit)
            who = item.source or "an unnamed source"
            authors = item.metadata.get("authors") if isinstance(item.metadata, dict) else None
            if authors:
                who += " (by " + ", ".join(map(str, authors if isinstance(authors, list) else [authors])) + ")"
            where = ", ".join(x for x in (item.dateline, cit.date_display) for x in [x] if x and x != "undated")
            parts.append(f"{who}{', ' + where if where else ''} [{n}]")
        text = "It was reported by " + "; ".join(parts) + "."
        return Answer(question=resolved.parsed.question, answer=text, found=True, citations=citations,
                      filters=resolved.parsed.filters, notes=resolved.parsed.notes,
                      searched=resolved.search_text, confidence=1.0)

    def search(self, q: str, *, k: int = 10, date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, place: str | None = None) -> list[Passage]:
        """Return up to ``k`` stories' best passages for ``q`` (filters as in ``ask``), best first."""
        k = _check_k(k, "k", 100)
        parsed = parse_question(q, self.facts(), date_from=date_from, date_to=date_to, source=source, place=place)
        return self.retriever().search(parsed.text, parsed.filters, k=k).passages

    def get_item(self, item_id: str) -> Item | None:
        """Return the stored item with this id, or None."""
        from dateline.index.store import Archive
        row = self._conn().execute("SELECT * FROM items WHERE id = ?", (str(item_id),)).fetchone()
        return Archive.item_from_row(row) if row else None

    def status(self) -> dict:
        """Items, chunks, index generation, model, date range and sources of this engine's data."""
        conn = self._conn()
        items, chunks = (conn.execute("SELECT count(*) FROM items").fetchone()[0],
                         conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
        first, last = conn.execute("SELECT min(date), max(date) FROM items").fetchone()
        sources = [{"source": r[0], "items": r[1]} for r in conn.execute(
            "SELECT source, count(*) FROM items GROUP BY source ORDER BY count(*) DESC, source")]
        from dateline.index.vectors import current_generation
        info = {"items": items, "chunks": chunks, "generation": current_generation(self.data_dir),
                "loaded_generation": self._live.generation if self._live is not None else None,
                "vectors": self._live.ntotal if self._live is not None else None,
                "model": self._embedder.name if self._embedder is not None else (self.model or "bundled all-MiniLM-L6-v2"),
                "date_from": first, "date_to": last, "sources": sources}
        return info


__all__ = ["Engine", "Answer", "Filters", "Passage"]

"""Question sets in, retrieval and answer metrics out: dense, full text and hybrid side by side.

Three kinds of set:
- the TIME collection (423 TIME articles of 1963, 83 queries, binary judgments). TIME.REL
  numbers documents by their position (1-based) in the original 425, not by their ``*TEXT``
  number; the two this copy lacks come after position 370 (see ``_judged_positions``);
- RealTime QA: the dated articles of each week's search results plus the gold articles make the
  archive; a question's gold is its gold article (by url), its date is the upper date filter,
  and its answer is the gold choice's text;
- a JSONL file of ``{"question", "gold_ids" or "gold_urls", "answer", "date_from", "date_to"}``
  asked of an existing archive; a line with ``"history": [earlier questions]`` is a follow-up,
  asked after them in one conversation (each earlier answer sent back as a chat client does).

Metrics are computed over items (an item ranks where its best chunk ranks): Recall@k, MRR,
nDCG@10 with binary gains, the gold cited rate (a gold item among the answer's citations), and,
where gold answers exist, the answer hit rate (the gold answer appears in the answer text or the
first citation's excerpt) and the first-sentence hit rate (the answer's first cited sentence holds
the gold answer and its [n] points at a gold item: what a reader gets without reading on).
"""
from __future__ import annotations

import gzip
import json
import logging
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from dateline.index.errors import DatelineError
from dateline.index.reader import ArchiveReader

from .answer import EVIDENCE_FEATURES, NO_ANSWER_MODEL, evidence
from .chat import resolve
from .query import Filters, ParsedQuery, parse_question
from .retrieve import MODES
from .words import stems

log = logging.getLogger(__name__)

KS = (1, 5, 10, 20)


@dataclass
class EvalQuestion:
    """One judged question: its text, the ids of the items that answer it, and an answer string."""

    qid: str
    question: str
    gold_ids: set[str]
    answer: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    history: list[str] = field(default_factory=list)  # earlier questions of a follow-up, in order


@dataclass
class EvalSet:
    """Items to index (empty for a question file asked of an existing archive) and questions."""

    name: str
    records: list[dict]
    questions: list[EvalQuestion]
    gold_urls: dict[str, set[str]] = field(default_factory=dict)  # qid -> urls, resolved to ids after import
    # Read dates, sources and places from the question text as `ask` does. TIME's queries are
    # topic statements written for 1963 readers ("last week" is theirs), so they are not.
    parse: bool = True


# -- readers ------------------------------------------------------------------------------

def read_time(path: str | Path) -> EvalSet:
    """Read TIME.ALL, TIME.QUE and TIME.REL from the collection's directory."""
    path = Path(path)
    for name in ("TIME.ALL", "TIME.QUE", "TIME.REL"):
        if not (path / name).exists():
            raise DatelineError(f"{path}: no {name}; point at the TIME collection's directory")
    records, ids = [], []
    for block in re.split(r"^\*TEXT\s+", (path / "TIME.ALL").read_text("latin-1"), flags=re.M)[1:]:
        header, _, text = block.partition("\n")
        if header.startswith("STOP"):
            break
        # Headers are irregular ("431 08/30 63"); every record keeps its position regardless.
        m = re.match(r"(\d+)\s+(?:(\d\d)/(\d\d)[/ ]\s*(\d\d))?", header)
        num, mm, dd, yy = m.groups() if m else (str(len(ids) + 1), None, None, None)
        body = " ".join(text.replace("*STOP", "").split())
        ids.append(f"time-{num}")
        records.append({"id": f"time-{num}", "source": "TIME", "date": f"19{yy}-{mm}-{dd}" if yy else None,
                        "body": body, "url": "", "title": ""})
    questions: dict[str, str] = {}
    for block in re.split(r"^\*FIND\s+", (path / "TIME.QUE").read_text("latin-1"), flags=re.M)[1:]:
        num, _, text = block.partition("\n")
        questions[num.strip()] = " ".join(text.replace("*STOP", "").split())
    record_at = _judged_positions(ids)
    out = []
    for line in (path / "TIME.REL").read_text("latin-1").splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[0] not in questions:
            continue
        gold = {record_at[int(p)] for p in parts[1:] if int(p) in record_at}
        if gold:
            out.append(EvalQuestion(parts[0], questions[parts[0]], gold))
    return EvalSet("time", records, out, parse=False)


# The collection had 425 documents (its README); the copies in circulation have 423: *TEXT 499
# and 500, which would follow *TEXT 498 at position 370, are missing. TIME.REL numbers the 425,
# so a judgment past position 372 names the record two places earlier here. Read naively, every
# judgment from 380 on points at an unrelated story (query 37, "wheat deals involving the U.S.,
# Russia and Canada", at a spy story and one from Cambodia, two records after two stories on
# Soviet farming) and the last two, 424 and 425, fall off the end. No judgment names 371-379,
# so where exactly the two were lost in that range changes nothing.
TIME_DOCUMENTS = 425
TIME_LOST_AFTER = 370


def _judged_positions(ids: list[str]) -> dict[int, str]:
    """TIME.REL's 1-based document positions -> record ids of this copy of TIME.ALL."""
    lost = TIME_DOCUMENTS - len(ids)
    if lost == 2 and ids[TIME_LOST_AFTER - 1] == "time-498" and ids[TIME_LOST_AFTER] == "time-501":
        return {p if p <= TIME_LOST_AFTER else p + lost: i for p, i in enumerate(ids, 1)}
    if lost:
        log.warning("TIME.ALL has %d records, not %d: judgments are read as positions in it as they are",
                    len(ids), TIME_DOCUMENTS)
    return dict(enumerate(ids, 1))


def _source_of(url: str) -> str:
    host = urlparse(url).netloc.lower().removeprefix("www.").removeprefix("edition.")
    known = {"cnn.com": "CNN", "usatoday.com": "USA Today", "theweek.com": "The Week", "nytimes.com": "New York Times",
             "washingtonpost.com": "Washington Post", "reuters.com": "Reuters", "apnews.com": "AP",
             "bbc.com": "BBC", "bbc.co.uk": "BBC", "theguardian.com": "The Guardian", "npr.org": "NPR",
             "foxnews.com": "Fox News", "cnbc.com": "CNBC", "nbcnews.com": "NBC News"}
    return known.get(host, host)


def read_realtimeqa(path: str | Path, weeks: list[str] | None = None) -> EvalSet:
    """Read the RealTime QA weeks: search-result and gold articles as records, questions with gold urls."""
    path = Path(path)
    if not (path / "qa").is_dir():
        raise DatelineError(f"{path}: no qa/ folder; point at the RealTime QA directory")
    records: dict[str, dict] = {}

    def add(result: dict) -> str | None:
        url, text = (result.get("url") or "").strip(), (result.get("text") or "").strip()
        date = (result.get("publish_date") or "").strip()
        if not url or len(text) < 200 or not date:
            return None  # no text or no date: nothing to index or filter
        if url not in records:
            records[url] = {"url": url, "source": _source_of(url), "title": (result.get("title") or "").strip(),
                            "date": date[:10], "body": text, "authors": result.get("authors") or []}
        return url

    questions, gold_urls = [], {}
    for qa_file in sorted((path / "qa").glob("*_qa.jsonl")):
        week = qa_file.name.split("_")[0]
        if weeks and week not in weeks:
            continue
        gcs = path / "gcs" / f"{week}_gcs.jsonl.gz"
        if gcs.exists():
            with gzip.open(gcs, "rt", encoding="utf-8") as f:
                for line in f:
                    for result in json.loads(line).get("search_result") or []:
                        add(result)
        gold = {}
        gold_file = path / "gold" / f"{week}_gold.jsonl"
        if gold_file.exists():
            for line in gold_file.read_text("utf-8").splitlines():
                rec = json.loads(line)
                # A gold article without text may still be in the archive through a week's
                # search results; resolve_gold keeps the question only when it is.
                urls = [add(r) or (r.get("url") or "").strip() for r in rec.get("search_result") or []]
                urls = [u for u in urls if u]
                if urls:
                    gold[rec["question_id"]] = set(urls)
        for line in qa_file.read_text("utf-8").splitlines():
            q = json.loads(line)
            if q["question_id"] not in gold:
                continue
            answer = q["choices"][int(q["answer"][0])] if q.get("answer") else None
            questions.append(EvalQuestion(q["question_id"], q["question_sentence"], set(), answer,
                                          date_to=q["question_date"].replace("/", "-")))
            gold_urls[q["question_id"]] = gold[q["question_id"]]
    return EvalSet("realtimeqa", list(records.values()), questions, gold_urls)


def gold_headlines(evalset: EvalSet, questions: list[EvalQuestion]) -> list[str]:
    """The headline of each question's gold article, once each, without a site name or a
    search result's trailing "...": 2022 topic statements."""
    title = {r["url"]: r["title"] for r in evalset.records}
    heads = []
    for q in questions:
        found = next((title[u] for u in sorted(evalset.gold_urls.get(q.qid, ())) if title.get(u)), "")
        head = re.split(r" [-|] ", found)[0].removesuffix("...").strip()
        if head and head not in heads:
            heads.append(head)
    return heads


def read_questions(path: str | Path) -> EvalSet:
    """Read a JSONL question file: question, gold_ids or gold_urls, and optionally answer and dates."""
    path = Path(path)
    if not path.exists():
        raise DatelineError(f"{path}: no such file")
    questions, gold_urls = [], {}
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise DatelineError(f"{path}:{n}: not JSON ({e.msg})") from None
        if not isinstance(rec, dict) or not str(rec.get("question") or "").strip():
            raise DatelineError(f"{path}:{n}: needs a \"question\"")
        if not rec.get("gold_ids") and not rec.get("gold_urls"):
            raise DatelineError(f"{path}:{n}: needs \"gold_ids\" or \"gold_urls\"")
        for name in ("gold_ids", "gold_urls"):
            if not isinstance(rec.get(name) or [], list) or not all(isinstance(g, (str, int)) for g in rec.get(name) or []):
                raise DatelineError(f"{path}:{n}: \"{name}\" must be a list of ids or urls")
        for name in ("answer", "date_from", "date_to"):
            if rec.get(name) is not None and not isinstance(rec[name], str):
                raise DatelineError(f"{path}:{n}: \"{name}\" must be a string")
        history = rec.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
            raise DatelineError(f"{path}:{n}: \"history\" must be a list of earlier questions")
        qid = str(rec.get("id") or n)
        questions.append(EvalQuestion(qid, rec["question"], set(map(str, rec.get("gold_ids") or [])),
                                      rec.get("answer"), rec.get("date_from"), rec.get("date_to"), history))
        if rec.get("gold_urls"):
            gold_urls[qid] = set(map(str, rec["gold_urls"]))
    return EvalSet(path.stem, [], questions, gold_urls)


# -- preparing an archive -----------------------------------------------------------------

def prepare(evalset: EvalSet, data_dir: str | Path, *, progress: bool = False) -> None:
    """Import the set's records into ``data_dir`` and build its index (both incremental)."""
    from dateline.index.build import build_index
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data_dir = Path(data_dir)
    if evalset.records:
        data_dir.mkdir(parents=True, exist_ok=True)
        dump = data_dir / f"{evalset.name}.jsonl"
        with dump.open("w", encoding="utf-8") as f:
            for rec in evalset.records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        archive = Archive.open(data_dir)
        fmt, parsed = parse_file(dump, "jsonl")
        report = archive.import_items(str(dump), fmt, parsed.items, parsed.rejections)
        log.info("%s", report.summary())
        archive.close()
    build_index(data_dir, progress=progress)


def resolve_gold(evalset: EvalSet, reader: ArchiveReader) -> None:
    """Turn gold urls into item ids; drop questions whose gold is not in the archive."""
    kept = []
    for q in evalset.questions:
        urls = evalset.gold_urls.get(q.qid)
        if urls:
            q.gold_ids |= reader.item_ids_for_urls(urls)
        if q.gold_ids:
            kept.append(q)
    if len(kept) < len(evalset.questions):
        log.info("%d of %d questions have no gold item in the archive; left out",
                 len(evalset.questions) - len(kept), len(evalset.questions))
    evalset.questions = kept


# -- metrics ------------------------------------------------------------------------------

def metrics(ranking: list[str], gold: set[str]) -> dict[str, float]:
    """Recall@k for KS, reciprocal rank and nDCG@10 (binary gains) of one ranking."""
    out = {f"recall@{k}": len(gold & set(ranking[:k])) / len(gold) for k in KS}
    first = next((i for i, r in enumerate(ranking) if r in gold), None)
    out["mrr"] = 0.0 if first is None else 1.0 / (first + 1)
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranking[:10]) if r in gold)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), 10)))
    out["ndcg@10"] = dcg / ideal
    return out


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w$%.]+", " ", s.lower()).split())


def holds_answer(texts: list[str], gold: str) -> bool:
    """Whether any of ``texts`` holds the gold answer as whole words, case and punctuation aside;
    a number may take an ordinal's ending ("June 19th" holds "June 19")."""
    target = _norm(gold.strip("“”\"' "))
    if not target:
        return False
    ordinal = "(?:st|nd|rd|th)?" if target[-1].isdigit() else ""
    return any(re.search(rf"(?<!\w){re.escape(target)}{ordinal}(?!\w)", _norm(t)) for t in texts)


def answer_hit(answer_dict: dict, gold: str) -> bool:
    """Whether the gold answer appears in the answer text or the first citation's excerpt (a
    refusal answers nothing, though its text names the nearest items' sources)."""
    if answer_dict.get("found") is False:
        return False
    texts = [answer_dict.get("answer") or ""]
    if answer_dict.get("citations"):
        texts.append(answer_dict["citations"][0].get("excerpt") or "")
    return holds_answer(texts, gold)


_MARKER = re.compile(r"\[(\d+)\]")


def first_sentence(answer_dict: dict) -> tuple[str, str | None]:
    """The answer's first cited sentence (its text up to and including the first ``[n]``: the
    answer quotes one sentence per marker) and the item that ``[n]`` cites; ("", None) when the
    answer cites nothing."""
    text = answer_dict.get("answer") or ""
    m = _MARKER.search(text)
    if not m or answer_dict.get("found") is False:
        return "", None
    cited = next((c["item_id"] for c in answer_dict.get("citations") or [] if c.get("n") == int(m.group(1))), None)
    return text[:m.end()], cited


def first_sentence_hit(answer_dict: dict, gold: str, gold_ids: set[str]) -> bool:
    """Whether the answer's first cited sentence holds the gold answer and cites a gold item."""
    sentence, cited = first_sentence(answer_dict)
    return cited in gold_ids and holds_answer([sentence], gold)


def first_quote(answer_dict: dict) -> tuple[str, int] | None:
    """Where the answer's first cited sentence stands: its item and offset in the body (None
    when the answer cites nothing)."""
    m = _MARKER.search(answer_dict.get("answer") or "")
    if not m or answer_dict.get("found") is False:
        return None
    c = next((c for c in answer_dict.get("citations") or [] if c.get("n") == int(m.group(1))), None)
    return (c["item_id"], c.get("start", 0) + (c.get("highlight") or [0])[0]) if c else None


def repeats(answer_dict: dict, earlier: dict) -> bool:
    """Whether the answer opens with the sentence the earlier answer opened with."""
    first = first_quote(answer_dict)
    return first is not None and first == first_quote(earlier)


def gold_cited(answer_dict: dict, gold_ids: set[str]) -> bool:
    """Whether the answer cites a gold item (related items do not count)."""
    return answer_dict.get("found") is not False and any(
        c["item_id"] in gold_ids for c in answer_dict.get("citations") or [])


ASK = "ask"  # the row of a report that scores what `ask` returns: its citations, then related items
CITED = "cited"  # the row that scores the numbered citations alone, for a reader who counts only them
ASK_TOP_K = 10  # citations and related items `ask` is asked for: nDCG@10 needs ten


def user_ranking(answer: dict, related: bool = True) -> list[str]:
    """The items a user is shown, in order: the citations, then (``related``) the related items;
    a refusal shows none (the nearest items it lists are not offered as an answer)."""
    if not answer.get("found"):
        return []
    shown = [c["item_id"] for c in answer.get("citations") or []]
    if related:
        shown += [r["item_id"] for r in answer.get("related") or [] if r["item_id"] not in shown]
    return shown


@dataclass
class Report:
    """Mean metrics of what `ask` returns (row ``ask``; ``cited``: its citations alone) and of each
    retrieval mode alone."""

    name: str
    n_questions: int
    modes: dict[str, dict[str, float]]
    answer_hit_rate: float | None = None
    first_sentence_hit_rate: float | None = None
    gold_cited_rate: float | None = None
    found_rate: float | None = None
    repeated_rate: float | None = None  # follow-ups answered by the earlier answer's first sentence, missing theirs
    seconds: float = 0.0
    details: list[dict] = field(default_factory=list)

    def to_dict(self, details: bool = False) -> dict:
        d = {"set": self.name, "questions": self.n_questions, "modes": self.modes,
             "answer_hit_rate": self.answer_hit_rate, "first_sentence_hit_rate": self.first_sentence_hit_rate,
             "gold_cited_rate": self.gold_cited_rate, "found_rate": self.found_rate,
             "repeated_rate": self.repeated_rate, "seconds": round(self.seconds, 1)}
        if details:
            d["details"] = self.details
        return d

    def table(self) -> str:
        """A plain-text table: what `ask` returns first, then one row per retrieval mode."""
        cols = ["ndcg@10", "recall@1", "recall@5", "recall@10", "recall@20", "mrr"]
        lines = [f"{self.name}: {self.n_questions} questions ({self.seconds:.0f} s)",
                 f"{'':<10}" + "".join(f"{c:>11}" for c in cols)]
        for mode, m in self.modes.items():
            label = mode if mode in (ASK, CITED) else f"{mode} only"
            lines.append(f"{label:<10}" + "".join(f"{m[c]:>11.3f}" for c in cols))
        if self.answer_hit_rate is not None:
            lines.append(f"answer hit rate (answer or first excerpt holds the gold answer): {self.answer_hit_rate:.3f}")
        if self.first_sentence_hit_rate is not None:
            lines.append("first-sentence hit rate (first cited sentence holds the gold answer, cites a gold item): "
                         f"{self.first_sentence_hit_rate:.3f}")
        if self.gold_cited_rate is not None:
            lines.append(f"gold cited (a gold item among the citations): {self.gold_cited_rate:.3f}")
        if self.found_rate is not None:
            lines.append(f"answered (not 'nothing found'): {self.found_rate:.3f}")
        if self.repeated_rate is not None:
            lines.append("follow-ups whose first sentence repeats the earlier answer's, without their own answer: "
                         f"{self.repeated_rate:.3f}")
        return "\n".join(lines)


def evaluate(engine, evalset: EvalSet, *, modes: tuple[str, ...] = MODES, answers: bool = True,
             progress: bool = False, top_k: int = ASK_TOP_K) -> Report:
    """Score what `ask` returns for every question (citations and related items, refusals
    scoring nothing, the answer's hit), and beside it each retrieval mode's ranking alone."""
    t0 = time.perf_counter()
    resolve_gold(evalset, engine.reader())
    rows = evalset.questions
    if progress:
        from tqdm import tqdm
        rows = tqdm(rows, unit="q", leave=False)
    details = [_score_question(engine, evalset, q, modes, answers, top_k) for q in rows]
    n = len(details)
    if n == 0:
        raise DatelineError(f"{evalset.name}: no question has a gold item in the archive")
    scored = ((ASK, CITED) if answers else ()) + tuple(modes)
    means = {m: {k: sum(d[m][k] for d in details) / n for k in details[0][m] if k != "rank"} for m in scored}
    report = Report(evalset.name, n, means, seconds=time.perf_counter() - t0, details=details)
    if answers:
        report.found_rate = sum(d["found"] for d in details) / n
        report.gold_cited_rate = sum(d["gold_cited"] for d in details) / n
        with_answers = [d for d in details if "hit" in d]
        if with_answers:
            report.answer_hit_rate = sum(d["hit"] for d in with_answers) / len(with_answers)
            report.first_sentence_hit_rate = sum(d["first_sentence_hit"] for d in with_answers) / len(with_answers)
        follow_ups = [d for d in details if "repeated" in d]
        if follow_ups:
            report.repeated_rate = sum(d["repeated"] for d in follow_ups) / len(follow_ups)
    return report


def _score_question(engine, evalset: EvalSet, q: EvalQuestion, modes: tuple[str, ...], answers: bool,
                    top_k: int) -> dict:
    """One question's metrics: what `ask` returns, and each retrieval mode's ranking. A follow-up
    is asked after its earlier questions, each answer sent back as history."""
    history = _conversation(engine, q, top_k) if q.history else []
    if evalset.parse:
        resolved = resolve(q.question, history, engine.facts(), item_stems=engine.item_stems,
                           date_from=q.date_from, date_to=q.date_to)
        parsed, search_text = resolved.parsed, resolved.search_text
    else:  # TIME's topic statements are searched as they are, without reading filters
        parsed = ParsedQuery(q.question, q.question, Filters(q.date_from, q.date_to))
        search_text = parsed.text
    row: dict = {"qid": q.qid, "question": q.question, "gold": sorted(q.gold_ids)}
    if answers:
        ans = engine.ask(q.question, history=history or None, date_from=q.date_from, date_to=q.date_to,
                         top_k=top_k).to_dict()
        row[ASK] = _ranked(user_ranking(ans), q.gold_ids)
        row[CITED] = _ranked(user_ranking(ans, related=False), q.gold_ids)
        row["found"], row["confidence"] = ans["found"], ans["confidence"]
        row["gold_cited"] = gold_cited(ans, q.gold_ids)
        if q.answer:
            row["hit"] = answer_hit(ans, q.answer)
            row["first_sentence_hit"] = first_sentence_hit(ans, q.answer, q.gold_ids)
            # What a reader sees first, to tell a wrong article from a wrong sentence.
            row["first_sentence"], row["first_cited"] = first_sentence(ans)
        if history:  # the fault follow-ups risk: the earlier answer again, not what is asked now
            row["repeated"] = repeats(ans, history[-1]["answer"]) and not row.get("first_sentence_hit", False)
    qvec = engine.embedder.encode_query(search_text) if modes else None
    retriever = engine.retriever()
    for mode in modes:
        # The depth `ask` reads at this top_k (a deeper list standardises its scores differently)
        # and no story grouping: the ranking the answer step draws on.
        result = retriever.search(search_text, parsed.filters, k=20, mode=mode, qvec=qvec, group=False,
                                  depth=retriever.depth_for(top_k),
                                  as_of=parsed.as_of, newest_first=parsed.newest_first)
        row[mode] = _ranked(result.item_ids, q.gold_ids)
    return row


def _conversation(engine, q: EvalQuestion, top_k: int) -> list[dict]:
    """The turns before a follow-up: each earlier question asked with the turns before it, and
    its answer as a chat client sends it back."""
    turns: list[dict] = []
    for earlier in q.history:
        answer = engine.ask(earlier, history=turns or None, date_from=q.date_from, date_to=q.date_to, top_k=top_k)
        turns.append({"question": earlier, "answer": answer.to_dict()})
    return turns


def _ranked(ranking: list[str], gold: set[str]) -> dict:
    """Metrics of one ranking plus the rank of its first gold item (None when absent)."""
    return {**metrics(ranking, gold), "rank": next((i + 1 for i, r in enumerate(ranking) if r in gold), None)}


# -- no-answer calibration ----------------------------------------------------------------

def question_features(engine, questions: list[str], date_to: list[str | None] | None = None) -> np.ndarray:
    """The no-answer evidence (answer.EVIDENCE_FEATURES) of each question, as `ask` searches it."""
    retriever = engine.retriever()
    facts = engine.facts()
    out = []
    for i, text in enumerate(questions):
        parsed = parse_question(text, facts, date_to=(date_to[i] if date_to else None))
        result = retriever.search(parsed.text, parsed.filters, k=5, as_of=parsed.as_of,
                                  newest_first=parsed.newest_first)
        found = evidence(result, set(stems(parsed.text)), searched=parsed.text)
        out.append([getattr(found, name) for name in EVIDENCE_FEATURES])
    return np.asarray(out, dtype=np.float64).reshape(-1, len(EVIDENCE_FEATURES))


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method, each class weighing half: [intercept, weights...]
    on the raw features (standardised while fitting; ``l2`` penalises the standardised weights)."""
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / sd])
    sample_weight = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * len(y)
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0  # the intercept is not penalised
    beta = np.zeros(z.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(z @ beta)))
        grad = z.T @ (sample_weight * (p - y)) + penalty * beta
        hess = (z * (sample_weight * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    weights = beta[1:] / sd
    return np.concatenate([[beta[0] - (weights * mean).sum()], weights])


def _kept_and_refused(model: np.ndarray, pos: np.ndarray, neg: np.ndarray, threshold: float) -> tuple[float, float]:
    """Share of answerable questions kept and of unrelated ones refused by ``model`` at ``threshold``."""
    def prob(x):
        return 1 / (1 + np.exp(-(model[0] + x @ model[1:])))
    return float((prob(pos) >= threshold).mean()), float((prob(neg) < threshold).mean())


def calibrate(pos: np.ndarray, neg: np.ndarray, *, folds: int = 5, seed: int = 0,
              groups: dict[str, np.ndarray] | None = None) -> dict:
    """Fit the no-answer model on answerable (``pos``) and unrelated (``neg``) questions' evidence.

    Rows come from ``question_features``. The model is a class-balanced logistic regression;
    its figures on questions it was not fitted on come from ``folds``-fold cross-validation
    (each fold's model judged at the 0.5 threshold). Beside them: how the shipped model
    (answer.NO_ANSWER_MODEL at the configured threshold) does on the same questions, and, for
    each of ``groups`` (name: evidence rows), the share each model answers.
    """
    x = np.vstack([pos, neg])
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    order = np.random.default_rng(seed).permutation(len(y))
    kept, refused = [], []
    for f in range(folds):
        held = order[f::folds]
        train = np.setdiff1d(order, held)
        model = fit_logistic(x[train], y[train])
        k, r = _kept_and_refused(model, x[held][y[held] == 1], x[held][y[held] == 0], 0.5)
        kept.append(k)
        refused.append(r)
    model = fit_logistic(x, y)
    from dateline.index import settings
    threshold = float(settings.get("no_answer_threshold"))
    shipped = np.array([NO_ANSWER_MODEL["intercept"]] + [NO_ANSWER_MODEL[n] for n in EVIDENCE_FEATURES])
    now_kept, now_refused = _kept_and_refused(shipped, pos, neg, threshold)
    return {
        "fitted": {"model": {"intercept": round(float(model[0]), 3),
                             **{n: round(float(w), 3) for n, w in zip(EVIDENCE_FEATURES, model[1:])}},
                   "cross_validated": {"answerable_kept": round(float(np.mean(kept)), 4),
                                       "unrelated_refused": round(float(np.mean(refused)), 4),
                                       "folds": folds}},
        "current": {"model": NO_ANSWER_MODEL, "threshold": threshold,
                    "answerable_kept": round(now_kept, 4), "unrelated_refused": round(now_refused, 4)},
        "answerable": len(pos), "unrelated": len(neg),
        "answered_by_group": {name: {"questions": len(rows),
                                     "fitted": round(_answered(model, rows, 0.5), 4),
                                     "current": round(_answered(shipped, rows, threshold), 4)}
                              for name, rows in (groups or {}).items()},
    }


def _answered(model: np.ndarray, rows: np.ndarray, threshold: float) -> float:
    """Share of questions of evidence ``rows`` that ``model`` answers at ``threshold``."""
    return float((1 / (1 + np.exp(-(model[0] + rows @ model[1:]))) >= threshold).mean()) if len(rows) else 0.0

"""Question commands: `dateline ask` and `dateline eval`."""
from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import click
import numpy as np

from dateline.index.errors import DatelineError
from dateline.qa import evaluate as ev
from dateline.qa.engine import Engine
from dateline.qa.request import MAX_TOP_K

from .common import data_option, setting_option, user_errors


def _print_answer(answer: dict) -> None:
    click.echo(answer["answer"])
    for c in answer["citations"]:
        place = f"{c['dateline']}, " if c["dateline"] else ""
        click.echo(f"\n[{c['n']}] {c['title']}")
        click.echo(f"    {c['source']} | {place}{c['date_display']} | item {c['item_id']}"
                   + (f" | {c['url']}" if c["url"] else ""))
        where = "title" if c["excerpt_field"] == "title" else f"body {c['start']}-{c['end']}"
        click.echo(f"    \"{c['excerpt']}\" ({where})")
        for copy in c.get("also_in") or []:
            click.echo(f"    also in: {copy['source']} - {copy['title']} ({copy['item_id']})")
    if answer.get("related"):
        click.echo("\nRelated:")
        for r in answer["related"]:
            place = f"{r['dateline']}, " if r["dateline"] else ""
            click.echo(f"  - {r['title']}")
            click.echo(f"    {r['source']} | {place}{r['date_display']} | item {r['item_id']}"
                       + (f" | {r['url']}" if r["url"] else ""))
    for note in answer.get("notes") or []:
        click.echo(f"\nnote: {note}", err=True)


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer's JSON form.")
@click.option("--from", "date_from", metavar="DATE", help="Only items dated on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--to", "date_to", metavar="DATE", help="Only items dated on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--source", help="Only items of this source.")
@click.option("--place", help="Only items with this dateline place.")
@setting_option("top_k", type=int)
@data_option
@user_errors
def ask(question, as_json, date_from, date_to, source, place, top_k, data_dir):
    """Answer QUESTION from the archive, citing verbatim excerpts with source, place and date.

    Without QUESTION, read questions from standard input, one a line, as one conversation:
    follow-ups such as "Who reported it?" or "And in July?" refer to the previous ones.
    """
    engine = Engine(data_dir)
    filters = dict(date_from=date_from, date_to=date_to, source=source, place=place, top_k=top_k)
    if question is not None:
        answer = _asked(engine, question, filters).to_dict()
        if as_json:
            click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        else:
            _print_answer(answer)
        return
    history: list[dict] = []
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            click.echo("? ", nl=False, err=True)
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        answer = _asked(engine, line.strip(), filters, history).to_dict()
        if as_json:
            click.echo(json.dumps(answer, ensure_ascii=False))
        else:
            if not interactive:  # piped questions: say which question each answer is to
                click.echo(f"? {line.strip()}")
            _print_answer(answer)
            click.echo("")
        history.append({"question": line.strip(), "answer": answer})
    if not history:
        raise DatelineError("no question: give QUESTION, or questions on standard input, one a line")


# The request fields `dateline ask` sets from its options, named in messages as the options.
_OPTIONS = {"date_from": "--from", "date_to": "--to", "top_k": "--top-k", "source": "--source", "place": "--place"}
_FIELD = re.compile(r"`(date_from|date_to|top_k|source|place)`|\b(date_from|date_to|top_k)\b")


def _asked(engine: Engine, question: str, filters: dict, history: list[dict] | None = None):
    """``engine.ask``, with a bad filter's message naming the option that set it, not the API field."""
    try:
        return engine.ask(question, history=history, **filters)
    except DatelineError as e:
        e.message = _FIELD.sub(lambda m: _OPTIONS[m.group(1) or m.group(2)], e.message)
        raise


def _corpus_paths(question_set: str, paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """Check that ``paths`` name what ``question_set`` reads: one folder, two for calibrate, none for a file,
    pairs of a question file and its archive for fit-sentences."""
    if question_set == "fit-sentences":
        if len(paths) < 4 or len(paths) % 2:
            raise DatelineError("dateline eval fit-sentences takes <questions.jsonl> <archive folder> pairs, two at least")
        names = [qfile.stem for qfile in paths[::2]]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise DatelineError(f"dateline eval fit-sentences: two question files named {twice[0]}; "
                                "each set is reported by its file's name, so rename one")
        for qfile, archive in zip(paths[::2], paths[1::2]):
            if not qfile.is_file():
                raise DatelineError(f"{qfile}: no such file")
            if not (archive / "archive.sqlite").exists():
                raise DatelineError(f"{archive}: no archive here (run `dateline import` and `dateline index` first)")
        return paths
    wanted = {"time": ("the TIME collection's folder",), "realtimeqa": ("the RealTime QA folder",),
              "calibrate": ("the TIME collection's folder", "the RealTime QA folder")}.get(question_set, ())
    if len(paths) != len(wanted):
        usage = " ".join(f"<{w}>" for w in wanted) or "(no paths: the questions are asked of --data)"
        raise DatelineError(f"dateline eval {question_set} takes {usage}")
    for path in paths:
        if not path.is_dir():
            raise DatelineError(f"{path}: no such directory")
    return paths


@click.command("eval")
@click.argument("question_set")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path("dateline-eval"),
              show_default=True, help="Where the TIME and RealTime QA archives are built (reused by later runs).")
@click.option("--mode", "modes", multiple=True, type=click.Choice(ev.MODES),
              help="Retrieval modes to compare (default: all).")
@click.option("--limit", type=int, help="Only the first N questions.")
@click.option("--top-k", "top_k", type=click.IntRange(1, MAX_TOP_K), default=ev.ASK_TOP_K, show_default=True,
              help="Citations and related items asked of `ask` for each question.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--details", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write per-question results (ranks, found, answer hit) to this JSON file.")
@data_option
@user_errors
def eval_cmd(question_set, paths, work, modes, limit, top_k, as_json, details, data_dir):
    """Measure what `ask` returns, and each retrieval mode alone: nDCG@10, Recall@k, MRR, hit rate.

    The `ask` row scores the items `ask` shows (its citations, then the related items; a
    refusal shows none) and its answer; the `cited` row its numbered citations alone; the other
    rows rank by one retrieval mode alone.

    QUESTION_SET is `time PATH` (the TIME collection's folder), `realtimeqa PATH` (RealTime QA's
    folder; each question filtered to items dated up to its date), a JSONL file of
    {"question", "gold_ids" or "gold_urls", "answer"} asked of the --data archive (with
    "history": [earlier questions], a follow-up asked after them in one conversation), or
    `calibrate TIME_PATH REALTIMEQA_PATH`: choose the no-answer threshold from the TIME and
    RealTime QA archives built under --work (answerable questions against their own archive,
    unrelated ones against the other's), or `fit-sentences Q1.jsonl ARCHIVE1 Q2.jsonl ARCHIVE2
    ...`: fit the model that chooses the answering sentence on those sets' questions, each set
    judged by a model fitted on the others.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    paths = _corpus_paths(question_set, paths)
    if question_set == "calibrate":
        out = _calibrate(work, *paths, limit)
        click.echo(json.dumps(out, indent=2))
        return
    if question_set == "fit-sentences":
        click.echo(json.dumps(_fit_sentences(paths, limit, top_k), indent=2))
        return
    if question_set in ("time", "realtimeqa"):
        evalset = ev.read_time(paths[0]) if question_set == "time" else ev.read_realtimeqa(paths[0])
        target = work / question_set
        click.echo(f"preparing {target} ({len(evalset.records)} items) ...", err=True)
        ev.prepare(evalset, target, progress=True)
    else:
        evalset = ev.read_questions(question_set)
        target = data_dir
    if limit:
        evalset.questions = evalset.questions[:limit]
    engine = Engine(target)
    report = ev.evaluate(engine, evalset, modes=tuple(modes) or ev.MODES, progress=True, top_k=top_k)
    if details:
        details.write_text(json.dumps(report.to_dict(details=True), indent=1))
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.table())


def _fit_sentences(paths: tuple[Path, ...], limit: int | None, top_k: int) -> dict:
    """Record every question's candidate sentences, set by set, and fit and judge the model."""
    from dateline.qa import sentence_fit

    sets = {}
    for qfile, archive in zip(paths[::2], paths[1::2]):
        evalset = ev.read_questions(qfile)
        if limit:
            evalset.questions = evalset.questions[:limit]
        click.echo(f"asking {len(evalset.questions)} questions of {archive} ...", err=True)
        sets[qfile.stem] = sentence_fit.candidates_of(Engine(archive), evalset, top_k)
    return sentence_fit.fit_and_judge(sets)


def _calibrate(work: Path, time_path: Path, realtimeqa_path: Path, limit: int | None) -> dict:
    """Fit the no-answer model on the two built eval archives' questions; report each group.

    Answerable: each set's questions asked of its own archive. Unrelated: RealTime QA's 2022
    quiz questions and its gold articles' headlines (topic statements, as TIME's are) asked of
    the 1963 TIME archive. TIME's queries asked of the 2022 archive are reported, not fitted:
    many are answered there ("Background of the new prime minister of Great Britain",
    "Continuing conflict between India and Pakistan over Kashmir"), so as negatives they taught
    the model to refuse TIME's own topic statements.
    """
    for name in ("time", "realtimeqa"):
        if not (work / name / "archive.sqlite").exists():
            raise DatelineError(f"run `dateline eval {name} PATH --work {work}` first")
    rt = ev.read_realtimeqa(realtimeqa_path)
    tm = ev.read_time(time_path)
    rt_engine, tm_engine = Engine(work / "realtimeqa"), Engine(work / "time")
    ev.resolve_gold(rt, rt_engine.reader())
    rt_q = rt.questions[:limit] if limit else rt.questions
    tm_q = tm.questions[:limit] if limit else tm.questions
    groups = {
        "realtimeqa_own": ev.question_features(rt_engine, [q.question for q in rt_q], [q.date_to for q in rt_q]),
        "time_own": ev.question_features(tm_engine, [q.question for q in tm_q]),
        "realtimeqa_on_time": ev.question_features(tm_engine, [q.question for q in rt_q]),
        "headlines_on_time": ev.question_features(tm_engine, ev.gold_headlines(rt, rt_q)),
        "time_on_realtimeqa": ev.question_features(rt_engine, [q.question for q in tm_q]),
    }
    pos = np.concatenate([groups["realtimeqa_own"], groups["time_own"]])
    neg = np.concatenate([groups["realtimeqa_on_time"], groups["headlines_on_time"]])
    return ev.calibrate(pos, neg, groups=groups)

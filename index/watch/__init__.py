"""`dateline watch`: keep the archive current from folders and RSS/Atom feeds, a cycle at a time.

Each cycle looks over the watched folders (folders.py) and fetches each feed conditionally
(feeds.py); if anything is new it imports it as one job (origin "watch", listed by `dateline
jobs` and the archive page), each file and each feed in its own transaction, then brings the
index up to date in the same job. What was seen is kept in ``<data>/watch.json`` (state.py).
A feed that is down or answers garbage, or a bad file, is logged and skipped; the cycle goes on.

>>> watcher = Watcher("./dateline-data", folders=[Path("/srv/news/incoming")],
...                   feeds=["https://news.example/rss"])
>>> report = watcher.cycle()   # logs one line: what was imported, rejected, skipped, how long
"""
from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import jobs
from ..errors import DatelineError
from ..importing import ImportSummary, SkippedFile, import_files
from ..ingest import finish
from ..ingest.common import Parsed
from ..ingest.web import parse_feed
from ..store import Archive, ImportReport
from . import folders
from .feeds import FeedError, Fetched, check_url, fetch
from .state import FeedSeen, WatchState

if TYPE_CHECKING:
    from ..embed import Embedder

log = logging.getLogger(__name__)

MAX_LISTED = 3  # rejections of one file or feed named in the log; the job's result has them all


@dataclass
class CycleReport:
    """What one cycle did; ``line()`` is its log line."""

    summary: ImportSummary = field(default_factory=ImportSummary)  # files and feeds imported, files skipped
    files_unchanged: int = 0
    files_settling: int = 0  # modified too recently: taken next cycle
    feeds_unchanged: int = 0  # answered 304
    feeds_failed: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    problems: list[str] = field(default_factory=list)  # missing folders, unreadable files
    index: dict | None = None  # the build's report, when one ran
    job: int | None = None  # the job that imported (and indexed), if any
    error: str | None = None  # why the cycle stopped (a full disk, say); tried again next cycle
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether the cycle added or updated any item."""
        return self.summary.changed

    def line(self) -> str:
        """One line for the log: imported, rejected, skipped, indexed, how long."""
        files = [r for r in self.summary.reports if not _is_url(r.path)]
        feeds = [r for r in self.summary.reports if _is_url(r.path)]
        parts = []
        totals = self.summary.totals
        if self.summary.reports:
            parts.append(f"imported {len(files)} file{_s(files)} and {len(feeds)} feed{_s(feeds)}: "
                         f"{totals['added']} added, {totals['updated']} updated, {totals['unchanged']} unchanged, "
                         f"{totals['rejected']} rejected")
        else:
            parts.append("nothing new")
        skipped = len(self.summary.skipped)
        if skipped:
            parts.append(f"{skipped} file{_s(skipped)} rejected")
        parts.append(f"{self.files_unchanged} file{_s(self.files_unchanged)} unchanged")
        if self.files_settling:
            parts.append(f"{self.files_settling} still being written")
        if self.feeds_unchanged:
            parts.append(f"{self.feeds_unchanged} feed{_s(self.feeds_unchanged)} not modified")
        if self.feeds_failed:
            parts.append(f"{len(self.feeds_failed)} feed{_s(self.feeds_failed)} skipped")
        if self.problems:
            parts.append("; ".join(self.problems))
        if self.index is not None:
            parts.append(f"index: generation {self.index['generation']}, {self.index['embedded']} chunks embedded"
                         if self.index["published"] else "index up to date")
        if self.error:
            parts.append(f"stopped: {self.error}")
        if self.job is not None:
            parts.append(f"job {self.job}")
        return "watch cycle: " + "; ".join(parts) + f"; {self.seconds:.1f} s"


def _s(n: int | Sequence) -> str:
    return "" if (n if isinstance(n, int) else len(n)) == 1 else "s"


def _is_url(origin: str) -> bool:
    return origin.startswith(("http://", "https://"))


class Watcher:
    """The folders and feeds of one `dateline watch`, and what it has seen of them.

    ``source`` replaces every item's source, as `dateline import --source` does; without it a
    feed's items take the feed's title (or its host name when it has none). ``embedder``
    defaults to the configured model, loaded once per process on the first build.
    """

    def __init__(self, data_dir: str | Path, folders: Sequence[Path] = (), feeds: Sequence[str] = (), *,
                 source: str | None = None, embedder: Embedder | None = None):
        self.data_dir = Path(data_dir)
        self.folders = [Path(f) for f in folders]
        self.feeds = [check_url(url) for url in feeds]
        self.source = source or None
        self.embedder = embedder
        self.state = WatchState.load(self.data_dir)

    def cycle(self) -> CycleReport:
        """Import what is new in the folders and feeds, then index it; log one line and return it."""
        started = time.monotonic()
        report = CycleReport()
        scan = folders.scan(self.folders, self.state.files)
        report.files_unchanged, report.files_settling = scan.unchanged, len(scan.settling)
        report.problems += [f"{p}: not there" for p in scan.missing]
        report.problems += [f"{p}: cannot be read ({why})" for p, why in scan.unreadable]
        fetched = [got for url in self.feeds if (got := self._fetch(url, report)) is not None]
        try:
            if scan.changed or fetched:
                self._import(scan.changed, fetched, report)
            elif self.state.build_due:  # an earlier cycle's build did not finish
                with jobs.run(self.data_dir, "index", origin="watch") as job:
                    report.job = job.id
                    job.result = report.index = self._build(job)
        except DatelineError as e:
            report.error = str(e)
        finally:
            self.state.save()
            report.seconds = time.monotonic() - started
        (log.error if report.error else log.info)("%s", report.line())
        return report

    def _fetch(self, url: str, report: CycleReport) -> tuple[Fetched, Parsed] | None:
        """Fetch and read one feed; None when it has not changed or cannot be read (logged)."""
        try:
            got = fetch(url, self.state.feeds.get(url))
        except FeedError as e:
            self._feed_failed(url, str(e), report)
            return None
        if got.text is None:
            report.feeds_unchanged += 1
            return None
        parsed = parse_feed(got.text, url)
        if not parsed.items:
            why = parsed.rejections[0].reason if parsed.rejections else "the feed has no entries"
            self._feed_failed(url, why, report)
            return None
        host = urllib.parse.urlsplit(url).hostname or ""
        for item in parsed.items:
            item.source = item.source or host
        return got, finish(parsed, self.source, None)

    @staticmethod
    def _feed_failed(url: str, why: str, report: CycleReport) -> None:
        report.feeds_failed.append((url, why))
        log.warning("feed %s skipped: %s", url, why)

    def _import(self, changed: list[folders.Changed], fetched: list[tuple[Fetched, Parsed]],
                report: CycleReport) -> None:
        """Import the changed files and the fetched feeds as one job, then build if items changed."""
        seen = {str(c.path): c for c in changed}
        total = len(changed) + len(fetched)
        archive = Archive.open(self.data_dir)
        try:
            with jobs.run(self.data_dir, "import", origin="watch") as job:
                report.job = job.id

                summary = report.summary  # filled file by file: the job's result shows it as it grows

                def done(outcome: ImportReport | SkippedFile) -> None:
                    (summary.skipped if isinstance(outcome, SkippedFile) else summary.reports).append(outcome)
                    job.result = self._result(report)
                    job.progress(len(summary.reports) + len(summary.skipped), total, unit="files", phase="importing")

                def on_file(file: Path, outcome: ImportReport | SkippedFile) -> None:
                    self._file_done(seen[str(file)], outcome)
                    done(outcome)

                import_files(archive, [(c.path, True) for c in changed], source=self.source, on_file=on_file)
                for got, parsed in fetched:
                    feed = archive.import_items(got.url, "rss", parsed.items, parsed.rejections)
                    self.state.feeds[got.url] = FeedSeen(got.etag, got.last_modified)
                    _log_rejections(got.url, feed)
                    done(feed)
                if summary.changed:
                    self.state.build_due = True
                    self.state.save()  # so that a watch killed during the build builds when restarted
                if self.state.build_due:
                    report.index = self._build(job)
                job.result = self._result(report)
        finally:
            archive.close()

    def _file_done(self, changed: folders.Changed, outcome: ImportReport | SkippedFile) -> None:
        """Record what became of a file, so that it is not read again until it changes."""
        if isinstance(outcome, SkippedFile):
            changed.seen.outcome, changed.seen.message = "rejected", outcome.reason
            log.warning("%s (not retried until it changes)", outcome.message)
        else:
            _log_rejections(str(changed.path), outcome)
        self.state.files[folders.key(changed.path)] = changed.seen

    def _build(self, job: jobs.JobRun) -> dict:
        """Bring the index up to date for ``job``; return the build's report as data."""
        from ..build import build_index
        from ..embed import load_embedder
        from ..ray_embed import RayOptions  # DATELINE_RAY: embed on the cluster, as `dateline index --ray`

        if self.embedder is None:
            self.embedder = load_embedder()
        job.progress(0, None, unit="chunks", phase="embedding")
        built = build_index(self.data_dir, embedder=self.embedder, ray=RayOptions.from_settings(),
                            on_progress=lambda done, total: job.progress(done, total, unit="chunks", phase="embedding"))
        self.state.build_due = False
        return built.to_dict()

    @staticmethod
    def _result(report: CycleReport) -> dict:
        """The job's result: the import summary as `dateline import` reports it, the feeds that
        were skipped, and the build's report under "index"."""
        result = report.summary.to_dict()
        result["feeds_skipped"] = [{"url": url, "reason": why} for url, why in report.feeds_failed]
        if report.index is not None:
            result["index"] = report.index
        return result


def _log_rejections(where: str, imported: ImportReport) -> None:
    """Log the first few rejected records of one file or feed (all are in the job's result)."""
    if not imported.rejections:
        return
    listed = "; ".join(f"{r.origin}: {r.reason}" for r in imported.rejections[:MAX_LISTED])
    more = len(imported.rejections) - MAX_LISTED
    log.warning("%s: %d record%s rejected: %s%s", where, imported.rejected, _s(imported.rejected), listed,
                f" (and {more} more)" if more > 0 else "")

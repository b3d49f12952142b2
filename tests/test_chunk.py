"""The chunker: verbatim offsets, sentence-aligned token windows with overlap, and nothing the
model would truncate, over the sample archive and the Reuters slice (which keeps the corpus's
densest, longest and most tightly packed items: tests/data/SOURCE.md)."""
from __future__ import annotations

import re

import pytest

from conftest import REUTERS, SEED
from dateline.index.chunk import (Chunk, TokenLimit, bundled_limit, chunk_item, chunker_config, count_tokens,
                         header)
from dateline.index.errors import DatelineError
from dateline.index.ingest import parse_file
from dateline.index.item import Item

SENTENCES = [
    "The central bank raised its key rate by half a point on Tuesday.",
    "Analysts had expected a smaller move after weak retail figures.",
    "The currency rose two percent against the dollar in early trading.",
    "Officials said further increases could follow if inflation persists.",
    "Exporters warned that a stronger currency would hurt their sales abroad.",
]


def _long_item(paragraphs: int = 12) -> Item:
    body = "\n\n".join(" ".join(SENTENCES[(p + i) % 5] for i in range(4)) for p in range(paragraphs))
    return Item(source="Reuters", title="BANK RAISES RATES", body=body, dateline="London",
                date="1987-03-02", date_precision="day").finish()


def _covered(body: str, chunks: list[Chunk]) -> bool:
    mask = [False] * len(body)
    for c in chunks:
        mask[c.start:c.end] = [True] * (c.end - c.start)
    return all(m or ch.isspace() for m, ch in zip(mask, body))


def test_chunks_quote_the_body_verbatim_behind_a_context_header():
    item = _long_item()
    chunks = chunk_item(item, max_tokens=60, overlap=15)
    assert len(chunks) > 3
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        head, span = c.text.split("\n", 1)
        assert head == "Reuters | London | 1987-03-02 | BANK RAISES RATES"
        assert span == item.body[c.start:c.end]
        assert c.n_tokens == count_tokens(c.text)
        assert c.item_id == item.id and len(c.hash) == 32
    assert _covered(item.body, chunks)


def test_windows_end_at_sentences_and_stay_within_the_token_budget():
    item = _long_item()
    for c in chunk_item(item, max_tokens=60, overlap=15):
        span = item.body[c.start:c.end]
        assert span[-1] == "." and span[0].isupper()
        assert count_tokens(span) <= 60 + 2  # sentence counts add up to the span's, give or take a join


def test_consecutive_windows_overlap_by_whole_sentences():
    item = _long_item()
    chunks = chunk_item(item, max_tokens=60, overlap=20)
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end, "no overlap"
        assert a.start < b.start, "no progress"
        assert count_tokens(item.body[b.start:a.end]) <= 20 + 2
    no_overlap = chunk_item(item, max_tokens=60, overlap=0)
    assert all(b.start >= a.end for a, b in zip(no_overlap, no_overlap[1:]))


def test_windows_prefer_paragraph_breaks():
    item = _long_item()
    chunks = chunk_item(item, max_tokens=150, overlap=0)
    ends_at_paragraph = [c for c in chunks[:-1] if item.body[c.end:c.end + 2] == "\n\n"]
    assert len(ends_at_paragraph) == len(chunks) - 1


def test_a_sentence_longer_than_the_window_is_split_at_tokens():
    body = " ".join(f"word{i}" for i in range(600))  # one 'sentence', no punctuation
    item = Item(source="Feed", title="Long", body=body).finish()
    chunks = chunk_item(item, max_tokens=100, overlap=0)
    assert len(chunks) >= 6
    assert _covered(body, chunks)
    assert all(c.text.endswith(body[c.start:c.end]) for c in chunks)


def test_a_title_only_item_is_one_chunk_of_its_header():
    item = Item(source="Iran Focus", title="Two prisoners were hanged in Sarpol-e Zahab", body="",
                dateline="Iran", date="2017-08-22", date_precision="day").finish()
    [chunk] = chunk_item(item)
    assert (chunk.start, chunk.end, chunk.seq) == (0, 0, 0)
    assert chunk.text == "Iran Focus | Iran | 2017-08-22 | Two prisoners were hanged in Sarpol-e Zahab"


def test_header_shows_the_date_at_its_precision_and_caps_long_titles():
    item = Item(source="Time", title="x " * 500, body="Text.", date="1963-06-01", date_precision="month")
    text = header(item)
    assert "| 1963-06 |" in text and text.endswith("…")
    assert count_tokens(text) < 80


def test_chunking_is_deterministic():
    item = _long_item()
    assert chunk_item(item, 60, 15) == chunk_item(item, 60, 15)
    assert chunk_item(item, 60, 15) != chunk_item(item, 80, 15)


@pytest.mark.parametrize("size, overlap", [(8, 0), (100, 50), (100, -1)])
def test_bad_chunk_settings_are_refused(size, overlap):
    with pytest.raises(DatelineError, match="DATELINE_CHUNK"):
        chunk_item(_long_item(), size, overlap)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATELINE_CHUNK_TOKENS", "120")
    monkeypatch.setenv("DATELINE_CHUNK_OVERLAP", "10")
    assert chunker_config()["max_tokens"] == 120 and chunker_config()["overlap"] == 10
    item = _long_item()
    assert chunk_item(item) == chunk_item(item, 120, 10)


def test_the_limit_counts_past_the_tokenizer_files_own_truncation():
    limit = bundled_limit()
    # tokenizer.json truncates at 128 on its own; the model reads up to 256.
    assert limit.max_length == 256
    assert limit.count("word " * 300) == 302
    assert not limit.fits("word " * 300)


def test_a_tight_model_limit_shortens_windows():
    limit = bundled_limit()
    tight = TokenLimit.__new__(TokenLimit)
    tight.tokenizer, tight.max_length = limit.tokenizer, 40
    item = _long_item()
    chunks = chunk_item(item, max_tokens=200, overlap=0, limit=tight)
    assert all(limit.count(c.text) <= 40 for c in chunks)
    assert _covered(item.body, chunks)


def _all_items():
    paths = [SEED, *sorted(REUTERS.glob("reut2-*.sgm"))]
    for path in paths:
        _, parsed = parse_file(path)
        yield from parsed.items


@pytest.mark.slow
def test_nothing_in_the_sample_or_reuters_exceeds_the_models_limit():
    """Every embedded text of the sample archive and the Reuters slice fits in 256 word pieces,
    counted by the model's own tokenizer without truncation. The slice holds the items of all
    21,578 whose chunks come nearest the limit and the one with the most digits."""
    from dateline.index.embed import load_embedder

    model_tokenizer = load_embedder().model.tokenizer
    assert load_embedder().max_length == 256
    items = chunks = 0
    longest = 0
    densest, digits = None, -1
    for item in _all_items():
        items += 1
        if len(re.findall(r"\d", item.body)) > digits:
            densest, digits = item, len(re.findall(r"\d", item.body))
        item_chunks = chunk_item(item)
        assert _covered(item.body, item_chunks), item.id
        for c in item_chunks:
            chunks += 1
            assert c.text.endswith(item.body[c.start:c.end])
            n = bundled_limit().count(c.text)
            longest = max(longest, n)
            assert n <= 256, f"{item.id} chunk {c.seq}: {n} word pieces"
    assert items == 34 + 322 and chunks > items
    assert longest > 200  # the windows do use the model's room
    assert densest.metadata.get("newid") == "15875"  # the corpus's most digits: a table of figures
    # Spot-check the fast counter against the model's own tokenizer (as sentence-transformers runs it).
    for c in chunk_item(densest):
        assert len(model_tokenizer(c.text, truncation=False)["input_ids"]) == bundled_limit().count(c.text)

"""Dense feedback in the hybrid ranking: the question's vector, moved towards the passages of the
best-ranked items, searches again, so that another report of the leading story ranks above items
that merely resemble the question.

The embedder here is a stand-in whose vectors are sums of named concepts, so which items are
close is set by the test, not by a model: the effect of feedback on the real model is measured
in docs/evaluation.md ("Dense feedback")."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from fake_embedder import FakeEmbedder

from dateline.index.build import build_index
from dateline.index.ingest import parse_file
from dateline.index.store import Archive
from dateline.qa import retrieve
from dateline.qa.engine import Engine

# Word -> concept. "carmaker" means what "automaker" means, but full text does not know that.
CONCEPTS = {
    "automaker": "automaker", "carmaker": "automaker", "recall": "recall", "recalled": "recall",
    "recalls": "recall", "recalling": "recall", "vehicles": "vehicle", "ford": "ford",
    "gears": "gear", "parked": "park", "dealers": "dealer", "strike": "strike", "pay": "pay",
    "helmets": "helmet", "rain": "rain", "harvest": "harvest",
}
AXES = sorted(set(CONCEPTS.values()))


class ConceptEmbedder(FakeEmbedder):
    """A text's vector is the normalised sum of its words' concepts (words without one add
    nothing)."""

    def __init__(self):
        super().__init__(name="concepts@000000000000", dim=len(AXES))

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"[a-z]+", text.lower()):
            if word in CONCEPTS:
                v[AXES.index(CONCEPTS[word])] += 1.0
        norm = np.linalg.norm(v)
        # A text with no concept points nowhere in particular, far from everything.
        return v / norm if norm else np.full(self.dim, 1e-3, dtype=np.float32)


ITEMS = {
    # The report that leads: the question's words and the story's own.
    "lead": ("Ford recalls vehicles", "Ford is recalling vehicles whose gears slip, so that parked cars roll."),
    "follow_up": ("Recall of Ford vehicles widens", "The recall of Ford vehicles now covers cars whose gears slip when parked."),
    # Another report of the same story, without one of the question's words or concepts.
    "other_report": ("Ford owners told to see dealers", "Ford said gears slip in parked Ford cars."),
    # Resembles the question (a carmaker), about something else, and shares no word with it either.
    "lookalike": ("Workers vote on strike", "Carmaker workers will vote on a strike over pay; the strike would be their first."),
    "helmets": ("Helmet maker recalls helmets", "The company recalls helmets that crack."),
    "weather": ("Rain delays harvest", "Heavy rain delayed the harvest for a week."),
}
QUESTION = "Which automaker recalled vehicles?"


@pytest.fixture(scope="module")
def concept_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("feedback") / "data"
    path = data.parent / "items.jsonl"
    path.write_text("".join(json.dumps({"id": key, "source": "Wire", "dateline": "Detroit", "date": "2022-06-15",
                                        "title": title, "body": body}) + "\n"
                            for key, (title, body) in ITEMS.items()), encoding="utf-8")
    archive = Archive.open(data)
    fmt, parsed = parse_file(path)
    archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
    archive.close()
    build_index(data, embedder=ConceptEmbedder())
    return data


def _ranked(engine: Engine) -> list[str]:
    return engine.retriever().search(QUESTION, k=5).item_ids


def test_another_report_of_the_leading_story_ranks_above_a_lookalike(concept_data, monkeypatch):
    engine = Engine(concept_data, embedder=ConceptEmbedder())
    with_feedback = _ranked(engine)
    assert with_feedback[0] == "lead"
    assert with_feedback.index("other_report") < with_feedback.index("lookalike")

    monkeypatch.setattr(retrieve, "FEEDBACK_WEIGHT", 0.0)
    without = _ranked(engine)
    assert without[0] == "lead"
    assert without.index("other_report") > without.index("lookalike")


def test_refusals_still_judge_the_question_itself(concept_data, monkeypatch):
    # The best cosine the no-answer model reads is the question's own, not the moved vector's.
    engine = Engine(concept_data, embedder=ConceptEmbedder())
    best = engine.retriever().search(QUESTION, k=5).best_dense
    monkeypatch.setattr(retrieve, "FEEDBACK_WEIGHT", 0.0)
    assert engine.retriever().search(QUESTION, k=5).best_dense == pytest.approx(best)


class WithoutFacets:
    """A live index as written before its filter columns existed: filtered dense search then
    scores the chunks inside the filters from the embedding cache."""

    def __init__(self, live):
        self.live, self.ntotal = live, live.ntotal

    def search(self, queries, k, among=None, probe_share=1.0):
        return self.live.search(queries, k, probe_share=probe_share)


def test_a_filtered_search_reads_the_vectors_inside_once_for_both_dense_searches(concept_data, monkeypatch):
    engine = Engine(concept_data, embedder=ConceptEmbedder())
    unfiltered = engine.retriever().search(QUESTION, k=5).item_ids
    retriever = engine.retriever()
    reads = []
    read_vectors = retriever.reader.chunk_vectors
    monkeypatch.setattr(retriever.reader, "chunk_vectors", lambda *a: reads.append(a) or read_vectors(*a))
    old_index = retrieve.Retriever(retriever.reader, WithoutFacets(retriever.live), retriever.embedder)
    # The filter keeps every item: the same ranking, from one read of the vectors.
    assert old_index.search(QUESTION, retrieve.Filters(source="Wire"), k=5).item_ids == unfiltered
    assert len(reads) == 1

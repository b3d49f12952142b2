"""The Engine seam the CLI and web app share: status, search, items, reloads, no index."""
from __future__ import annotations

import json

import pytest

from dateline.index.errors import DatelineError
from dateline.qa.engine import Engine
from conftest import copy_data

pytestmark = pytest.mark.slow


def test_status_search_and_items(web_data):
    engine = Engine(web_data)
    info = engine.status()
    assert info["items"] >= 34 and info["chunks"] >= 34 and info["generation"]
    assert info["date_from"] == "2016-08-11" and {"source": "Iran Focus", "items": 34} in info["sources"]
    passages = engine.search("1988 massacre resolution", k=3, place="London")
    assert 1 <= len(passages) <= 3 and all(p.item.dateline == "London" for p in passages)
    d = passages[0].to_dict()
    assert d["text"] == engine.get_item(d["item_id"]).body[d["start"]:d["end"]]
    assert engine.get_item("nope") is None
    with pytest.raises(DatelineError):
        engine.search("x", k=0)


def test_reload_after_a_new_generation(web_data, tmp_path):
    from dateline.index.build import build_index
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data = tmp_path / "data"
    copy_data(web_data, data)
    engine = Engine(data)
    assert not engine.ask("What did the Mars rover find in the Gale crater?").found
    assert engine.maybe_reload() is False
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "rover", "source": "Space Wire", "dateline": "Pasadena", "date": "2017-06-29",
                               "title": "Rover finds clay in Gale crater",
                               "body": "Pasadena, 29 Jun - NASA's Curiosity rover found clay minerals in the "
                                       "Gale crater on Mars, scientists said on Thursday."}) + "\n"
                   + json.dumps({"id": "wheat", "source": "Plains Herald", "dateline": "Omaha", "date": "2017-06-28",
                                 "title": "Grain prices rise", "body": "Wheat prices rose 8 percent on Monday, "
                                 "traders said. Drought in Kansas cut the harvest."}) + "\n")
    archive = Archive.open(data)
    fmt, parsed = parse_file(new)
    archive.import_items(str(new), fmt, parsed.items, parsed.rejections)
    archive.close()
    build_index(data)
    assert engine.maybe_reload() is True
    a = engine.ask("What did the Mars rover find in the Gale crater?")
    assert a.found and a.citations[0].item_id == "rover" and a.citations[0].dateline == "Pasadena"
    assert "clay minerals" in a.citations[0].excerpt

    # Removed, and the index not yet rebuilt: its chunk is still FAISS's nearest, but it is no
    # evidence that the archive answers, and no other story is offered in its place.
    assert engine.ask("Why did wheat prices rise?").citations[0].item_id == "wheat"
    archive = Archive.open(data)
    assert archive.remove(["wheat"]).items == 1
    archive.close()
    a = engine.ask("Why did wheat prices rise?")
    assert not a.found and all(c.item_id != "wheat" for c in a.citations)


def test_no_index_is_503(tmp_path):
    from dateline.index.store import Archive
    Archive.open(tmp_path / "d").close()
    with pytest.raises(DatelineError) as e:
        Engine(tmp_path / "d").ask("anything")
    assert e.value.status == 503

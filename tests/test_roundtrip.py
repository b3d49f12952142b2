"""Importing an export into an empty archive reproduces the sample archive exactly."""
import json

from conftest import SEED


def test_sample_round_trip(cli, runner, tmp_path):
    from dateline.cli import main

    cli("import", str(SEED))
    first = cli("export").output
    records = [json.loads(line) for line in first.splitlines()]
    assert len(records) == 34
    # Every stored field is exported.
    assert {"id", "url", "source", "title", "dateline", "date", "body", "date_precision",
            "year_inferred", "dateline_text", "title_derived", "content_hash", "origin",
            "metadata"} <= records[0].keys()
    dump = tmp_path / "seed.jsonl"
    dump.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh"
    imported = runner.invoke(main, ["import", str(dump), "--data", str(fresh)])
    assert "34 added, 0 updated, 0 unchanged, 0 rejected" in imported.output
    assert runner.invoke(main, ["export", "--data", str(fresh)]).output == first
    # Importing the export over the original archive is a no-op.
    assert "34 unchanged" in cli("import", str(dump)).output


def test_export_one_source(cli, tmp_path):
    cli("import", str(SEED))
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"source": "Wire", "title": "T", "body": "B"}) + "\n")
    cli("import", str(other))
    lines = cli("export", "--source", "Wire").output.splitlines()
    assert [json.loads(line)["source"] for line in lines] == ["Wire"]

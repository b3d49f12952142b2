"""`dateline demo`, the README's first command: imports and indexes the sample, then serves the
chat on it. Also: what the app says before there is an archive or an index; serve's defaults."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from conftest import ROOT, SEED, dateline_process
from dateline.cli.serve import is_loopback
from dateline.web import create_app


@pytest.mark.slow
def test_demo_imports_indexes_and_serves_the_chat(tmp_path):
    with dateline_process("demo", "--data", str(tmp_path / "data"), "--workers", "1") as url:
        with urllib.request.urlopen(url + "/") as r:
            assert r.status == 200 and b'id="ask-form"' in r.read()
        request = urllib.request.Request(
            url + "/api/ask", data=json.dumps({"question": "Who sponsored Resolution 188?"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as r:
            answer = json.load(r)
        assert answer["found"] and answer["citations"][0]["dateline"] == "London"
        # Its import and build are jobs, listed as `dateline import` and `dateline index` list theirs.
        with urllib.request.urlopen(url + "/api/jobs") as r:
            jobs = json.load(r)["jobs"]
        assert [(j["kind"], j["state"]) for j in jobs] == [("index", "done"), ("import", "done")]


def test_no_archive_and_no_index_are_503_naming_the_command(tmp_path, cli, data_dir):
    client = create_app({"DATA_DIR": str(tmp_path / "nothing")}).test_client()
    r = client.get("/api/status")
    assert r.status_code == 503 and "dateline import" in r.get_json()["error"]["message"]

    assert cli("import", str(SEED)).exit_code == 0
    client = create_app({"DATA_DIR": str(data_dir)}).test_client()
    r = client.post("/api/ask", json={"question": "Who sponsored Resolution 188?"})
    assert r.status_code == 503
    error = r.get_json()["error"]
    assert error["code"] == "no_index" and "dateline index" in error["message"]


def test_serve_binds_to_loopback_by_default(runner):
    from dateline.cli import main

    help_text = runner.invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "--workers" in help_text and "--port" in help_text
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_load_benchmark_only_targets_this_machine():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--url", "http://10.1.2.3:80"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "this machine" in r.stderr

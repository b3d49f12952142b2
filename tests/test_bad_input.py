"""Bad paths and files give a one-line error and a non-zero exit; a killed import loses nothing."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time


from conftest import SEED


def _one_line_error(result, *fragments):
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_path(cli, tmp_path):
    _one_line_error(cli("import", str(tmp_path / "nope.txt")), "nope.txt", "no such file")


def test_empty_file(cli, tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n  \n")
    _one_line_error(cli("import", str(tmp_path / "empty.jsonl")), "empty.jsonl", "empty")


def test_binary_file(cli, tmp_path):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _one_line_error(cli("import", str(tmp_path / "photo.txt")), "photo.txt", "binary")


def test_a_file_in_another_encoding_says_so(cli, tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Gazette\n\nMünchen, 3 Mar 2021 - A new line opened.\n".encode("latin-1"))
    _one_line_error(cli("import", str(tmp_path / "latin1.txt")), "latin1.txt", "line 3 holds bytes that are not UTF-8")
    (tmp_path / "excel.jsonl").write_bytes('{"title": "t", "body": "b"}\n'.encode("utf-16"))
    _one_line_error(cli("import", str(tmp_path / "excel.jsonl")), "excel.jsonl", "UTF-16", "save it as UTF-8")


def test_directory_of_the_wrong_files(cli, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("buy milk\n\ncall the office\n")
    (folder / "readme.md").write_text("# nothing here\n")
    result = cli("import", str(folder))
    assert result.exit_code != 0
    *notes, error = result.output.strip().splitlines()
    assert error == f"Error: no news items found in {folder}"
    assert notes == [f"skipped {folder / 'todo.txt'}: no news items found (read as text); "
                     "use --format to choose another format"]


def test_a_directory_import_leaves_hidden_files_and_folders_out(cli, tmp_path):
    folder = tmp_path / "wire"
    (folder / ".drafts").mkdir(parents=True)
    record = '{"id": "%s", "title": "Oil falls", "body": "Oil fell, traders said."}\n'
    (folder / "today.jsonl").write_text(record % "kept")
    (folder / ".drafts" / "draft.jsonl").write_text(record % "draft")
    (folder / ".unsent.jsonl").write_text(record % "unsent")
    result = cli("import", str(folder))
    assert result.exit_code == 0 and "today.jsonl (jsonl): 1 added" in result.output, result.output
    assert "draft" not in result.output and "unsent" not in result.output
    assert [json.loads(line)["id"] for line in cli("export").output.splitlines()] == ["kept"]


def test_directory_with_no_importable_files(cli, tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"\x89PNG")
    _one_line_error(cli("import", str(folder)), "pictures", "no files to import")


def test_file_that_is_not_news(cli, tmp_path):
    (tmp_path / "poem.txt").write_text("Roses are red\n\nviolets are blue\n")
    _one_line_error(cli("import", str(tmp_path / "poem.txt")), "poem.txt", "no news items found")


def test_unknown_format_option(cli):
    result = cli("import", str(SEED), "--format", "docx")
    assert result.exit_code == 2 and "docx" in result.output


def test_a_bad_setting_from_the_environment_names_its_variable(runner, data_dir):
    from dateline.cli import main

    result = runner.invoke(main, ["ask", "dam", "--data", str(data_dir)], env={"DATELINE_TOP_K": "abc"})
    assert result.exit_code == 2
    assert "'--top-k' (from the environment variable DATELINE_TOP_K): 'abc' is not a valid integer" in result.output


def test_commands_on_a_missing_archive_say_what_to_run(cli):
    _one_line_error(cli("status"), "dateline import")
    _one_line_error(cli("export"), "dateline import")


def test_a_data_folder_or_destination_under_a_file_is_a_one_line_error(runner, cli, tmp_path):
    from dateline.cli import main

    (tmp_path / "afile").write_text("not a folder\n")
    under_a_file = str(tmp_path / "afile" / "sub")
    result = runner.invoke(main, ["import", str(SEED), "--data", under_a_file])
    _one_line_error(result, under_a_file, "a part of its path is a file", "nothing was imported")
    assert cli("import", str(SEED)).exit_code == 0
    _one_line_error(cli("backup", under_a_file), under_a_file, "no backup was made")
    _one_line_error(cli("snapshot", under_a_file), under_a_file, "no snapshot was made")


def test_an_archive_locked_by_another_writer_is_a_one_line_error(cli, data_dir, monkeypatch):
    import dateline.index.store as store
    assert cli("import", str(SEED)).exit_code == 0
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(data_dir / "archive.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as an import of a big file holds it
    try:
        for command in (("index",), ("import", str(SEED)), ("remove", "--source", "Iran Focus")):
            _one_line_error(cli(*command), "the archive is busy", "run this again")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert cli("import", str(SEED)).exit_code == 0


def test_killed_import_leaves_the_archive_as_it_was(tmp_path):
    """Kill `dateline import` in the middle of a big file: nothing of that file is stored."""
    data = tmp_path / "data"
    env = {**os.environ, "DATELINE_DATA": str(data)}
    dateline = [sys.executable, "-m", "dateline"]
    subprocess.run([*dateline, "import", str(SEED)], env=env, check=True, capture_output=True)

    # One big JSONL file (all of reut2-000..003 as records) so the transaction takes a while.
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as out:
        for n in range(40000):
            out.write(json.dumps({"id": f"r{n}", "title": f"Record {n}", "body": "word " * 200}) + "\n")
    proc = subprocess.Popen([*dateline, "import", str(big)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = data / "archive.sqlite-wal"
    deadline = time.monotonic() + 120
    # Wait until the import is writing its transaction (the WAL grows), then kill it.
    while (not wal.exists() or wal.stat().st_size < 4_000_000) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    conn = sqlite3.connect(data / "archive.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 34
    assert conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
    conn.close()
    # The same import then runs to the end.
    done = subprocess.run([*dateline, "import", str(big)], env=env, capture_output=True, text=True)
    assert "40000 added" in done.stdout

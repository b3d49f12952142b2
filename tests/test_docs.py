"""The README stays true: its two commands, CI running the test command, every setting listed."""
import re

from conftest import ROOT
from dateline.index.settings import SETTINGS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    return re.findall(r"```sh\n(.+?)\n```", README, re.DOTALL)


def test_readme_opens_with_the_run_and_test_commands():
    run, test = _commands()[:2]
    assert run.endswith("dateline demo") and "pip install torch==2.13.0" in run
    assert "pytest" in test and "pip install torch==2.13.0" in test
    # Nothing but prose comes before the two commands.
    assert README.index(run) < README.index(test) < README.index("## ")


def test_ci_runs_exactly_the_readme_test_command():
    test = _commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_every_setting_is_documented():
    for s in SETTINGS:
        row = re.search(rf"^\| `{s.env}` \| (.*)$", README, re.MULTILINE)
        assert row, f"{s.env} is missing from the README's settings table"
        assert str(s.default) in row.group(1) or s.default == "", s.env

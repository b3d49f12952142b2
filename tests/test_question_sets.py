"""benchmarks/question_sets.py knows the archive of every written question set."""
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _question_sets():
    spec = importlib.util.spec_from_file_location("question_sets", REPO / "benchmarks" / "question_sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_set_and_list_has_an_archive():
    qs = _question_sets()
    stems = {p.stem for p in qs.QUESTIONS.glob("*.jsonl")}
    assert stems and stems <= set(qs.SET_ARCHIVE), sorted(stems - set(qs.SET_ARCHIVE))
    for path in qs.QUESTIONS.glob("*_un*.txt"):
        owner = path.stem.rsplit("_", 1)[0]
        assert owner == "sample" or owner in qs.SET_ARCHIVE, path.name
    assert set(qs.SET_ARCHIVE.values()) <= set(qs.ARCHIVES) | {"demo", "slice"}
    assert qs.DEMO.is_file() and qs.TEST_SLICE.is_file()


def test_held_out_sets_are_reuters_sets_that_exist():
    qs = _question_sets()
    assert len(qs.HELD_OUT) == 36
    for name in qs.HELD_OUT:
        assert (qs.QUESTIONS / f"{name}.jsonl").is_file(), name


def test_held_out_demo_sets_exist_and_are_counted_apart():
    qs = _question_sets()
    assert qs.DEMO_HELD_OUT and not qs.DEMO_HELD_OUT & qs.HELD_OUT
    for name in qs.DEMO_HELD_OUT:
        assert qs.SET_ARCHIVE[name] == "demo" and (qs.QUESTIONS / f"{name}.jsonl").is_file(), name

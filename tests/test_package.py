"""The installed package: one name in site-packages, imports that point one way, no circles."""
from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT

# Where each subpackage's source lives in the repository.
SOURCES = {"dateline.index": ROOT / "index", "dateline.qa": ROOT / "qa", "dateline.web": ROOT / "web",
           "dateline.cli": ROOT / "dateline" / "cli"}
# Who may import whom: index <- qa <- web <- cli.
LAYER = {"dateline.index": 0, "dateline.qa": 1, "dateline.web": 2, "dateline.cli": 3}


def test_the_wheel_installs_one_package_named_dateline(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("dateline-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"dateline", wheel.name.split("-py3")[0] + ".dist-info"}
    for data in ("dateline/qa/demo/iran_focus_2017.txt", "dateline/index/probe_questions.txt",
                 "dateline/web/static/chat.js", "dateline/web/templates/chat.html"):
        assert data in names

    # Installed from the wheel alone (not the editable checkout), it imports and runs.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = ("import dateline.qa, dateline.web, dateline.cli, sys; "
            "print(dateline.qa.__file__); print(sorted(m for m in sys.modules if m in ('index', 'qa', 'web')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(target)},
                         check=True, capture_output=True, text=True).stdout.splitlines()
    assert out == [str(target / "dateline" / "qa" / "__init__.py"), "[]"]
    version = subprocess.run([sys.executable, "-m", "dateline", "--version"], cwd=tmp_path,
                             env={"PYTHONPATH": str(target)}, capture_output=True, text=True)
    assert version.returncode == 0 and "version" in version.stdout


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts))
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports anywhere in its file (function-level imports too)."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            parent = ".".join(base[: len(base) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (parent, node.module or "") if p)
            # `from pkg import sub` depends on the submodule; `from pkg import name` on pkg itself.
            subs = [f"{module}.{a.name}" for a in node.names]
            targets = [t if t in known else module for t in subs]
        else:
            continue
        out |= {t for t in targets if t in known}
    return out - {name}


def test_imports_point_one_way_and_never_in_a_circle():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    layer = {name: next(v for k, v in LAYER.items() if name == k or name.startswith(k + "."))
             for name in modules}
    upward = [(a, b) for a, deps in graph.items() for b in deps if layer[b] > layer[a]]
    assert not upward, f"imports against index <- qa <- web <- cli: {upward}"

    # A package importing its own submodules (to register or re-export them) is not a circle;
    # a submodule importing its package back while the package imports it would be.
    def circle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return path + [start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
        return None

    circles = [c for c in map(circle_from, graph) if c]
    assert not circles, f"import circles: {circles[:3]}"

"""The arrows point one way (STYLE.md: ``handlers -> approvals <- storage``, the entry point above all), checked on
every module's imports as written (``ast``: lazy imports inside functions count too, ``TYPE_CHECKING`` ones do not).

- ``handlers/`` and ``jobs/`` reach storage only through its ports (``storage.ports``, and the ``Repositories``
  bundle in ``storage.repositories``): nothing there knows which database is behind them;
- outside ``storage/`` nothing names the SQLite backend (``storage.database``, ``storage.group_commit``, any
  ``Sqlite*`` class), but the operator's tools on the file (``operations/``) and the tests;
- ``handlers/`` never imports ``jobs/``: what both show lives below both, in ``reports/``, which imports no job;
- the entry point, the application's assembly and the sandbox import each other in one direction only: no module
  import cycle runs through any of them.

Each failure names the offending file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "locales", "node_modules", "build", "dist"}
PORTS = {"storage.ports", "storage.repositories"}
BACKEND = ("storage.database", "storage.group_commit")
MAY_NAME_BACKEND = ("storage", "operations", "tests")
ENTRY = ("bot", "assembly", "sandbox")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    path: Path
    line: int
    target: str  # the module imported (``from a import b``: ``a.b`` when that is a module, else ``a``)
    names: tuple[str, ...]  # what a ``from`` import takes

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIPPED or any(part.startswith(".") for part in relative.parts):
            continue
        if len(relative.parts) > 1 and not (ROOT / relative.parts[0] / "__init__.py").exists():
            continue  # scripts in folders that are not packages (deploy/, .ci/ …)
        found[module_name(path)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``: they make no edge at run time."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return hidden


def imports_of(name: str, path: Path, modules: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    hidden = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, path, node.lineno, alias.name, ())
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = tuple(alias.name for alias in node.names)
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in modules]
            for target in submodules or [node.module]:
                yield Import(name, path, node.lineno, target, names)


def all_imports() -> list[Import]:
    files = project_files()
    modules = set(files)
    return [found for name, path in sorted(files.items()) for found in imports_of(name, path, modules)]


def report(rule: str, offenders: list[str]) -> str:
    return rule + ":\n  " + "\n  ".join(offenders)


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_scan_sees_the_whole_project() -> None:
    seen = {i.source for i in all_imports()}
    assert {"bot", "assembly", "handlers.journal", "jobs.sender", "storage.open", "sandbox.app"} <= seen


def test_handlers_and_jobs_reach_storage_only_through_its_ports() -> None:
    wrong = [
        f"{i.where()}: {i.target}"
        for i in all_imports()
        if within(i.source, "handlers", "jobs") and within(i.target, "storage") and i.target not in PORTS
    ]
    assert not wrong, report("handlers/ and jobs/ may import from storage only " + ", ".join(sorted(PORTS)), wrong)


def test_nothing_outside_storage_names_the_sqlite_backend() -> None:
    wrong = [
        f"{i.where()}: {i.target} {', '.join(i.names)}".rstrip()
        for i in all_imports()
        if not within(i.source, *MAY_NAME_BACKEND)
        and (within(i.target, *BACKEND) or any(n.startswith("Sqlite") for n in i.names if within(i.target, "storage")))
    ]
    assert not wrong, report("open the store with storage.open.open_storage; use the ports (storage/ports.py)", wrong)


def test_the_postgresql_backend_imports_nothing_of_the_sqlite_one() -> None:
    """storage/postgres/ may share storage's neutral modules (ports, the unit of work, shared helpers), never one that
    opens the SQLite database: every instance would load aiosqlite and the SQLite writer with it."""
    imports = all_imports()
    sqlite_side = {
        i.source
        for i in imports
        if within(i.source, "storage") and (within(i.target, *BACKEND) or within(i.target, "aiosqlite"))
    } | set(BACKEND)
    wrong = [
        f"{i.where()}: {i.target}" for i in imports if within(i.source, "storage.postgres") and i.target in sqlite_side
    ]
    assert not wrong, report("storage/postgres/ must not import the SQLite backend's modules", wrong)


def test_handlers_and_reports_never_import_jobs() -> None:
    wrong = [
        f"{i.where()}: {i.target}"
        for i in all_imports()
        if within(i.source, "handlers", "reports") and within(i.target, "jobs")
    ]
    assert not wrong, report("what handlers and jobs both need belongs below both (reports/)", wrong)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_runs_through_the_entry_point_the_assembly_or_the_sandbox() -> None:
    found = all_imports()
    modules = {i.source for i in found}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    lines: dict[tuple[str, str], str] = {}
    for i in found:
        # the edge goes to the module named, not to the packages above it: their __init__ modules, run first,
        # import nothing of their own children's importers here
        if i.target in modules:
            edges[i.source].add(i.target)
            lines.setdefault((i.source, i.target), i.where())
    wrong = []
    for component in cycles(edges):
        if any(within(m, *ENTRY) for m in component):
            members = set(component)
            wrong.append(
                "cycle: "
                + "; ".join(f"{lines[(a, b)]} {a} -> {b}" for a in component for b in sorted(edges[a] & members))
            )
    assert not wrong, report("the entry point, the assembly and the sandbox must import one way only", wrong)

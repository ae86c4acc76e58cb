"""The dependency direction of docs/architecture.md, checked on the code itself.

Every ``import`` of every module of ``lms/`` (inside functions too) is read with ``ast``.
A module may import its own package, the core and anything lower in the order; never a
higher package, nor a package beside it in the same rank (study and attendance, community
and reports). No two modules may import each other, directly or round a longer loop.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LMS = ROOT / "lms"

CORE = {"config", "extensions", "database", "timeutil", "security", "pagination", "cli"}
CORE |= {"startup_errors", "row_cache"}
# Rank of each top-level part of lms; a part imports only lower ranks (and itself).
RANKS = {
    "core": 0,
    "web": 1,
    "tasks": 1,
    "accounts": 2,
    # xapi: the statement-source registry and the LRS forwarding, on accounts (erasure)
    # and below every domain that registers a source.
    "xapi": 2.5,
    "media": 3,
    "courses": 4,
    "study": 5,
    "assessment": 5,
    "attendance": 5,
    "credits": 6,
    "community": 7,
    "reports": 7,
    "home": 8,
    "synthetic": 9,
    # Not domains: ops watches and copies what every domain keeps; the app factory, the
    # Celery worker and the health checks compose everything.
    "ops": 10,
    "app": 11,
}
COMPOSITION_ROOTS = {"lms", "lms.worker", "lms.health"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in LMS.rglob("*.py")}


def part_of(module: str) -> str:
    if module in COMPOSITION_ROOTS:
        return "app"
    top = module.split(".")[1]
    return "core" if top in CORE else top


def imports_of(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The lms modules ``path`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # ``from lms.media import api`` imports the module lms.media.api if there is one
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("lms") and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path, name, modules) for name, path in modules.items()}


def test_every_part_of_lms_has_a_rank():
    assert {part_of(name) for name in all_modules()} <= set(RANKS)


def test_no_module_imports_against_the_dependency_direction():
    wrong = []
    for name, targets in import_graph().items():
        own = part_of(name)
        for target in targets:
            other = part_of(target)
            if other != own and RANKS[other] >= RANKS[own]:
                wrong.append(f"{name} imports {target} ({own} may not import {other})")
    assert wrong == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_there_is_no_import_cycle():
    cycles = [group for group in strongly_connected(import_graph()) if len(group) > 1]
    assert cycles == []


def test_the_checks_find_a_cycle_and_a_wrong_import():
    graph = {"lms.media.a": {"lms.media.b"}, "lms.media.b": {"lms.media.a"}, "lms.x": set()}
    assert ["lms.media.a", "lms.media.b"] in strongly_connected(graph)
    assert RANKS[part_of("lms.credits.views")] > RANKS[part_of("lms.study.api")]
    assert RANKS[part_of("lms.study.api")] == RANKS[part_of("lms.attendance.api")]


def test_media_pipeline_imports_nothing_of_lms():
    offending = []
    for path in (ROOT / "media_pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offending += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "lms"]
    assert offending == []


# Which part of the order each template folder belongs to (people/ is accounts').
TEMPLATE_PARTS = {
    "people": "accounts",
    "errors": "app",
    "base.html": "home",
    "light.html": "home",
    "_forms.html": "core",
    "_read_aloud.html": "core",
}
ENDPOINT = re.compile(r"""url_for\(\s*['"]([a-z_]+)\.[a-z_]+['"]""")


def test_no_template_links_to_a_higher_domain():
    wrong = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        top = path.relative_to(ROOT / "templates").parts[0]
        own = TEMPLATE_PARTS.get(top, top)
        for blueprint in ENDPOINT.findall(path.read_text(encoding="utf-8")):
            other = "core" if blueprint == "static" else blueprint
            if other != own and RANKS[other] >= RANKS[own]:
                wrong.append(f"{path.relative_to(ROOT)} links to {blueprint}")
    assert wrong == []


def test_templates_ask_for_answers_not_roles():
    asking = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "has_role(" in path.read_text(encoding="utf-8")
    ]
    assert asking == []

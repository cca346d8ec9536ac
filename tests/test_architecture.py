"""The way through the code stays the same everywhere: checked on the source."""

import ast
import re
from pathlib import Path

import meetup

ROOT = Path(meetup.__file__).parent
TEMPLATES = ROOT.parent / "templates"
VIEW_NAMES = ("views", "manage_views")


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def is_view_module(name: str) -> bool:
    return name.startswith("meetup.") and name.rsplit(".", 1)[-1] in VIEW_NAMES


def test_no_view_module_imports_another():
    found = []
    for path, tree in modules():
        if path.stem not in VIEW_NAMES:
            continue
        found += [(path.name, name) for name in imported_modules(tree) if is_view_module(name)]
    assert found == []


def test_every_module_with_routes_is_a_view_module_imported_by_create_app():
    route = re.compile(r"^@\w*bp\.(get|post|route)\(", re.M)
    with_routes = {path.relative_to(ROOT.parent).with_suffix("").as_posix().replace("/", ".")
                   for path in ROOT.rglob("*.py") if route.search(path.read_text())}
    assert all(name.rsplit(".", 1)[-1] in VIEW_NAMES for name in with_routes), with_routes
    assert with_routes == {module.__name__ for module in meetup.VIEW_MODULES}


def test_only_the_transaction_helper_and_the_cli_commit():
    commits = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                commits.append(path.name)
    assert set(commits) == {"database.py", "cli.py"}


def test_templates_compare_no_roles_or_statuses():
    """Templates get booleans from the view and the policy, not raw states."""
    comparison = re.compile(r"""(\.(status|role)\s*(==|!=|in\b))|(role\s*(==|!=)\s*["'])""")
    found = [f"{path.relative_to(TEMPLATES)}:{number}"
             for path in TEMPLATES.rglob("*.html")
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if comparison.search(line)]
    assert found == []


def test_one_base_for_every_domain_refusal():
    from meetup.errors import RuleError

    refusals = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id == "Exception" for base in node.bases):
                refusals.append(f"{path.name}:{node.name}")
    # Besides RuleError, only control flow inside one view module and inside the
    # mail sender derives from Exception: no refusal a person would read.
    assert sorted(refusals) == ["errors.py:RuleError", "manage_views.py:BatchRefused",
                                "manage_views.py:SlugTaken", "sender.py:ConnectionLost"]
    assert RuleError("x", 422).status == 422

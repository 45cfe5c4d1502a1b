"""Static: SQL text is built only from the code's own words, never from a value.

Values from files, widgets, the page's address and the command line reach SQL as bound parameters (`?`, `$name`).
What is interpolated into SQL text must have the type `Identifier` (a name quoted by `q()`, a temp table from
`temp_name()`) or `Sql` (a fragment the code wrote itself), both in `pipelines/store/db.py`, or be an `int` (a
column's position). The test checks the
types with mypy: in a copy of `pipelines/` and `dashboard/`, every interpolation into an f-string that holds SQL
(or goes to `.execute()`, or becomes an `Identifier` or `Sql`) is passed through a function that accepts only
those two types. `Identifier(...)` and `Sql(...)` themselves may wrap only text written in the code.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL_TEXT = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|FROM|WHERE|JOIN|VALUES|COPY|SET)\b")
SAFE = ("Identifier", "Sql")
CHECK = "_sql_part_"  # _sql_part_<n>_: the n-th interpolation, so that mypy's complaint points back at it
IMPORT = "from pipelines.store.db import Identifier as _Identifier_, Sql as _Sql_"
HELPER = "def {name}(part: {types}) -> str:\n    return str(part)"


def _called(node: ast.AST, names: tuple[str, ...]) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names


def _code_text(node: ast.AST) -> bool:
    """What `Identifier(...)` and `Sql(...)` may wrap: literals, f-strings, q() calls, and joins or sums of them."""
    if isinstance(node, ast.Constant | ast.JoinedStr) or _called(node, (*QUOTING, *SAFE)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _code_text(node.left) and _code_text(node.right)
    if isinstance(node, ast.BoolOp | ast.IfExp):  # `a or b`, `a if test else b`: both sides
        return all(_code_text(n) for n in (node.values if isinstance(node, ast.BoolOp) else (node.body, node.orelse)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        (items,) = node.args
        element = items.elt if isinstance(items, ast.GeneratorExp | ast.ListComp) else items
        return isinstance(node.func.value, ast.Constant) and _code_text(element)
    return False


# The quoting functions themselves (in pipelines/store/db.py) are what the check trusts.
QUOTING = ("q", "q_list", "temp_name", "join_sql", "literal")


def sql_fstrings(tree: ast.Module) -> tuple[list[ast.JoinedStr], list[ast.Call]]:
    """The f-strings that make SQL text, and the `Identifier(...)` / `Sql(...)` calls that wrap something else."""
    to_check: dict[int, ast.JoinedStr] = {}
    wrapped_values: list[ast.Call] = []
    quoting = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name in QUOTING]
    trusted = {id(node) for f in quoting for node in ast.walk(f)}
    for node in ast.walk(tree):
        if id(node) in trusted:
            continue
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "execute" and node.args:
            if isinstance(node.args[0], ast.JoinedStr):
                to_check[id(node.args[0])] = node.args[0]
        elif _called(node, SAFE):
            assert isinstance(node, ast.Call)
            if not all(_code_text(arg) for arg in node.args):
                wrapped_values.append(node)
            for arg in node.args:
                to_check.update({id(n): n for n in ast.walk(arg) if isinstance(n, ast.JoinedStr)})
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if SQL_TEXT.search(text):
                to_check[id(node)] = node
    return list(to_check.values()), wrapped_values


def guarded_copy(sources: list[Path], dest: Path) -> tuple[list[str], list[str]]:
    """Copy the packages to `dest` with every SQL interpolation passed through the check. Return each wrapped
    interpolation (`file:line: {expression}`, in the order of the checks' numbers) and where `Identifier(...)` /
    `Sql(...)` wrap something that is not the code's own text."""
    wrapped: list[str] = []
    bad = []
    for package in sources:
        shutil.copytree(package, dest / package.name)
    for path in sorted(dest.rglob("*.py")):
        name = path.relative_to(dest)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        fstrings, wrapping = sql_fstrings(tree)
        bad += [f"{name}:{call.lineno}: {ast.unparse(call)}" for call in wrapping]
        helpers = []
        for node in fstrings:
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    check = f"{CHECK}{len(wrapped)}_"
                    wrapped.append(f"{name}:{node.lineno}: {{{ast.unparse(value.value)}}}")
                    value.value = ast.Call(ast.Name(check, ast.Load()), [value.value], [])
                    types = "Identifier | Sql | int" if path.name == "db.py" else "_Identifier_ | _Sql_ | int"
                    helpers += ast.parse(HELPER.format(name=check, types=types)).body
        if helpers:
            if path.name == "db.py":  # Identifier and Sql are defined here
                tree.body += helpers
            else:
                after_imports = max(i for i, s in enumerate(tree.body) if isinstance(s, ast.Import | ast.ImportFrom))
                tree.body[after_imports + 1 : after_imports + 1] = [*ast.parse(IMPORT).body, *helpers]
            path.write_text(ast.unparse(ast.fix_missing_locations(tree)), encoding="utf-8")
    return wrapped, bad


def type_errors(folder: Path, wrapped: list[str]) -> list[str]:
    """Where mypy finds an interpolation that is neither Identifier nor Sql: `file:line: {expression} is <type>`."""
    packages = sorted(p.name for p in folder.iterdir() if (p / "__init__.py").exists())
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--check-untyped-defs", "--ignore-missing-imports", "--no-incremental",
         "--cache-dir", str(folder / ".mypy_cache"), *(arg for p in packages for arg in ("-p", p))],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "error: Cannot find" not in run.stdout, run.stdout
    found = re.findall(rf'"{CHECK}(\d+)_" has incompatible type "([^"]+)"', run.stdout)
    return [f"{wrapped[int(n)]} is {type_}" for n, type_ in found]


def test_sql_text_interpolates_only_identifiers_and_the_codes_own_sql(tmp_path: Path) -> None:
    wrapped, bad = guarded_copy([ROOT / "pipelines", ROOT / "dashboard"], tmp_path)
    print(f"\n{len(wrapped)} interpolations into SQL text in pipelines/ and dashboard/, each checked by type:")
    print("\n".join(wrapped))
    assert len(wrapped) > 100
    assert bad == [], "Identifier(...) and Sql(...) may wrap only the code's own text"
    assert type_errors(tmp_path, wrapped) == [], "bind values as parameters; quote names with q()"


@pytest.mark.parametrize(
    ("line", "caught"),
    [
        ("f\"SELECT * FROM posts WHERE team = '{team}'\"", True),  # a value in the text
        ('f"SELECT * FROM {q(team)}"', False),  # a quoted identifier
        ("f\"SELECT * FROM posts WHERE {Sql(f'team = {team!r}')}\"", True),  # a value smuggled into Sql
        ("Sql(team)", True),  # Sql() around a value
        ('Sql("team = " + q(team))', False),
    ],
)
def test_the_check_sees_a_value_in_sql_text(tmp_path: Path, line: str, caught: bool) -> None:
    package = tmp_path / "src" / "pipelines"
    (package / "store").mkdir(parents=True)
    for name in ("__init__.py", "config.py", "store/__init__.py", "store/db.py"):
        shutil.copy(ROOT / "pipelines" / name, package / name)
    (package / "page.py").write_text(
        f"from pipelines.store.db import Sql, q\n\n\ndef build(team: str) -> str:\n    return {line}\n",
        encoding="utf-8",
    )
    wrapped, bad = guarded_copy([package], tmp_path / "copy")
    assert bool(bad or type_errors(tmp_path / "copy", wrapped)) is caught

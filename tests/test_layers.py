"""The import direction of the layout: cli and web on top, then queries (the read side),
services (units of work), settings, models and, at the bottom, the qa domain. Each module
imports only from its own layer or those below it, imports inside functions included; cli may
import callqa.web (create_app, to serve it), web never imports cli.

Checked on the source, not by importing it: every module of the package folders that setup.cfg
maps under `callqa` is parsed with ast."""
from __future__ import annotations

import ast
import configparser
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Top to bottom. `callqa` itself (callqa/__init__.py, callqa/__main__.py) is an entry point.
LAYERS = (
    ("callqa.cli", "callqa.web", "callqa"),
    ("callqa.queries",),
    ("callqa.services",),
    ("callqa.settings",),
    ("callqa.models",),
    ("callqa.qa",),
)
CLI_MAY_IMPORT = {"callqa.web"}  # the package, for create_app

# Known violations still to fix; test_pending_violations_are_still_there says when an entry
# is stale. (The domain branch removed the last four: qa and the migrations read no Settings.)
PENDING: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Violation:
    path: str  # relative to the repository
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}: {self.importer} imports {self.imported}, "
                "a layer above it")


def package_folders(root: Path = ROOT) -> dict[str, Path]:
    """Package name: folder, from setup.cfg's package_dir (callqa.qa: qa/, ...)."""
    config = configparser.ConfigParser()
    config.read(root / "setup.cfg")
    folders = {}
    for line in config["options"]["package_dir"].strip().splitlines():
        package, folder = (part.strip() for part in line.split("="))
        folders[package] = root / folder
    return folders


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package folders by its dotted name; a package by its __init__."""
    found: dict[str, Path] = {}
    for package, folder in package_folders(root).items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def layer(module: str) -> int | None:
    """The index in LAYERS (0: the top); None outside callqa (flask, sqlalchemy, ...)."""
    best: tuple[int, int] | None = None  # (length of the prefix matched, layer)
    for index, names in enumerate(LAYERS):
        for name in names:
            if module == name or module.startswith(name + "."):
                if best is None or len(name) > best[0]:
                    best = (len(name), index)
    return None if best is None else best[1]


def imports(source: str, module: str, is_package: bool,
            known: set[str]) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the source, at any depth. `from a import
    b` imports the module a.b if there is one, else a."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((node.lineno, submodule if submodule in known else base))
    return found


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[:len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def violations_in(source: str, module: str, path: str, is_package: bool = False,
                  known: set[str] | frozenset[str] = frozenset()) -> list[Violation]:
    """The upward imports of one module's source."""
    importer_layer = layer(module)
    found = []
    for line, imported in imports(source, module, is_package, set(known)):
        imported_layer = layer(imported)
        if imported_layer is None or importer_layer is None:
            continue
        if imported_layer < importer_layer or (
                imported_layer == importer_layer == 0 and _across_the_top(module, imported)):
            found.append(Violation(path, line, module, imported))
    return found


def _across_the_top(importer: str, imported: str) -> bool:
    """Within the top layer: web never imports cli; cli imports web's package only."""
    if _under(importer, "callqa.web") and _under(imported, "callqa.cli"):
        return True
    return (_under(importer, "callqa.cli") and _under(imported, "callqa.web")
            and imported not in CLI_MAY_IMPORT)


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def all_violations(root: Path = ROOT) -> list[Violation]:
    found_modules = modules(root)
    known = set(found_modules)
    found = []
    for name, path in found_modules.items():
        found += violations_in(path.read_text(encoding="utf-8"), name,
                               path.relative_to(root).as_posix(),
                               path.name == "__init__.py", known)
    return found


def test_no_module_imports_from_a_layer_above_it():
    unexpected = [v for v in all_violations() if (v.path, v.imported) not in PENDING]
    assert unexpected == [], "upward imports:\n" + "\n".join(map(str, unexpected))


def test_pending_violations_are_still_there():
    """An entry of PENDING that no longer occurs is fixed: remove it."""
    remaining = {(v.path, v.imported) for v in all_violations()}
    assert PENDING <= remaining, f"fixed, remove from PENDING: {sorted(PENDING - remaining)}"


def test_every_package_folder_is_read():
    found = modules()
    assert {"callqa.__main__", "callqa.cli.main", "callqa.web.dashboard_views",
            "callqa.queries.stats", "callqa.services.worker", "callqa.settings",
            "callqa.models.db", "callqa.qa.scoring", "callqa.models.migrations.env"} <= set(found)
    assert found["callqa.qa"] == ROOT / "qa" / "__init__.py"


FAKE_DOMAIN_MODULE = '''\
"""A domain module that reaches up."""
from callqa.qa.transcript import Transcript
from ..models import Call


def load():
    from callqa.web import listing
    import callqa.settings as settings
    return listing, settings
'''


def test_the_checker_names_file_line_and_both_modules():
    known = {"callqa.web.listing", "callqa.qa.transcript"}
    found = violations_in(FAKE_DOMAIN_MODULE, "callqa.qa.fake", "qa/fake.py", known=known)
    assert [str(v) for v in found] == [
        "qa/fake.py:3: callqa.qa.fake imports callqa.models, a layer above it",
        "qa/fake.py:7: callqa.qa.fake imports callqa.web.listing, a layer above it",
        "qa/fake.py:8: callqa.qa.fake imports callqa.settings, a layer above it",
    ]


def test_the_top_layer_rules():
    def check(source: str, module: str) -> list[str]:
        return [v.imported for v in violations_in(source, module, "x.py", known={
            "callqa.web.listing", "callqa.cli.main"})]

    assert check("from callqa.web import create_app", "callqa.cli.serve") == []
    assert check("from callqa.web.listing import url_with", "callqa.cli.serve") == [
        "callqa.web.listing"]
    assert check("from callqa.cli.main import cli", "callqa.web.setup") == ["callqa.cli.main"]
    assert check("from callqa.cli.main import cli", "callqa.__main__") == []
    assert check("from callqa.queries import stats", "callqa.services.worker") == [
        "callqa.queries"]
    assert check("from . import stats\nfrom .call_list import Page",
                 "callqa.queries.export") == []

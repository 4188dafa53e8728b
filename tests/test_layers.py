"""Apps that stack: a module imports only from its own layer or from the layers below it.

Every import is read from the source (imports inside functions too), so a circle between the
apps cannot come back through a late import. Migrations are left out: Django writes them.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Bottom to top. A layer may import the layers listed for it and nothing else of the project.
# "settings" is every ita_tracker module but the two at the very top: settings, database,
# converters, middleware. "top" is ita_tracker/urls.py and ita_tracker/wsgi.py.
ALLOWED = {
    "settings": {"settings"},
    "assessments": {"settings", "assessments"},
    "accounts": {"settings", "assessments", "accounts"},
    "measures": {"settings", "assessments", "accounts", "measures"},
    "people": {"settings", "assessments", "accounts", "measures", "people"},
    "oit": {"settings", "assessments", "accounts", "measures", "oit"},
    "notifications": {"settings", "assessments", "accounts", "measures", "oit", "notifications"},
    "reports": {"settings", "assessments", "accounts", "measures", "people", "oit", "notifications", "reports"},
    "dashboards": {
        "settings",
        "assessments",
        "accounts",
        "measures",
        "people",
        "notifications",
        "reports",
        "oit",
        "dashboards",
    },
    "top": {
        "settings",
        "assessments",
        "accounts",
        "measures",
        "people",
        "notifications",
        "reports",
        "oit",
        "dashboards",
        "top",
    },
}
APPS = ["assessments", "accounts", "measures", "people", "oit", "notifications", "reports", "dashboards"]
TOP_MODULES = {"ita_tracker.urls", "ita_tracker.wsgi"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name, or None for anything outside the project."""
    package = module.split(".")[0]
    if package in APPS:
        return package
    if package == "ita_tracker":
        return "top" if any(module == top or module.startswith(f"{top}.") for top in TOP_MODULES) else "settings"
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) for every import anywhere in the source, relative ones resolved.

    `from x import y` counts as x.y, so that `from ita_tracker import urls` is seen for what it is.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base) for alias in node.names]
    return found


def checked_files() -> list[Path]:
    files = []
    for package in [*APPS, "ita_tracker"]:
        files += [path for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts]
    return files


def upward_imports() -> list[tuple[str, int, str]]:
    """(file, line, module) for each import of a layer the file's layer may not import."""
    wrong = []
    for path in checked_files():
        module = module_name(path)
        own = layer_of(module)
        for line, imported in imported_modules(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            target = layer_of(imported)
            if target is not None and target not in ALLOWED[own]:
                wrong.append((str(path.relative_to(ROOT)), line, imported))
    return wrong


def test_no_module_imports_from_a_layer_above_its_own():
    wrong = upward_imports()

    assert not wrong, "Upward imports:\n" + "\n".join(f"{file}:{line} -> {name}" for file, line, name in wrong)


def test_every_app_of_the_project_has_a_layer():
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}

    # The project package is an app only to hold its commands (backup, restore): the core layer.
    assert ours == {*APPS, "ita_tracker"}


def test_the_files_read_are_the_projects():
    names = {str(path.relative_to(ROOT)) for path in checked_files()}

    assert {"assessments/models.py", "dashboards/views/dashboard.py", "ita_tracker/urls.py"} <= names
    assert not any("migrations" in name for name in names)


# --- The reading itself ---------------------------------------------------------------------------


def test_imports_inside_functions_and_relative_imports_are_read():
    source = (
        "import os\n"
        "from . import forms\n"
        "from ..models import Agency\n"
        "def late():\n"
        "    from measures.models import Unit\n"
        "    import reports.pdf\n"
    )

    assert imported_modules(source, "assessments.views.results") == [
        (1, "os"),
        (2, "assessments.views.forms"),
        (3, "assessments.models.Agency"),
        (5, "measures.models.Unit"),
        (6, "reports.pdf"),
    ]


def test_layers_of_module_names():
    assert layer_of("ita_tracker.urls") == layer_of("ita_tracker.wsgi") == "top"
    assert layer_of("ita_tracker.urls.something") == "top"
    assert layer_of("ita_tracker.settings") == layer_of("ita_tracker.converters.AGENCY_CODE") == "settings"
    assert layer_of("ita_tracker.urlsx") == "settings"
    assert layer_of("measures.models.Unit") == "measures"
    assert layer_of("django.urls") is None and layer_of("dashboardsx") is None


def test_an_upward_import_is_refused_and_a_downward_one_allowed():
    assert "measures" not in ALLOWED[layer_of("assessments.views")]
    assert "assessments" in ALLOWED[layer_of("measures.views")]
    assert "top" not in ALLOWED[layer_of("ita_tracker.converters")]
    assert not ALLOWED["settings"] & set(APPS)

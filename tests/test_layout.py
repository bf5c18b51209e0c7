"""The house keeps its rooms: read from the code's own import statements, no feature of the web
layer imports another feature, no library package imports the app, the preprocessing knows nothing
of the network, tests and benchmarks do not import each other, and no module of the library
packages grows past 400 lines."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ("drawing", "inside", "lessons", "classroom")
LIBRARY = ("nn", "training", "imaging", "preprocess", "classroom", "web")
MAX_LINES = 400


def modules(package: str) -> list:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path, root: Path = ROOT) -> set:
    """Every module name an import statement of the file names (relative imports resolved)."""
    names = set()
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def names_under(names: set, prefix: str) -> set:
    return {name for name in names if name == prefix or name.startswith(prefix + ".")}


@pytest.mark.parametrize("feature", FEATURES)
def test_a_feature_imports_no_other_feature(feature):
    for path in modules(f"web/{feature}"):
        names = imported(path)
        for other in FEATURES:
            if other != feature:
                assert not names_under(names, f"web.{other}"), f"{path.relative_to(ROOT)} imports web.{other}"


def test_shared_web_modules_import_no_feature():
    for path in sorted((ROOT / "web").glob("*.py")):
        names = imported(path)
        for feature in FEATURES:
            assert not names_under(names, f"web.{feature}"), f"{path.relative_to(ROOT)} imports web.{feature}"


@pytest.mark.parametrize("package", LIBRARY)
def test_no_library_package_imports_the_app(package):
    for path in modules(package):
        assert not names_under(imported(path), "app"), f"{path.relative_to(ROOT)} imports app"


def test_the_preprocessing_knows_nothing_of_the_network_or_flask():
    for path in modules("preprocess"):
        names = imported(path)
        for other in ("nn", "training", "web", "flask", "classroom"):
            assert not names_under(names, other), f"{path.relative_to(ROOT)} imports {other}"


def test_the_classroom_store_knows_nothing_of_flask():
    for path in modules("classroom"):
        names = imported(path)
        for other in ("flask", "web"):
            assert not names_under(names, other), f"{path.relative_to(ROOT)} imports {other}"


def test_tests_and_benchmarks_do_not_import_each_other():
    for path in modules("bench"):
        assert not names_under(imported(path), "tests"), f"{path.relative_to(ROOT)} imports tests"
    for path in modules("tests"):
        assert not names_under(imported(path), "bench"), f"{path.relative_to(ROOT)} imports bench"


@pytest.mark.parametrize("package", LIBRARY)
def test_no_library_module_is_over_400_lines(package):
    lines = {str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in modules(package)}
    long = {name: n for name, n in lines.items() if n > MAX_LINES}
    assert not long, f"split these modules: {long}"


def test_the_import_reader_sees_a_sideways_import(tmp_path):
    """The checks above would catch a feature importing another one."""
    probe = tmp_path / "web" / "inside" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from web.lessons import compute\nfrom ..drawing import page\n")
    names = imported(probe, root=tmp_path)
    assert names_under(names, "web.lessons") and names_under(names, "web.drawing")

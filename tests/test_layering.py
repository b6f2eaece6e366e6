"""The package reads as floors with imports pointing down, and no circles.

Every import of every module counts, function-level ones included: a lower
floor that imports a higher one inside a function still depends on it.
"""

import ast
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
# Lowest first. A module may import its own floor and those below it.
FLOORS = (
    ("utils",),
    ("data",),
    ("layers",),
    ("models",),
    ("attacks",),
    ("training",),
    ("evaluation",),
    ("zoo",),
    ("benchmarks", "quickstart", "cli"),
    ("<package>",),  # afd_keras/__init__.py: the public names
)
# Heavy optional evaluators: imported only inside the functions that use
# them, so that `import afd_keras` never pays for them.
LAZY = ("cleverhans", "art", "foolbox", "matplotlib")


def _module_name(path, root):
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path, module):
    """(imported module, line, at top level) for each import in a file;
    relative imports are resolved against the module's package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    here = module.split(".") if path.name == "__init__.py" else (
        module.split(".")[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[:len(here) - node.level + 1] +
                            ([node.module] if node.module else [])
                            ) if node.level else node.module
            # `from a.b import c` imports a.b.c when c is a module.
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(t, node.lineno, id(node) in top_level) for t in targets]
    return found


def _resolve(target, modules):
    """The longest prefix of `target` that is one of our modules."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def _floor(module, package):
    part = module.split(".")[1] if "." in module else "<package>"
    for level, names in enumerate(FLOORS):
        if part in names:
            return level
    raise AssertionError(f"{module} is on no floor; add it to FLOORS")


def check_layering(root):
    """Returns the violations in the package at `root`, as strings."""
    package = root.name
    files = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph, problems = {}, []
    for module, path in files.items():
        graph[module] = set()
        for target, line, top_level in _imports(path, module):
            if target.split(".")[0] in LAZY and top_level:
                problems.append(f"{module}:{line} imports {target} at top "
                                "level; import it where it is used")
            if target.split(".")[0] != package:
                continue
            imported = _resolve(target, files)
            if imported is None or imported == module:
                continue
            graph[module].add(imported)
            if _floor(imported, package) > _floor(module, package):
                problems.append(f"{module}:{line} imports {imported}, which "
                                "is on a higher floor")
    problems += [f"import cycle: {' -> '.join(cycle)}"
                 for cycle in _cycles(graph, package)]
    return problems


def _cycles(graph, package):
    """One cycle per strongly connected group of modules, ignoring the
    package's own `__init__` (the public names, imported last)."""
    cycles, state = [], {}

    def visit(module, path):
        state[module] = "open"
        for imported in sorted(graph.get(module, ())):
            if imported == package:
                continue
            if state.get(imported) == "open":
                cycles.append(path[path.index(imported):] + [imported])
            elif imported not in state:
                visit(imported, path + [imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state and module != package:
            visit(module, [module])
    return cycles


def test_afd_keras_imports_point_down_without_cycles():
    assert check_layering(REPO / "afd_keras") == []


def _plant(tmp_path, files):
    root = tmp_path / "afd_keras"
    for name, text in {"__init__.py": "", "utils/__init__.py": "",
                       "data/__init__.py": "", "zoo/__init__.py": "",
                       **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("files,expected", [
    # data reaching up to the zoo, even from inside a function.
    ({"data/loader.py": "def f():\n    from afd_keras import zoo\n"},
     "afd_keras.data.loader:2 imports afd_keras.zoo, which is on a higher floor"),
    # The same, relative.
    ({"data/loader.py": "from ..zoo import cards\n"},
     "afd_keras.data.loader:1 imports afd_keras.zoo, which is on a higher floor"),
    ({"data/__init__.py": "from .. import zoo\n"},
     "afd_keras.data:1 imports afd_keras.zoo, which is on a higher floor"),
    ({"utils/a.py": "from afd_keras.utils import b\n",
      "utils/b.py": "import afd_keras.utils.a\n"},
     "import cycle: afd_keras.utils.a -> afd_keras.utils.b -> afd_keras.utils.a"),
    ({"zoo/plot.py": "import matplotlib.pyplot as plt\n"},
     "afd_keras.zoo.plot:1 imports matplotlib.pyplot at top level"),
])
def test_the_check_catches_a_planted_violation(tmp_path, files, expected):
    problems = check_layering(_plant(tmp_path, files))
    assert any(p.startswith(expected) for p in problems), problems


def test_the_check_accepts_downward_imports(tmp_path):
    root = _plant(tmp_path, {
        "zoo/loader.py": "from afd_keras.data import reader\n"
                         "from ..utils import messages\n"
                         "def f():\n    import matplotlib\n",
        "data/reader.py": "from afd_keras.utils import messages\n",
        "utils/messages.py": "import difflib\n"})
    assert check_layering(root) == []

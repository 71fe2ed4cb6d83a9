"""Re-run mutants that mutmut cannot judge, each applied to a fresh copy of the source.

mutmut switches mutants at call time inside one warmed-up process, so a
function whose result is fixed before the tests run never shows its mutant:
code run at import (the regexes ``pdfclean.dates`` builds from its month
tables: ``_spelling_regex``, ``_names_regex``, ``_doubled``,
``_month_alternatives``, ``_era_regex``) and ``__missing__`` of the lookup
tables in ``pdfclean.script`` (filled during warm-up, never called again).
This script writes each mutant into a copy of src/ and runs the tests in a new
process, so the mutant is there from import on.

    python scripts/mutation_recheck.py [/tmp/pdfclean-mutation] NAME... [-- TESTS...]

NAME is a mutmut mutant name (``pdfclean.dates.x__names_regex__mutmut_10``);
TESTS default to tests/test_dates.py, tests/test_script.py and tests/test_mutants_*.py.
Prints ``killed`` or ``survived`` for each.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _find(tree: ast.Module, name: str, cls: str | None):
    body = tree.body
    if cls:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    return next(n for n in body if isinstance(n, ast.FunctionDef) and n.name == name)


def apply(work: Path, mutant: str, dest: Path) -> None:
    """Write src/ with ``mutant`` applied into ``dest``."""
    _, module, key = mutant.split(".", 2)
    base, _, _ = key.rpartition("__mutmut_")
    cls, plain = (base.split("ǁ")[1], base.split("ǁ")[2]) if "ǁ" in base else (None, base[2:])
    mutated_src = (work / "mutants" / "src" / "pdfclean" / f"{module}.py").read_text()
    mfunc = _find(ast.parse(mutated_src), key, cls)
    mlines = mutated_src.splitlines()[mfunc.lineno - 1:mfunc.end_lineno]
    mlines[0] = mlines[0].replace(key, plain, 1)
    src_path = dest / "pdfclean" / f"{module}.py"
    src = src_path.read_text()
    ofunc = _find(ast.parse(src), plain, cls)
    lines = src.splitlines()
    start = ofunc.lineno - 1  # the def line (decorators stay)
    lines[start:ofunc.end_lineno] = mlines
    text = "\n".join(lines) + "\n"
    compile(text, str(src_path), "exec")  # the splice itself must be sound
    src_path.write_text(text)


def main(argv: list[str]) -> None:
    tests = []
    if "--" in argv:
        i = argv.index("--")
        argv, tests = argv[:i], argv[i + 1:]
    work = Path(argv[0]) if argv and not argv[0].startswith("pdfclean.") else Path("/tmp/pdfclean-mutation")
    names = [a for a in argv if a.startswith("pdfclean.")]
    if not tests:
        tests = ["tests/test_dates.py", "tests/test_script.py"] + sorted(
            f"tests/{p.name}" for p in (ROOT / "tests").glob("test_mutants_*.py"))
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "src"
            shutil.copytree(ROOT / "src", dest, ignore=shutil.ignore_patterns("__pycache__"))
            try:
                apply(work, name, dest)
            except StopIteration:
                print(f"?        {name} (not found)")
                continue
            env = dict(os.environ, PYTHONPATH=str(dest), PYTHONDONTWRITEBYTECODE="1")
            r = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                "-p", "no:randomly", *tests], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=600)
            # exit 1: a test failed; 2: collection failed (the mutant breaks the import)
            print(f"{'killed' if r.returncode else 'survived':<9}{name}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

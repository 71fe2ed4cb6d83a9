"""Summarise a mutmut run of scripts/mutation.sh: per module, mutants killed /
surviving / untested / timed out, then every survivor as ``module:line  old → new``.

    python scripts/mutation_summary.py [/tmp/pdfclean-mutation] [--names]

Diffs come from mutmut's mutated copy (``x_<function>__mutmut_<n>`` beside
``x_<function>__mutmut_orig``); line numbers are those of src/pdfclean/<module>.py.
"""

from __future__ import annotations

import ast
import difflib
import json
import sys
from collections import Counter
from pathlib import Path

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
          -11: "segfault", -9: "segfault", None: "not checked"}
MODULES = ("script", "lines", "dates", "furniture")


def _functions(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text())
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for f in node.body:
                if isinstance(f, ast.FunctionDef):
                    out[f"{node.name}.{f.name}"] = f
        elif isinstance(node, ast.FunctionDef):
            out.setdefault(node.name, node)
    return out


def _diff(mutated: str, name: str, funcs: dict, src_funcs: dict, src_lines: list[str]) -> str:
    """``line: old → new`` for mutant ``name`` (e.g. ``x_mask__mutmut_3``)."""
    key = name.split(".", 2)[-1]  # pdfclean.script.x_fix__mutmut_3 -> x_fix__mutmut_3
    cls = None
    if "ǁ" in key:  # xǁClassǁmethod__mutmut_3
        _, cls, key = key.split("ǁ")
        key = "x" + "ǁ" + cls + "ǁ" + key
    base, _, _ = key.rpartition("__mutmut_")
    plain = base.split("ǁ")[-1] if cls else base[2:]
    orig_name, mut_name = f"{base}__mutmut_orig", key
    lookup = (lambda n: funcs.get(f"{cls}.{n}") or funcs.get(n)) if cls else funcs.get
    o, m = lookup(orig_name), lookup(mut_name)
    if o is None or m is None:
        return "?"
    lines = mutated.splitlines()
    a = lines[o.lineno:o.end_lineno]  # without the def line (it holds the mangled name)
    b = lines[m.lineno:m.end_lineno]
    src = src_funcs.get(f"{cls}.{plain}" if cls else plain)
    first = src.lineno if src is not None else 0
    # the source function may carry decorators the copy lacks: align on the def line
    if src is not None:
        for i in range(src.lineno - 1, src.end_lineno):
            if src_lines[i].lstrip().startswith(("def ", "async def ")):
                first = i + 1
                break
    old, new, where = [], [], None
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        where = where or first + 1 + i1
        old += [s.strip() for s in a[i1:i2]]
        new += [s.strip() for s in b[j1:j2]]
    return f"{where}: {' / '.join(old)}  →  {' / '.join(new)}"


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    work = Path(args[0]) if args else Path("/tmp/pdfclean-mutation")
    names_only = "--names" in argv
    survivors: list[tuple[str, str]] = []
    print(f"{'module':<10} {'total':>6} {'killed':>7} {'survived':>9} {'no tests':>9} {'timeout':>8} "
          f"{'unchecked':>10}")
    for mod in MODULES:
        meta = work / "mutants" / "src" / "pdfclean" / f"{mod}.py.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        c = Counter(STATUS.get(v, "suspicious") for v in codes.values())
        print(f"{mod:<10} {len(codes):>6} {c['killed']:>7} {c['survived']:>9} {c['no tests']:>9} "
              f"{c['timeout']:>8} {c['not checked']:>10}")
        mutated_path = work / "mutants" / "src" / "pdfclean" / f"{mod}.py"
        src_path = work / "src" / "pdfclean" / f"{mod}.py"
        mutated = mutated_path.read_text()
        funcs = _functions(mutated_path)
        src_funcs = _functions(src_path)
        src_lines = src_path.read_text().splitlines()
        for k in sorted(codes, key=lambda k: (k.rpartition("__mutmut_")[0], int(k.rpartition("_")[2]))):
            status = STATUS.get(codes[k], "suspicious")
            if status in ("survived", "no tests"):
                survivors.append((k, f"{mod}:{_diff(mutated, k, funcs, src_funcs, src_lines)}"
                                     f"{'  [no tests]' if status == 'no tests' else ''}"))
    print(f"\n{len(survivors)} surviving or untested mutants")
    for name, d in survivors:
        print(name if names_only else f"  {d}   ({name.split('.')[-1]})")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Gates: every quality and bound assertion's limit, beside the figure measured.

The table is ``tests/gates.json``; ``benchmarks/measure_gates.py`` measures
every figure again and, with ``--write``, rewrites the table. A gate is a
ratchet: it moves only when a change improves a figure, in the commit that
does. The rule that sets a bound from a measured figure (:func:`bound_for`):

* an error, a time or a size (``"max"`` gates: the figure must stay at or
  under the bound): at most twice the measured figure, with a small absolute
  floor for figures near zero (``floor``: 0.05 % of CER, 1 s of CPU);
* a rate of hits (``"min"`` gates, ``hits/total``): at most twice the measured
  misses, and one miss when none is measured — a rate measured at 100 % has
  its bound one block under it.

>>> bound_for("max", 0.0002, floor=0.0005)
0.0005
>>> bound_for("max", 0.025)
0.05
>>> bound_for("min", 48, total=48)    # 100 %: one miss allowed
0.979167
>>> bound_for("min", 58, total=64)    # 6 misses: 12 allowed
0.8125
"""

from __future__ import annotations

import json
import math
from pathlib import Path

PATH = Path(__file__).resolve().parent / "gates.json"
REMEASURE = "run benchmarks/measure_gates.py --write"

_CACHE: dict | None = None


def load(path: Path = PATH) -> dict:
    """The whole table (read once per process)."""
    global _CACHE
    if path != PATH:
        return json.loads(path.read_text(encoding="utf-8"))
    if _CACHE is None:
        _CACHE = json.loads(PATH.read_text(encoding="utf-8"))
    return _CACHE


def bound_for(kind: str, measured: float, total: int | None = None, floor: float = 0.0) -> float:
    """The loosest bound the rule allows for a figure measured as ``measured``
    (a ``"min"`` gate: ``measured`` hits out of ``total``)."""
    if kind == "max":
        return round(max(2 * measured, floor), 6)
    if kind == "min":
        assert total, "a rate needs its total"
        misses = total - measured
        allowed = max(2 * misses, 1)
        return round(max(0.0, (total - allowed) / total), 6)
    raise ValueError(f"unknown gate kind {kind!r}")


Name = "str | tuple[str, ...]"


def entry(name: Name, table: dict | None = None) -> dict | None:
    """The gate ``name`` — a dotted path (``ocr.iraq-water-cop29-reportlab-scan.cer``)
    or a tuple of keys (``("hostile", "HTML named .pdf", "peak_mb")``) — or None."""
    node = table if table is not None else load()
    for part in _split(name):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) and "bound" in node else None


def _split(name: Name) -> list[str]:
    return list(name) if isinstance(name, (tuple, list)) else name.split(".")


def check(name: Name, measured: float, table: dict | None = None) -> None:
    """Assert that ``measured`` is within the gate ``name``, with a clear message."""
    e = entry(name, table)
    name = ".".join(_split(name))
    assert e is not None, f"no gate {name!r} in tests/gates.json: {REMEASURE}"
    kind, bound, before = e.get("kind", "max"), e["bound"], e.get("measured")
    unit = e.get("unit", "")
    if kind == "max":
        ok = measured <= bound + 1e-12
        side = "above"
    else:
        ok = measured >= bound - 1e-12
        side = "below"
    assert ok, (f"gate {name}: measured {_fmt(measured, unit)} is {side} the bound {_fmt(bound, unit)} "
                f"(gates.json: {_fmt(before, unit)} when last measured) — a regression; if the change "
                f"is meant to trade this figure away, say so and {REMEASURE}")


def _fmt(v, unit: str) -> str:
    if v is None:
        return "?"
    if unit == "%":
        return f"{100 * v:.3f} %"
    if isinstance(v, float) and not math.isnan(v):
        return f"{v:.4g}{(' ' + unit) if unit else ''}"
    return f"{v}{(' ' + unit) if unit else ''}"


def gate(kind: str, measured: float, *, total: int | None = None, floor: float = 0.0,
         unit: str = "") -> dict:
    """A table entry for a figure just measured (what ``measure_gates.py`` writes)."""
    e = {"kind": kind, "bound": bound_for(kind, measured, total, floor)}
    if kind == "min":
        e["measured"] = round(measured / total, 6)
        e["hits"], e["total"] = measured, total
    else:
        e["measured"] = round(measured, 6)
    if unit:
        e["unit"] = unit
    return e

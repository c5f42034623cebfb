"""Figures, how a benchmark module hands them to the runner, and the one table."""

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

MARKER = "BENCH-FIGURES "
_STARTED = time.monotonic()


@dataclass
class Figure:
    """One row of the table. `passed` is None for figures without a target."""

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    baseline: float | None = None
    ratio: float | None = None
    note: str = ""

    @property
    def is_finite(self) -> bool:
        return isinstance(self.value, int | float) and math.isfinite(self.value)


def at_most(value: float, limit: float) -> bool:
    return value <= limit


def speedup(ours_ms: float, stock_ms: float | None) -> float | None:
    """Return how many times faster ours is than stock (time figures)."""
    if not stock_ms or not ours_ms:
        return None
    return stock_ms / ours_ms


def module_main(run: Callable[..., list[Figure]]) -> None:
    """Command line of one benchmark module: run it, print its figures (and JSON with --json)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, for the smoke run")
    parser.add_argument("--json", action="store_true", help="print a line the runner parses")
    args = parser.parse_args()
    figures = run(quick=args.quick)
    if args.json:
        print(MARKER + json.dumps([asdict(f) for f in figures]), flush=True)
    else:
        print(table(figures))


def parse_figures(stdout: str) -> list[Figure]:
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            return [Figure(**row) for row in json.loads(line[len(MARKER) :])]
    return []


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if not unit and float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def _verdict(figure: Figure) -> str:
    if figure.passed is None:
        return ""
    return "PASS" if figure.passed else "FAIL"


def table(figures: list[Figure], *, markdown: bool = False) -> str:
    """Return the table: figure, value, baseline, ratio, target, PASS/FAIL."""
    header = ("figure", "value", "baseline", "ratio", "target", "result")
    rows = [
        (
            f.name,
            _number(f.value, f.unit),
            _number(f.baseline, f.unit) if f.baseline is not None else "—",
            f"{f.ratio:.1f}×" if f.ratio is not None else "—",
            f.target or "—",
            _verdict(f),
        )
        for f in figures
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)


def say(message: str) -> None:
    """Progress goes to stderr so stdout stays the figures, with seconds since the start."""
    print(f"[{time.monotonic() - _STARTED:5.1f} s] {message}", file=sys.stderr, flush=True)

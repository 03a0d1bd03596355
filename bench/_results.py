"""The figures of one `make bench` run, each beside the baseline measured in the same run.

Benchmark modules call `record()` once per figure; `python -m bench` prints the whole table at
the end and writes it to bench/results.json. Machines here are noisy, so the figure that means
something is the ratio to a baseline taken minutes apart on the same machine, not the raw time.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"
LIBRARIES = ("websockets", "flask", "sqlalchemy", "icalendar", "gunicorn", "psycopg", "redis")


@dataclass
class Figure:
    """One measured figure. `better` says which way is good ("lower" for times, "higher" for rates)."""

    group: str
    name: str
    value: float
    unit: str
    better: str = "lower"
    baseline: float | None = None
    baseline_name: str = ""
    #: Targets; each one given must hold. Ratios are value / baseline.
    max_ratio: float | None = None
    min_ratio: float | None = None
    max_value: float | None = None
    min_value: float | None = None
    note: str = ""
    ratio: float | None = field(init=False, default=None)
    met: bool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.baseline:
            self.ratio = self.value / self.baseline
        checks = []
        if self.ratio is not None and self.max_ratio is not None:
            checks.append(self.ratio <= self.max_ratio)
        if self.ratio is not None and self.min_ratio is not None:
            checks.append(self.ratio >= self.min_ratio)
        if self.max_value is not None:
            checks.append(self.value <= self.max_value)
        if self.min_value is not None:
            checks.append(self.value >= self.min_value)
        self.met = all(checks) if checks else None

    def target(self) -> str:
        """The targets in words, e.g. "≤ 2.0x, ≤ 50 ms"."""
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}x")
        if self.min_ratio is not None:
            parts.append(f"≥ {self.min_ratio:g}x")
        if self.max_value is not None:
            parts.append(f"≤ {fmt(self.max_value)} {self.unit}")
        if self.min_value is not None:
            parts.append(f"≥ {fmt(self.min_value)} {self.unit}")
        return ", ".join(parts)


FIGURES: list[Figure] = []


def fmt(value: float) -> str:
    """A number short enough for a table: 12,345 / 123 / 12.3 / 1.23 / 0.123."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def record(group: str, name: str, value: float, unit: str, **kwargs) -> Figure:
    """Keep one figure (see Figure for the keywords) and print it at once, so a long run shows progress."""
    figure = Figure(group, name, float(value), unit, **kwargs)
    FIGURES.append(figure)
    print("  " + _line(figure), flush=True)
    return figure


def _line(f: Figure) -> str:
    base = f"{fmt(f.baseline)} {f.unit} ({f.baseline_name})" if f.baseline is not None else "-"
    ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
    verdict = {True: "met", False: "MISSED", None: ""}[f.met]
    target = f"target {f.target()} {verdict}" if f.target() else ""
    return f"{f.name}: {fmt(f.value)} {f.unit} | baseline {base} | ratio {ratio} | {target}".rstrip(" |")


def table() -> str:
    """Every figure of the run as a Markdown table (the same table docs/performance.md shows)."""
    rows = ["| group | figure | value | baseline (same run) | ratio | target | |",
            "|---|---|---|---|---|---|---|"]
    for f in FIGURES:
        base = f"{fmt(f.baseline)} {f.unit} ({f.baseline_name})" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        verdict = {True: "met", False: "**missed**", None: ""}[f.met]
        rows.append(f"| {f.group} | {f.name} | {fmt(f.value)} {f.unit} | {base} | {ratio} | {f.target()} | {verdict} |")
    return "\n".join(rows)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=RESULTS.parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> dict:
    """What the figures were measured on."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": _commit(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "libraries": versions}


def write(path: Path = RESULTS, benchmarks: list[str] | None = None) -> None:
    """bench/results.json: the machine, the benchmarks run and every figure."""
    body = {"machine": machine(), "benchmarks": benchmarks or [], "figures": [asdict(f) for f in FIGURES]}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

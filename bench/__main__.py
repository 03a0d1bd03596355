"""Run every benchmark module, or only those named: `python -m bench [name ...]`.

Prints each figure as it is measured, then the whole table, and writes bench/results.json.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench
from bench import _results


def main(names: list[str]) -> int:
    available = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    chosen = names or available
    started = time.perf_counter()
    for name in chosen:
        print(f"== bench.{name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    print(f"\n== all figures ({time.perf_counter() - started:.0f} s)\n")
    print(_results.table())
    _results.write(benchmarks=chosen)
    print(f"\nwritten to {_results.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmarks, each against a baseline measured in the same run (`make bench` = `python -m bench`).

Every module here that does not start with "_" is a benchmark with a `main()` that prints
its own results. These are measurements to read, not timed tests: nothing fails on a slow machine.
"""

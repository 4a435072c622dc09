"""The benchmarks here run on demand (``python3 tests/perf/bench_duban.py``), never in the test run."""

collect_ignore_glob = ["bench_*.py", "synth.py"]

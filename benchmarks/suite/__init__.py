"""The benchmark suite behind ``benchmarks/run.py`` (one module per job; see ``benchmarks/README.md``)."""

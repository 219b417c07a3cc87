"""Modules of the labeling-loop benchmark; benchmarks/loop.py is the entry point."""

"""Benchmarks of the platform's pages (see bench/pages.py)."""

"""Helpers shared by the test suites and the benchmark: tokens, databases, servers, keys.

Imported, never copied; and never imported from a conftest.py or another test module.
"""

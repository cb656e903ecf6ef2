"""Helpers shared by test modules and benchmarks; conftests hold only fixtures.

Nothing here is collected by pytest (no ``test_*`` names), and nothing here imports a test
module or a conftest: tests and benchmarks import from here, never from each other.
"""

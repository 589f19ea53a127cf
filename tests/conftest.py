"""Fixtures live in plugins under tests/fixtures, one concern per module."""

pytest_plugins = ("tests.fixtures.db", "tests.fixtures.server", "tests.fixtures.kafka")

"""Fixtures live in plugins under tests/fixtures, one concern per module."""

import os

from hypothesis import Phase, settings

pytest_plugins = ("tests.fixtures.db", "tests.fixtures.server", "tests.fixtures.kafka")

# Under mutmut (which names the mutant in MUTANT_UNDER_TEST), a failing
# example only has to kill the mutant: shrinking it to the smallest one is
# minutes of work per mutant that nobody reads.
if "MUTANT_UNDER_TEST" in os.environ:
    settings.register_profile("mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("mutation")

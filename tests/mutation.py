"""``make mutation``: mutmut over every module of ``domain/``, then a table.

mutmut 3 (configured in ``pyproject.toml``, ``[tool.mutmut]``) mutates the
domain's functions and runs the fast tests (unit and property: no PostgreSQL)
against each mutant. This prints, per module, how many mutants the tests
killed, and as its last line ``mutation score: NN%`` over everything. The
goal (docs/testing.md): at least 85% per module, 90% over the domain.

Run it after ``make install``; a first run takes minutes, later runs retest
only the functions that changed (mutmut keeps its state in ``mutants/``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")
# "    domain.live.characters.xǁCharacterǁmove_to__mutmut_3: survived"
RESULT = re.compile(r"^\s*(?P<name>domain\.[\w.ǁ]+__mutmut_\d+): (?P<status>[\w ]+)$")
KILLED = {"killed", "timeout", "segfault"}  # a mutant that hangs or crashes the tests is caught too
NOT_COUNTED = {"skipped", "not checked"}
PER_MODULE_GOAL, OVERALL_GOAL = 85.0, 90.0


def module_of(mutant: str) -> str:
    """``domain.live.characters.xǁCharacterǁmove_to__mutmut_3`` -> ``domain/live/characters.py``."""
    parts = mutant.split(".")
    for index, part in enumerate(parts):
        if part.startswith(("x_", "xǁ")):
            return "/".join(parts[:index]) + ".py"
    return "/".join(parts[:-1]) + ".py"


def tally(results: str) -> dict[str, Counter[str]]:
    modules: dict[str, Counter[str]] = defaultdict(Counter)
    for line in results.splitlines():
        match = RESULT.match(line)
        if match:
            modules[module_of(match["name"])][match["status"].strip()] += 1
    return modules


def score(counts: Counter[str]) -> tuple[int, int]:
    """(killed, counted): what the tests caught, of the mutants that ran."""
    counted = sum(n for status, n in counts.items() if status not in NOT_COUNTED)
    return sum(counts[s] for s in KILLED), counted


def main() -> int:
    children = os.environ.get("MUTMUT_CHILDREN", str(os.cpu_count() or 2))
    subprocess.run([str(MUTMUT), "run", "--max-children", children], cwd=ROOT, check=False)
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    modules = tally(results)
    table = Table("module", "mutants", "killed", "survived", "no tests", "score")
    total_killed = total_counted = 0
    below = []
    for module in sorted(modules):
        counts = modules[module]
        killed, counted = score(counts)
        total_killed += killed
        total_counted += counted
        percent = 100.0 * killed / counted if counted else 100.0
        if percent < PER_MODULE_GOAL:
            below.append(module)
        table.add_row(
            module,
            str(counted),
            str(killed),
            str(counts["survived"]),
            str(counts["no tests"]),
            f"[{'green' if percent >= PER_MODULE_GOAL else 'red'}]{percent:.1f}%[/]",
        )
    console = Console()
    console.print(table)
    if below:
        console.print(
            f"below {PER_MODULE_GOAL:.0f}%: {', '.join(below)} (`.venv/bin/mutmut browse` shows the survivors)"
        )
    overall = 100.0 * total_killed / total_counted if total_counted else 0.0
    print(f"mutation score: {overall:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""AI Hero Tycoon (seed 003): heroes who live, decide and act while their
player is offline (docs/tycoon.md).

- ``worlds``: a player's worlds (generated ``world_data``, a game clock,
  world events) and each world's one ``Guild``.
- ``personality``: the seven traits, and the backstory and motivation written from them.
- ``heroes``: a hero's life (``advance``: actions completed, next ones
  decided), the master's influence, orders and quests answered.
- ``decisions``: the utility model behind every choice (pure, seeded).
- ``bonds``: one aggregate per pair of heroes, every type of bond.
- ``quests``: quests posted and assigned, finished when their heroes return.
- ``use_cases``: each command one write; ``turns``: ``HERO_TURN``, the heroes' timer.
"""

from domain.kernel.context import DomainContext
from domain.tycoon.bonds import HeroBond
from domain.tycoon.clock import GameClock
from domain.tycoon.heroes import Hero
from domain.tycoon.quests import Quest
from domain.tycoon.turns import HERO_TURN, policies
from domain.tycoon.use_cases import TycoonUseCases
from domain.tycoon.worlds import Guild, TycoonWorld

CONTEXT = DomainContext(
    name="tycoon",
    aggregates=(TycoonWorld, Guild, Hero, HeroBond, Quest),
    use_cases=TycoonUseCases,
    # A hero decides every few game hours for as long as the world runs.
    snapshot_intervals={Hero: 50, HeroBond: 100, Guild: 100},
    policies=policies,
    timers={HERO_TURN: TycoonUseCases.hero_turn},
    ai_turns=frozenset({HERO_TURN}),
)

__all__ = ["CONTEXT", "GameClock", "Guild", "Hero", "HeroBond", "Quest", "TycoonUseCases", "TycoonWorld"]

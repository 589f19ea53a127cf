"""The storytellers' built-in policies: agents that answer stories and people.
Each is a pure function of what it sees (``agents.Trigger``) and the dice
seeded by the agent and the trigger, so the same trigger decides the same.

- ``story_weaver``, when a character first reaches an ending of a story (a
  branch with no children): a sequel storyline ("Aftermath", "Echoes",
  "Legacy"), open to characters who ended it with the same story flags,
  unless the chain is long enough (``max_chain``, 2) or the scores say rest.
- ``character_master``, when a relationship turns hostile: a quest for the
  two to mend it together (a party of two building), unless it mediated
  between them lately (its memory of the pair, for a week) or the scores say
  let it be.
"""

from __future__ import annotations

from uuid import uuid5

from domain.adventure.agents import Agent
from domain.adventure.decisions import Decision, PostQuest, PostStory, Trigger, reasoned, scored

AFTERWORDS = ("Aftermath", "Echoes", "Legacy")
HOSTILE_KINDS = frozenset({"quarrel", "insult", "attack", "betray"})


class StoryWeaver:
    agent_type = "story_weaver"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        story, character, path = trigger.subject
        depth = int(story.metadata.get("sequel_depth", 0))
        longest = min(int(agent.configuration.get("max_chain", 2)), len(AFTERWORDS))
        ending = story.branches[path[-1]]
        flags = {k: v for k, v in ending["consequences"].get("flags", {}).items() if v is not None}
        noise = trigger.rng(agent.id).uniform(-0.05, 0.05)
        scores = {
            "sequel": round(0.55 + 0.05 * min(len(path), 6) - 0.1 * depth + noise, 3),
            "rest": round(0.35 + 0.1 * depth, 3),
        }
        chosen = scored(scores) if depth < longest else "rest"
        if chosen == "rest":
            return None
        base = story.metadata.get("saga", story.title)
        title = f"{base[:100]}: {AFTERWORDS[depth]}"
        ids = [str(uuid5(agent.id, f"{trigger.key}/branch/{n}")) for n in range(3)]
        marker = f"sequel.{story.id.hex[:12]}"
        branches = [
            {
                "branch_id": ids[0],
                "branch_name": f"After {ending['name']}"[:128],
                "content": f"Word of how {story.title} ended spreads through the world.",
                "conditions": {"flags": dict(list(flags.items())[:8])} if flags else {},
                "consequences": {"flags": {marker: "begun"}},
                "branch_order": 0,
            },
            {
                "branch_id": ids[1],
                "parent_branch_id": ids[0],
                "branch_name": "Seek out what remains",
                "content": "Old roads, new trouble.",
                "conditions": {"level": min(100, character.level + 1)},
                "consequences": {"experience": 100 * (depth + 1), "flags": {marker: "sought"}},
                "branch_order": 0,
            },
            {
                "branch_id": ids[2],
                "parent_branch_id": ids[0],
                "branch_name": "Let it rest",
                "content": "Some stories are better left finished.",
                "conditions": {},
                "consequences": {"flags": {marker: "rested"}},
                "branch_order": 1,
            },
        ]
        return Decision(
            evolution_type="story_sequel",
            change=PostStory(
                title=title,
                description=f"After {story.title}, as {character.name} ended it.",
                story_type="side" if story.story_type == "seasonal" else story.story_type,
                metadata={"sequel_of": str(story.id), "sequel_depth": depth + 1, "saga": base[:100]},
                branches=branches,
            ),
            reasoning=reasoned(
                f"{character.name} reached an ending of {story.title!r} ({ending['name']!r}): "
                "a sequel opens for those who ended it so",
                {"path_length": len(path), "sequel_depth": depth, "max_chain": longest, "flags": flags},
                scores,
                chosen,
            ),
            remember={"last_sequel_of": str(story.id), "sequel_depth": depth + 1},
        )


class CharacterMaster:
    agent_type = "character_master"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        relationship, first, second = trigger.subject
        hostile_acts = sum(1 for h in relationship.history if h["kind"] in HOSTILE_KINDS)
        again = trigger.memory.get("mediated") is True  # its memory of this pair
        noise = trigger.rng(agent.id).uniform(-0.05, 0.05)
        scores = {
            "mediate": round(0.45 + 0.05 * min(hostile_acts, 6) + noise, 3),
            "let_be": round(0.4 + (0.5 if again else 0.0), 3),
        }
        chosen = scored(scores)
        if chosen == "let_be":
            return None
        level = min(100, max(first.level, second.level))
        return Decision(
            evolution_type="reconciliation",
            change=PostQuest(
                title=f"Mend the rift: {first.name} and {second.name}"[:128],
                description=f"{first.name} and {second.name} have fallen out. Building something together may help.",
                quest_type="party",
                requirements={},
                rewards={"experience": min(100_000, 50 + 10 * level), "flags": {"peacemaker": True}},
                difficulty_level=max(1, level),
                objectives=[
                    {"objective_text": "Build something together", "requirements": {"kind": "build", "count": 8}}
                ],
                party_max=2,
            ),
            reasoning=reasoned(
                f"{first.name} and {second.name} turned hostile ({relationship.value}) after "
                f"{hostile_acts} hostile act(s): a task for two may mend it",
                {"value": relationship.value, "hostile_acts": hostile_acts, "mediated_before": again},
                scores,
                chosen,
            ),
            remember={"mediated": True, "value": relationship.value},
        )

"""AI agents' turns through the ``lorekeeper-ai`` consumer group on a real
Apache Kafka broker: quests completed set the quest generator's turns, the
timer worker hands them to Kafka, and members of the group take them. An
agent acts exactly once per trigger although Kafka redelivers a batch (a
member that died after its writes, before its offset commit) and members are
killed with SIGKILL mid-stream: every completed quest gets one evolution
entry and one sequel, none lost and none twice (each named by the agent
and the trigger)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.adventure import AdventureUseCases
from domain.adventure.evolution import evolution_id
from domain.adventure.quests import quest_made_by
from domain.kernel.errors import NotFound
from infra.fanout.ai import AiConsumer
from infra.fanout.kafka_consumer import KafkaConsumerLoop
from tests.integration.kafka_helpers import wait_until
from tests.integration.test_ai_turns import Crash, _crashed, members_killed

LOGS = [{"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 1}}]


def a_world(container) -> tuple[AdventureUseCases, UUID, UUID]:
    game = container.use(AdventureUseCases)
    world = game.create_world(f"Eldoria {uuid4().hex[:6]}", "standard", 3, {"characters_per_player": 100}, {})
    agent = game.agents.register(f"Quill {uuid4().hex[:6]}", "quest_generator", {"worlds": [str(world.aggregate.id)]})
    return game, world.aggregate.id, agent.aggregate.id


def complete_quests(game: AdventureUseCases, world: UUID, count: int) -> list[UUID]:
    """``count`` quests, each completed by a character of its own (the runs' ends set the agent's turns)."""
    player, quests = uuid4(), []
    for n in range(count):
        quest = game.quests.create_quest(world, f"Timber {uuid4().hex[:4]}", "", "side", {}, {}, 1, LOGS).aggregate.id
        character = game.create_character(player, world, f"Hero {n}", "artisan", {}, (8, 70, 8)).aggregate.id
        game.quests.begin(player, character, quest)
        game.give_items(character, "material", "log", 1, None, "gather")
        game.quests.advance(character, datetime.now(UTC))
        quests.append(quest)
    return quests


def answered_once_each(container, agent: UUID, quests: list[UUID]) -> bool:
    """Every quest has its entry (none lost), named by the agent and the quest,
    and the one sequel named by that entry (so none made twice)."""
    game = container.use(AdventureUseCases)
    for quest in quests:
        try:
            entry = game.agents.entry(evolution_id(agent, f"quest:{quest}"))
        except NotFound:
            return False
        sequel = game.quests.quest(quest_made_by(entry.id))
        assert entry.changes_made["quest_id"] == str(sequel.id) and sequel.origin == entry.id
    return True


class DiesBeforeCommitting(AiConsumer):
    def handle(self, conn, messages):
        super().handle(conn, messages)
        self.batch = [UUID(m.json()["subject"]) for m in messages]
        raise Crash


def test_an_agents_turn_kafka_redelivers_changes_the_world_once(kafka_container, kafka):
    game, world, agent = a_world(kafka_container)
    quests = complete_quests(game, world, 6)
    kafka_container.follower.run_once()  # the runs' ends set the agent's turns
    assert kafka_container.timer_worker.fire_due(datetime.now(UTC)) >= len(quests)
    consumer = kafka_container.consumers["ai"]
    dying = DiesBeforeCommitting(consumer.turns)
    first = KafkaConsumerLoop(dying, kafka_container.pool, kafka.bootstrap_servers, client_id="first")
    try:
        wait_until(lambda: _crashed(first), 60, 0, "the first member to take a batch and die")
    finally:
        first.close()  # no offset commit: Kafka redelivers the batch
    assert dying.taken == len(dying.batch) > 0
    second = KafkaConsumerLoop(consumer, kafka_container.pool, kafka.bootstrap_servers, client_id="second")
    try:
        wait_until(lambda: second.poll_once() == 0 and answered_once_each(kafka_container, agent, quests), 60, 0.2)
    finally:
        second.close()
    for quest in quests:
        entry = game.agents.entry(evolution_id(agent, f"quest:{quest}"))
        assert game.quests.quest(UUID(entry.changes_made["quest_id"])).origin == entry.id


def test_members_killed_mid_stream_lose_no_agent_turn_and_repeat_none(kafka_container, kafka):
    game, world, agent = a_world(kafka_container)
    quests: list[UUID] = []

    def more_quests() -> None:  # triggers keep coming while members die
        quests.extend(complete_quests(game, world, 3))

    with members_killed(kafka_container, kafka, seed=7, seconds=16, pause=(1.5, 3), each_round=more_quests) as killed:
        wait_until(lambda: answered_once_each(kafka_container, agent, quests), 90, 0.5, "every quest answered")
    assert killed.kills >= 4 and len(quests) >= 12

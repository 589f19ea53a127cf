"""Runs every benchmark (`make bench`) and prints Markdown for docs/performance.md."""

from __future__ import annotations

from bench import (
    adventure_agents,
    adventure_chunks,
    adventure_stories,
    echoes_market,
    history,
    http_commands,
    kafka_relay,
    projection_catchup,
    tycoon_heroes,
    tycoon_turns,
    ws_actions,
)


def main() -> None:
    http_commands.main()
    print()
    projection_catchup.main()
    print()
    kafka_relay.main()
    print()
    ws_actions.main()
    print()
    history.main()
    print()
    echoes_market.main()
    print()
    adventure_chunks.main()
    print()
    adventure_stories.main()
    print()
    adventure_agents.main()
    print()
    adventure_agents.main(kafka=True)
    print()
    tycoon_heroes.main()
    print()
    tycoon_turns.main()
    print()
    tycoon_turns.main(kafka=True)


if __name__ == "__main__":
    main()

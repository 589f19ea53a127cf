"""Runs every benchmark (`make bench`) and prints Markdown for docs/performance.md."""

from __future__ import annotations

from bench import echoes_market, history, http_commands, kafka_relay, projection_catchup, ws_actions


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


if __name__ == "__main__":
    main()

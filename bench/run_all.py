"""Runs every benchmark (`make bench`) and prints Markdown for docs/performance.md."""

from __future__ import annotations

from bench import http_commands, kafka_relay, projection_catchup


def main() -> None:
    http_commands.main()
    print()
    projection_catchup.main()
    print()
    kafka_relay.main()


if __name__ == "__main__":
    main()

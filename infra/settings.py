"""Configuration, read once from the environment (``LOREKEEPER_*``, plus the
conventional ``DATABASE_URL`` and ``KAFKA_BOOTSTRAP_SERVERS``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOREKEEPER_", extra="ignore")

    data_dir: Path = Field(Path("var"), description="Embedded PostgreSQL data, secrets.")
    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABASE_URL", "LOREKEEPER_DATABASE_URL"),
        description="External PostgreSQL; unset means the embedded server.",
    )
    kafka_bootstrap_servers: str | None = Field(
        None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "LOREKEEPER_KAFKA_BOOTSTRAP_SERVERS"),
    )
    kafka_partitions: int = Field(3, description="Partitions of each topic the relay creates.")
    relay_batch_size: int = 1000
    host: str = "127.0.0.1"
    port: int = 8000

    jwt_secret: str | None = Field(None, description="HS256 signing key; unset means one generated into data_dir.")
    master_key: str | None = Field(
        None, description="Wraps every player's data key; unset means one generated into data_dir."
    )
    key_cache_seconds: float = Field(30.0, description="How long a process caches a player's data key.")
    access_token_ttl_seconds: int = Field(900, description="Access tokens are short-lived; refresh tokens renew them.")
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    login_free_failures: int = Field(
        5, ge=0, description="Failed logins of one login from one address before each try waits (1 s, doubling)."
    )
    login_max_delay_seconds: float = Field(900, gt=0, description="The longest wait for one login from one address.")
    login_account_free_failures: int = Field(
        50, ge=0, description="Failed logins of one login from any address before each try waits."
    )
    login_account_max_delay_seconds: float = Field(
        60, gt=0, description="The longest wait for one login from any address (what a stranger can impose)."
    )
    rate_limit: str = Field(
        "30/second;600/minute", description="Commands per player (limits notation); empty disables."
    )
    address_rate_limit: str = Field(
        "10/second;200/minute", description="Sign-ups, logins and refreshes per client address; empty disables."
    )
    action_rate_limit: str = Field(
        "30/second;1200/minute", description="Live-session actions per player (limits notation); empty disables."
    )
    storage_budget: str = Field(
        "2000000/minute;20000000/hour",
        description="Bytes a player may send in commands and actions (limits notation, in bytes); empty disables.",
    )

    header_timeout_seconds: float = Field(
        10.0, gt=0, description="A client must send a request's headers within this many seconds (slowloris)."
    )
    api_threads: int = Field(40, description="Threads serving blocking routes.")
    gc_freeze: bool = Field(
        True,
        description="Freeze start-up objects, and the survivors of each full collection, out of the collector's "
        "walks in every long-running process (API, projector, relay, consumers): infra/heap.py.",
    )
    max_body_bytes: int = 256 * 1024
    max_save_slots_per_player: int = 5
    echoes_starting_grant: int = Field(500_000_000, ge=0, description="A new pilot's wallet, in minor units.")
    echoes_broker_fee_bps: int = Field(300, ge=0, le=10_000, description="Broker fee on placement, basis points.")
    echoes_sales_tax_bps: int = Field(800, ge=0, le=10_000, description="Sales tax on each sale, basis points.")
    echoes_reprice_fee_bps: int = Field(100, ge=0, le=10_000, description="Fee on a price change, basis points.")
    snapshot_intervals: dict[str, int] = Field(
        default_factory=dict,
        description='Overrides of the intervals the contexts declare, by aggregate type, e.g. {"SaveSlot": 20}; '
        "0 turns snapshots of that type off. An unknown type name stops start-up.",
    )
    aggregate_cache_size: int = 10_000

    db_pool_size: int = 10
    db_connect_timeout_seconds: int = 5
    db_lock_timeout_seconds: int = 5

    projection_batch_size: int = 5000
    projection_poll_seconds: float = 0.5
    projection_coalesce_seconds: float = Field(
        0.01, description="Least time between projection rounds: trades read lag for throughput."
    )
    timer_poll_seconds: float = Field(
        0.05, gt=0, description="How often due timers (AI turns, reconnect windows) are looked for: their lateness."
    )
    cache_follow_seconds: float = Field(
        0.1,
        gt=0,
        description="Least time between rounds of following the log for the aggregate cache: how far another "
        "process's write may be ahead of this process's reads of a cached aggregate (decisions catch up first).",
    )
    turn_threads: int = Field(
        32,
        ge=1,
        le=64,
        description="Timers (and AI turns) a process fires side by side: their commits are shared. A turn mostly "
        "waits (its reads, its commit), so more than cores: heroes' turns at 600/s, p99 2.6 s with 8, 99 ms with 32.",
    )
    read_wait_max_seconds: float = 5.0
    read_wait_max_waiters: int = Field(
        16, ge=1, description="Reads that may wait for min_position at once (each holds an API thread)."
    )
    health_stuck_seconds: float = Field(30.0, description="A reader whose batches fail this long makes /health 503.")
    health_max_lag: int = Field(50_000, description="A reader more events than this behind the head makes /health 503.")
    health_dead_letter_seconds: float = Field(
        900.0, description="A dead letter seen within this many seconds makes /health 503."
    )
    health_timer_late_seconds: float = Field(
        60.0, description="A due timer (an AI's turn, a session's end) waiting longer than this makes /health 503."
    )
    protocol_version: str = Field("1", description="The live-session protocol this build speaks; others are refused.")
    session_idle_seconds: float = Field(30.0, description="A connected session silent this long is terminated.")
    reconnect_window_seconds: int = Field(120, description="How long a reconnect token stays valid.")
    replay_max_actions: int = Field(500, description="Longer deltas are answered with a snapshot.")
    action_retention_days: float = Field(30.0, description="action_events rows older than this are archived.")
    fault_crash_before_ack_seq: int | None = Field(
        None, description="Test-only failpoint: exit after persisting this action sequence number, before its ack."
    )
    fault_crash_before_answer: bool = Field(
        False, description="Test-only failpoint: exit after an idempotent command, before its answer commits."
    )
    fault_export_pause_seconds: float = Field(
        0.0, description="Test-only failpoint: pause between an export chunk's files and its manifest."
    )
    run_projections: bool = Field(True, description="serve also runs the projection runner.")
    projector_process: bool = Field(
        True, description="serve runs the projector (and relay) as child processes, not threads of the API."
    )
    timer_process: bool = Field(
        True,
        description="serve fires due timers (AI turns among them) in a child process of their own "
        "(`lorekeeper timers`), not the projector's: turns and projections do not share one GIL.",
    )

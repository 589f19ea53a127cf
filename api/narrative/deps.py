"""What the narrative routes use, wired by the composition root."""

from __future__ import annotations

from typing import Annotated

from api.deps import wired
from domain.accounts import AccountUseCases
from domain.narrative import NarrativeUseCases
from infra.content_store import ContentBlobs
from infra.crypto import KeyStore
from infra.fanout.feed import TelemetrySink

Narrative = Annotated[NarrativeUseCases, wired(NarrativeUseCases)]
Accounts = Annotated[AccountUseCases, wired(AccountUseCases)]
Blobs = Annotated[ContentBlobs, wired(ContentBlobs)]
Keys = Annotated[KeyStore, wired(KeyStore)]
Telemetry = Annotated[TelemetrySink, wired(TelemetrySink)]

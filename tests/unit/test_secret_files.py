"""Generated secrets are private from their first byte and agreed on by racing processes."""

from __future__ import annotations

import multiprocessing
import stat

from infra.secret_files import secret
from infra.settings import Settings


def _read(data_dir: str, queue) -> None:
    queue.put(secret(Settings(data_dir=data_dir), None, "jwt-secret"))


def test_a_generated_secret_is_0600_and_stable(tmp_path):
    settings = Settings(data_dir=str(tmp_path))
    first = secret(settings, None, "jwt-secret")
    assert stat.S_IMODE((tmp_path / "jwt-secret").stat().st_mode) == 0o600
    assert secret(settings, None, "jwt-secret") == first
    assert secret(settings, "configured", "jwt-secret") == "configured"
    assert [p.name for p in tmp_path.iterdir()] == ["jwt-secret"], "no staging file is left behind"


def test_processes_starting_together_on_a_fresh_data_dir_agree_on_one_secret(tmp_path):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_read, args=(str(tmp_path), queue)) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert len({queue.get(timeout=5) for _ in workers}) == 1

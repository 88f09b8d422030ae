"""The app's kernel manager (helpers.app_server): which kernels count as unclaimed.

The browser tests (tests/browser/test_app.py) run it in a real server; these check its rule on
each kernel state without one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from helpers.app_server import AppKernelManager


def _manager_with(state: str, idle_seconds: float) -> AppKernelManager:
    manager = AppKernelManager(unclaimed_timeout=10)
    kernel = SimpleNamespace(execution_state=state,
                             last_activity=datetime.now(UTC) - timedelta(seconds=idle_seconds))
    manager._kernels["k"] = kernel
    return manager


def test_an_idle_kernel_no_page_connected_to_is_unclaimed_after_the_timeout() -> None:
    assert _manager_with("idle", 11).unclaimed("k")
    assert not _manager_with("idle", 9).unclaimed("k")


@pytest.mark.parametrize("state", ["starting", "busy"])
def test_a_starting_or_busy_kernel_is_never_unclaimed(state: str) -> None:
    """A kernel still starting (slow imports on a loaded machine) or running the notebook has not
    sent its page yet, however long ago its last message was."""
    assert not _manager_with(state, 3600).unclaimed("k")


def test_a_kernel_a_page_connected_to_is_claimed_for_good() -> None:
    manager = _manager_with("idle", 3600)
    manager._claimed.add("k")
    assert not manager.unclaimed("k")

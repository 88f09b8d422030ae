"""The classroom app's kernel managers: a terminal that stays quiet and no kernel left waiting
for a page that never comes.

Run by: ``make app`` (Voilà serving ``08_translation_playground``, through
``--VoilaConfiguration.multi_kernel_manager_class=helpers.app_server.AppKernelManager``). Server
plumbing, not a concept the course teaches: no notebook writes this module out.

Voilà starts a kernel (about 0.8 GB) for every ``GET`` of the page and runs the notebook in it
while it sends the page. Two things went wrong with Jupyter's own managers (issue 22):

- **A closed tab printed an error.** When a page closes, it asks the server to stop its kernel;
  Jupyter first interrupts the kernel (SIGINT) and then asks it to shut down, so a kernel that
  was busy at that moment (a translation running as the tab closed) logged
  ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` in the teacher's terminal.
  :class:`QuietShutdownKernelManager` asks a kernel to shut down without interrupting it first;
  one that does not stop within Jupyter's ``shutdown_wait_time`` is still killed.
- **A page nobody opened kept its kernel for minutes.** A health check (``curl /``) or a page
  closed before its scripts ran never connects to its kernel, which lived until the idle cull
  (``APP_CULL_IDLE``, five minutes). :class:`AppKernelManager` stops a kernel that no page has
  connected to once it has been idle ``unclaimed_timeout`` seconds (checked every
  ``cull_interval``). Only an idle kernel counts: one still starting or busy running the notebook
  has not sent its page yet, and a page connects within seconds of arriving. A health check
  that starts nothing: ``GET /voila/templates/s2s-playground/static/health.txt``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jupyter_client.ioloop import AsyncIOLoopKernelManager
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from traitlets import Float, default


class QuietShutdownKernelManager(AsyncIOLoopKernelManager):
    """A kernel that is shut down without being interrupted first (see the module's text)."""

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:  # set by shutdown_kernel before it interrupts
            return
        await super()._async_interrupt_kernel()


class AppKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, with quiet shutdowns and unclaimed kernels stopped."""

    unclaimed_timeout = Float(
        30.0, config=True,
        help="Seconds a kernel that no page has connected to may stay idle before it is stopped "
             "(a health check, a page closed before it connected).")

    @default("kernel_manager_class")
    def _default_kernel_manager_class(self) -> str:
        return f"{__name__}.QuietShutdownKernelManager"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._claimed: set[str] = set()

    def notify_connect(self, kernel_id: str) -> None:
        """A page connected to the kernel: it is claimed for good."""
        self._claimed.add(kernel_id)
        super().notify_connect(kernel_id)

    def remove_kernel(self, kernel_id: str) -> Any:
        """Forget the kernel (and that it was claimed) once it has stopped."""
        self._claimed.discard(kernel_id)
        return super().remove_kernel(kernel_id)

    def unclaimed(self, kernel_id: str) -> bool:
        """Whether no page ever connected to the kernel and it has been idle
        ``unclaimed_timeout`` seconds."""
        kernel = self._kernels[kernel_id]
        # only an idle kernel: one still "starting" (importing, on a loaded machine) or "busy"
        # (running the notebook) has not yet sent its page
        if kernel_id in self._claimed or getattr(kernel, "execution_state", None) != "idle":
            return False
        last = getattr(kernel, "last_activity", None)
        idle = datetime.now(UTC) - last if last is not None else timedelta(0)
        return idle > timedelta(seconds=self.unclaimed_timeout)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Stop the kernel if it is unclaimed (:meth:`unclaimed`); otherwise Jupyter's idle cull."""
        if kernel_id in self._kernels and self.unclaimed(kernel_id):
            self.log.info("Stopping kernel %s: no page connected to it within %g s",
                          kernel_id, self.unclaimed_timeout)
            await ensure_async(self.shutdown_kernel(kernel_id))
            return
        await super().cull_kernel_if_idle(kernel_id)

"""The watcher: polls CloudFormation and has the Lambda stand-in hook every relay stack that
reaches a *_COMPLETE state (and unhook the ones that are gone)."""

from __future__ import annotations

import logging
import threading

from lambda_service import LambdaService

log = logging.getLogger("sandbox.lambda")


class Watcher:
    def __init__(self, service: LambdaService, interval: float = 0.5):
        self.service = service
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="watcher", daemon=True)

    def start(self) -> "Watcher":
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                self.service.scan()
            except Exception as e:  # noqa: BLE001 - moto busy or stopping
                log.debug("watcher: %s", e)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(5)

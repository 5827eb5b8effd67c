"""Counts the MongoDB commands this test process sends (PyMongo command monitoring), to show
that work does not grow with the number of rows, nodes or subscribers."""

from collections.abc import Iterator
from contextlib import contextmanager

from pymongo import monitoring


class CommandCounter(monitoring.CommandListener):
    """Counts the commands this process sends while `counting` is on."""

    def __init__(self) -> None:
        self.on = False
        self.commands: list[tuple[str, object]] = []  # (command, collection or other target)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on:
            name = event.command_name
            self.commands.append((name, event.command.get(name)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @contextmanager
    def counting(self) -> Iterator[list[tuple[str, object]]]:
        self.commands = []
        self.on = True
        try:
            yield self.commands
        finally:
            self.on = False


# Registered at import, before the test session connects: clients made later report to it.
COUNTER = CommandCounter()
monitoring.register(COUNTER)

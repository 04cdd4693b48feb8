"""A log handler for tests that must see each record of one logger."""

from __future__ import annotations

import logging


class Collect(logging.Handler):
    """The records of one logger, whatever filters the root's handlers carry (the CLI's
    storm filter, installed by earlier tests, drops a message seen 5 times a minute)."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.logger = logging.getLogger(name)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(record.getMessage() for record in self.records)

    def __enter__(self) -> Collect:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self)

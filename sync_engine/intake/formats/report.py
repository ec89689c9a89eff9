"""Assembling an ImportResult: one rule for duplicate ids and one cap on errors, for every format.

Within one file a repeated id is an error on the later record, not a silent overwrite: the two
records may differ, and only the person who exported the file knows which one is right. Across
files nothing is checked here; ids are stable, so callers dedupe on them.
"""
from __future__ import annotations

from sync_engine.intake.formats.fields import RecordCheck
from sync_engine.intake.formats.model import Conversation, Format, ImportResult, InputError

MAX_REPORTED = 1_000


class ResultBuilder:
    def __init__(self, fmt: Format) -> None:
        self._result = ImportResult(format=fmt)
        self._first_seen: dict[str, str] = {}
        self._unreported = 0
        self._rejected: set[str] = set()  # locations of records with an error: a record may have several

    def add(self, conversation: Conversation, location: str) -> bool:
        """Keep the conversation unless an earlier record has its id; say which."""
        first = self._first_seen.get(conversation.id)
        if first is not None:
            self.error(location, "id", f"duplicate id {conversation.id!r}: {first} has it already; "
                                       "this record is skipped")
            return False
        self._first_seen[conversation.id] = location
        self._result.conversations.append(conversation)
        return True

    def error(self, location: str, field: str | None, message: str) -> None:
        self._rejected.add(location)
        if len(self._result.errors) >= MAX_REPORTED:
            self._unreported += 1
            return
        self._result.errors.append(InputError(location, field or None, message))

    def warn(self, location: str, field: str | None, message: str) -> None:
        if len(self._result.warnings) < MAX_REPORTED:
            self._result.warnings.append(InputError(location, field or None, message))

    def record(self, check: RecordCheck, location: str, conversation: Conversation | None) -> None:
        """Add a record that passed its checks (with its warnings), or its problems if it did not."""
        if check.ok and conversation is not None:
            if self.add(conversation, location):
                for field, message in check.warnings:
                    self.warn(location, field, message)
            return
        for field, message in check.problems:
            self.error(location, field, message)

    def file_error(self, message: str) -> ImportResult:
        """The input is not this format at all: one error, nothing imported."""
        self._result.conversations.clear()
        self._result.errors[:] = [InputError("file", None, message)]
        self._result.rejected = 0
        return self._result

    def result(self) -> ImportResult:
        self._result.rejected = len(self._rejected)
        if self._unreported:
            self._result.errors.append(InputError("file", None, f"{self._unreported:,} more errors not shown"))
            self._unreported = 0
        return self._result

"""The keys one import has seen: the line where each external id and email first appeared.

A million-row file must keep them all, so they are held as hashes in flat arrays (open
addressing, 12 bytes a slot) rather than as a dict of int objects. Two texts with one hash count
as the same key; a 64-bit hash makes that practically impossible.
"""

from array import array
from dataclasses import dataclass, field

from app.services.customers.rows import CustomerRow, Problem


class LineTable:
    """hash -> line (1 to 2**31 - 1); linear probing over two arrays, doubled when half full."""

    __slots__ = ("hashes", "lines", "mask", "used")

    def __init__(self, size: int = 1 << 10):
        self.hashes, self.lines = array("q", bytes(8 * size)), array("i", bytes(4 * size))  # line 0: empty
        self.mask, self.used = size - 1, 0

    def get(self, key: int) -> int | None:
        hashes, lines, mask = self.hashes, self.lines, self.mask
        slot = key & mask
        while line := lines[slot]:
            if hashes[slot] == key:
                return line
            slot = (slot + 1) & mask
        return None

    def put(self, key: int, line: int) -> None:
        """Remember `line` for `key`, or keep the earlier line if the key is known."""
        hashes, lines, mask = self.hashes, self.lines, self.mask
        slot = key & mask
        while found := lines[slot]:
            if hashes[slot] == key:
                lines[slot] = min(found, line)
                return
            slot = (slot + 1) & mask
        hashes[slot], lines[slot] = key, line
        self.used += 1
        if self.used * 2 > mask:
            self._grow()

    def _grow(self) -> None:
        hashes, lines = self.hashes, self.lines
        self.__init__(2 * len(lines))
        for key, line in zip(hashes, lines):
            if line:
                self.put(key, line)


@dataclass
class Keys:
    """The lines where each external id and email first appeared in this import (by hash)."""

    ext: LineTable = field(default_factory=LineTable)
    email: LineTable = field(default_factory=LineTable)

    def first(self, row: CustomerRow, line: int) -> Problem | None:
        """A duplicate of an earlier row: the problem; otherwise remember this row's keys."""
        ext, email = row.external_id, row.email
        ext_key = None if ext is None else hash(ext)
        email_key = None if email is None else hash(email)
        if ext_key is not None and (earlier := self.ext.get(ext_key)):
            return Problem(f"duplicate of line {earlier}: the same external_id {ext}", "external_id")
        if email_key is not None and (earlier := self.email.get(email_key)):
            return Problem(f"duplicate of line {earlier}: the same email {email}", "email")
        if ext_key is not None:
            self.ext.put(ext_key, line)
        if email_key is not None:
            self.email.put(email_key, line)
        return None

    def _stored(self, stored: dict):
        return (("external_id", stored["external_id"], self.ext), ("email", stored["email"], self.email))

    def claimed(self, stored: dict, line: int) -> Problem | None:
        """The problem if an earlier row already matched the record a row matched (by its other key)."""
        for name, value, seen in self._stored(stored):
            if value is not None and (earlier := seen.get(hash(value))) and earlier < line:
                return Problem(f"duplicate of line {earlier}: the same customer record ({name} {value})",
                               name)
        return None

    def claim(self, stored: dict, line: int) -> None:
        for _, value, seen in self._stored(stored):
            if value is not None:
                seen.put(hash(value), line)

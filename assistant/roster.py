"""The HR roster import: a CSV of people (name, email, role, department, cohort) made into users.

All or nothing: every row is checked first and one bad row means nothing is written. Users are keyed
by their lower-cased e-mail; a new e-mail creates a user (with a personal token), a known one gets its
name, role, department and cohort updated when they differ, and nothing else about anyone changes, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.db.models import ROLES, User
from assistant.text import clean_text

COLUMNS = ("name", "email", "role", "department", "cohort")
REQUIRED_COLUMNS = ("name", "email", "role")
MAX_CHARS = {"name": 200, "email": 320, "department": 100, "cohort": 100}
UPDATABLE = ("name", "role", "department", "cohort")

# A dot-atom local part and a domain of DNS labels with an alphabetic (or punycode) top-level label:
# what mail systems deliver to, without the quoted and IP-literal forms no HR system exports.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?P<domain>(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}}))"
)


class RosterFileError(ValueError):
    """The file cannot be read as a CSV roster at all (missing, unreadable, not UTF-8, broken quoting)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: its line (the header is line 1), the column (None for the whole
    row) and why."""

    line: int
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Person:
    """A valid row, cleaned: e-mail and role lower-cased, empty department or cohort as None."""

    line: int
    name: str
    email: str
    role: str
    department: str | None
    cohort: str | None


@dataclass
class Roster:
    """A parsed file: its valid people, every problem found, and the columns it has (a department or
    cohort column that is absent leaves that field of existing users alone)."""

    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    rows: int = 0

    @property
    def managed_fields(self) -> tuple[str, ...]:
        return tuple(name for name in UPDATABLE if name in self.columns)


@dataclass(frozen=True)
class Change:
    """What the import does to one person: ``create``, or ``update`` with each changed field's old and
    new value."""

    line: int
    email: str
    action: Literal["create", "update"]
    fields: dict[str, tuple[str | None, str | None]]

    def __str__(self) -> str:
        if self.action == "create":
            return f"line {self.line}: create {self.email} ({self.fields['role'][1]})"
        described = ", ".join(
            f"{name} {old or '(none)'!r} -> {new or '(none)'!r}" for name, (old, new) in self.fields.items()
        )
        return f"line {self.line}: update {self.email}: {described}"


@dataclass
class Outcome:
    """The import's result; ``tokens`` holds (email, token) for each user created, in file order."""

    changes: list[Change]
    unchanged: int
    tokens: list[tuple[str, str]] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for change in self.changes if change.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for change in self.changes if change.action == "update")

    def as_contract(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "errors": []}


def read_roster(path: Path) -> Roster:
    """Parse and check the file at ``path``; RosterFileError when it is not a readable UTF-8 CSV file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_roster(data, name=str(path))


def parse_roster(data: bytes, *, name: str = "the file") -> Roster:
    """Check every row of a CSV roster (UTF-8, optional BOM, ``,`` or ``;`` as the header shows)."""
    text = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _records(reader, name)
    header = next(records, None)
    if header is None:
        raise RosterFileError(f"{name} is empty: expected a header row {','.join(COLUMNS)}")
    header_line, header_cells = header
    columns, problems = _check_header(header_line, header_cells)
    roster = Roster(problems=problems, columns=tuple(column for column in columns if column))
    if problems:
        return roster
    first_seen: dict[str, int] = {}
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        roster.rows += 1
        person, row_problems = _check_row(line, columns, cells, first_seen)
        roster.problems.extend(row_problems)
        if person is not None:
            roster.people.append(person)
    return roster


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterFileError(f"{name} is not UTF-8 text (line {line}); save it as CSV UTF-8") from None
    if "\x00" in text:
        raise RosterFileError(f"{name} is not a CSV text file (it holds binary data)")
    return text


def _records(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted value may span lines); blank lines skipped."""
    end = 0
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RosterFileError(f"{name} is not valid CSV at line {start}: {exc}") from None
        end = reader.line_num
        if cells:
            yield start, cells


def _check_header(line: int, cells: list[str]) -> tuple[list[str], list[Problem]]:
    columns = [cell.strip().lower() for cell in cells]
    problems = []
    expected = f"expected {', '.join(COLUMNS)}"
    for position, column in enumerate(columns, 1):
        if not column:
            problems.append(Problem(line, f"column {position}", f"the header names no column here; {expected}"))
        elif column not in COLUMNS:
            problems.append(Problem(line, cells[position - 1].strip(), f"unknown column; {expected}"))
        elif columns.index(column) != position - 1:
            problems.append(Problem(line, column, "the column appears twice in the header"))
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(Problem(line, column, "required column is missing from the header"))
    return columns, problems


def _check_row(
    line: int, columns: list[str], cells: list[str], first_seen: dict[str, int]
) -> tuple[Person | None, list[Problem]]:
    problems: list[Problem] = []
    extra = cells[len(columns) :]
    if any(cell.strip() for cell in extra):
        problems.append(
            Problem(
                line, None, f"{len(cells)} values but the header has {len(columns)} columns (quote values with a comma)"
            )
        )
    values = {column: clean_text(cell) for column, cell in zip(columns, cells, strict=False)}
    for column in COLUMNS:
        value = values.get(column, "")
        if column in REQUIRED_COLUMNS and not value:
            problems.append(Problem(line, column, "required, but empty"))
        elif len(value) > MAX_CHARS.get(column, len(value)):
            problems.append(Problem(line, column, f"longer than {MAX_CHARS[column]} characters ({len(value)})"))
        elif "\n" in value or "\t" in value:
            problems.append(Problem(line, column, "holds a line break or tab"))
    email = values.get("email", "").lower()
    email_ok = bool(email) and len(email) <= MAX_CHARS["email"] and "\n" not in email and "\t" not in email
    if email_ok:
        match = _EMAIL.fullmatch(email)
        if match is None or len(match["local"]) > 64 or len(match["domain"]) > 255:
            problems.append(Problem(line, "email", f"not a well-formed e-mail address: {_shown(email)}"))
        elif email in first_seen:
            problems.append(Problem(line, "email", f"{email} appears again (first on line {first_seen[email]})"))
        else:
            first_seen[email] = line
    role = values.get("role", "").lower()
    if role and role not in ROLES:
        problems.append(Problem(line, "role", f"unknown role {_shown(role)}; choose one of {', '.join(ROLES)}"))
    if problems:
        return None, problems
    person = Person(
        line=line,
        name=values["name"],
        email=email,
        role=role,
        department=values.get("department") or None,
        cohort=values.get("cohort") or None,
    )
    return person, []


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def plan_import(db: Session, roster: Roster) -> Outcome:
    """What importing ``roster`` would change, read in ``db`` (nothing is written)."""
    return _plan(roster, _users_by_email(db))


def import_roster(db: Session, roster: Roster) -> Outcome:
    """Create and update the roster's users in ``db``; the caller's transaction makes it all or nothing.

    New users' tokens are returned in the outcome, never stored (only their hashes are).
    """
    users = _users_by_email(db)
    outcome = _plan(roster, users)
    people = {person.email: person for person in roster.people}
    for change in outcome.changes:
        person = people[change.email]
        if change.action == "create":
            user, token = crud.create_user(db, name=person.name, role=person.role, cohort=person.cohort)
            user.email = person.email
            user.department = person.department
            outcome.tokens.append((person.email, token))
        else:
            for name, (_, new) in change.fields.items():
                setattr(users[change.email], name, new)
    db.flush()
    return outcome


def _users_by_email(db: Session) -> dict[str, User]:
    return {user.email.lower(): user for user in db.scalars(select(User).where(User.email.is_not(None))) if user.email}


def _plan(roster: Roster, users: dict[str, User]) -> Outcome:
    if roster.problems:
        raise ValueError("a roster with problems is never imported")
    changes: list[Change] = []
    unchanged = 0
    for person in roster.people:
        user = users.get(person.email)
        if user is None:
            created: dict[str, tuple[str | None, str | None]] = {
                name: (None, getattr(person, name)) for name in UPDATABLE
            }
            changes.append(Change(person.line, person.email, "create", created))
            continue
        differ = {
            name: (getattr(user, name), getattr(person, name))
            for name in roster.managed_fields
            if getattr(user, name) != getattr(person, name)
        }
        if differ:
            changes.append(Change(person.line, person.email, "update", differ))
        else:
            unchanged += 1
    return Outcome(changes=changes, unchanged=unchanged)


@contextmanager
def private_new_file(path: Path) -> Iterator[TextIO]:
    """A new file only its owner can read (mode 0600), for writing; FileExistsError if ``path`` exists
    (a symlink too), and the file is removed again when the block fails."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            yield handle
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_tokens(handle: TextIO, tokens: list[tuple[str, str]]) -> None:
    """The new users' tokens as CSV (email,token), flushed to disk before the import commits."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["email", "token"])
    writer.writerows(tokens)
    handle.flush()
    os.fsync(handle.fileno())

"""``tandem users import``: the HR roster import, all or nothing, on SQLite and (with TEST_DATABASE_URL)
PostgreSQL. The command runs in this process through Typer's CliRunner on the real ``tandem`` app."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from assistant.cli import app
from assistant.config import get_settings
from assistant.db import crud
from assistant.db.engine import make_db_factory, make_engine, prepare_schema, transaction
from assistant.db.models import User
from assistant.roster import Problem, import_roster, parse_roster, plan_import

HEADER = ["name", "email", "role", "department", "cohort"]
ROLES_CYCLE = ["mentee", "Mentor", "mentee", "HR", "mentee", "admin"]


def people(count: int) -> list[list[str]]:
    """``count`` valid rows; some e-mails in capitals and some departments and cohorts empty."""
    rows = []
    for i in range(count):
        email = f"Person{i:03d}@Example.org" if i % 7 == 0 else f"person{i:03d}@example.org"
        department = "" if i % 5 == 0 else f"Dept {i % 9}"
        cohort = "" if i % 4 == 0 else f"spring-{2027 + i % 2}"
        rows.append([f"Person {i:03d} Example", email, ROLES_CYCLE[i % len(ROLES_CYCLE)], department, cohort])
    return rows


def line_of(index: int) -> int:
    """The file line of row ``index`` (the header is line 1)."""
    return index + 2


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def snapshot(factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """Every column of every user that an import could touch, or should never touch."""
    with factory() as db:
        return [
            (
                u.id,
                u.name,
                u.email,
                u.role,
                u.department,
                u.cohort,
                u.token_hash,
                u.active,
                u.oidc_subject,
                u.nudges_off,
            )
            for u in db.scalars(select(User).order_by(User.id))
        ]


@pytest.fixture
def factory(own_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(own_database_url)
    prepare_schema(engine)
    yield make_db_factory(engine)
    engine.dispose()


@pytest.fixture
def cli_factory(
    factory: sessionmaker[Session], own_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    """``factory``'s database, which ``tandem`` commands in this process use too."""
    monkeypatch.setenv("DATABASE_URL", own_database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    get_settings.cache_clear()
    yield factory
    get_settings.cache_clear()


def tandem_import(*args: str) -> Result:
    return CliRunner().invoke(app, ["users", "import", *args])


def run_import(factory: sessionmaker[Session], path: Path) -> tuple[int, int, int]:
    roster = parse_roster(path.read_bytes())
    assert roster.problems == []
    with transaction(factory) as db:
        outcome = import_roster(db, roster)
    return outcome.created, outcome.updated, outcome.unchanged


def test_three_bad_rows_in_200_reject_the_whole_file_and_name_exactly_those(
    cli_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(cli_factory) as db:
        existing, _ = crud.create_user(db, name="Old Name", role="mentee")
        existing.email = "person010@example.org"
    rows = people(200)
    rows[41][1] = "person041.example.org"
    rows[99][2] = "boss"
    rows[150][1] = "PERSON003@example.org"
    path = write_csv(tmp_path / "people.csv", rows)
    before = snapshot(cli_factory)

    result = tandem_import(str(path), "--json")

    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {"line": 43, "column": "email", "reason": "not a well-formed e-mail address: 'person041.example.org'"},
            {"line": 101, "column": "role", "reason": "unknown role 'boss'; choose one of mentee, mentor, hr, admin"},
            {"line": 152, "column": "email", "reason": "person003@example.org appears again (first on line 5)"},
        ],
    }
    assert snapshot(cli_factory) == before, "nothing was written, not even the 197 good rows"

    text = tandem_import(str(path))
    assert text.exit_code == 1
    assert text.stderr.splitlines() == [
        f"error: {path} line 43, email: not a well-formed e-mail address: 'person041.example.org'",
        f"error: {path} line 101, role: unknown role 'boss'; choose one of mentee, mentor, hr, admin",
        f"error: {path} line 152, email: person003@example.org appears again (first on line 5)",
    ]
    assert text.stdout.strip() == "nothing imported: 3 problems in 200 rows; fix the file and run it again"
    assert snapshot(cli_factory) == before


def test_the_fixed_file_imports_200_then_a_rerun_changes_nothing_and_one_edit_updates_one(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = people(200)
    path = write_csv(tmp_path / "people.csv", rows)

    assert run_import(factory, path) == (200, 0, 0)
    imported = snapshot(factory)
    assert len(imported) == 200
    by_email = {row[2]: row for row in imported}
    assert set(by_email) == {f"person{i:03d}@example.org" for i in range(200)}, "e-mails stored lower-cased"
    person_7 = by_email["person007@example.org"]
    assert person_7[1:6] == ("Person 007 Example", "person007@example.org", "mentor", "Dept 7", "spring-2028")
    assert by_email["person000@example.org"][4:6] == (None, None), "empty department and cohort are None"

    assert run_import(factory, path) == (0, 0, 200)
    assert snapshot(factory) == imported, "re-running the same file changes nothing"

    rows[7][2] = "mentee"
    rows[7][4] = ""
    write_csv(path, rows)
    with factory() as db:
        planned = plan_import(db, parse_roster(path.read_bytes()))
    assert [(c.line, c.email, c.action, c.fields) for c in planned.changes] == [
        (9, "person007@example.org", "update", {"role": ("mentor", "mentee"), "cohort": ("spring-2028", None)})
    ]
    assert snapshot(factory) == imported, "planning writes nothing"
    assert run_import(factory, path) == (0, 1, 199)
    changed = [(old, new) for old, new in zip(imported, snapshot(factory), strict=True) if old != new]
    assert changed == [(person_7, (*person_7[:3], "mentee", "Dept 7", None, *person_7[6:]))]


def test_an_update_touches_only_the_roster_fields_and_an_absent_column_not_at_all(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(factory) as db:
        user, token = crud.create_user(db, name="Dana Fox", role="mentee", cohort="autumn")
        user.email = "Dana.Fox@Example.org"
        user.department = "Finance"
        user.oidc_subject = "idp|123"
        user.nudges_off = ["goal_due"]
        user.active = False
    before = snapshot(factory)
    path = write_csv(tmp_path / "people.csv", [["Dana Fox-Lee", "dana.fox@example.org", "mentor"]], HEADER[:3])

    assert run_import(factory, path) == (0, 1, 0)

    (after,) = snapshot(factory)
    assert after == (*before[0][:1], "Dana Fox-Lee", "Dana.Fox@Example.org", "mentor", *before[0][4:])
    assert after[6] == crud.hash_token(token), "the token is kept"


def test_tokens_out_is_private_works_as_a_bearer_token_and_is_never_printed(
    cli_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "people.csv", people(3))
    tokens_out = tmp_path / "tokens.csv"

    result = tandem_import(str(path), "--tokens-out", str(tokens_out))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(tokens_out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(tokens_out.read_text(encoding="utf-8"))))
    assert [row["email"] for row in rows] == ["person000@example.org", "person001@example.org", "person002@example.org"]
    with cli_factory() as db:
        for row in rows:
            user = crud.user_by_token(db, token=row["token"])
            assert user is not None and user.email == row["email"]
            assert row["token"] not in result.output
    assert result.stdout.strip() == (
        f"3 created, 0 updated, 0 unchanged; the new users' tokens are in {tokens_out} (readable only by you): "
        "give each person their own, then delete the file"
    )

    written = tokens_out.read_bytes()
    again = tandem_import(
        str(write_csv(tmp_path / "more.csv", [["Eve New", "eve@example.org", "mentee"]], HEADER[:3])),
        "--tokens-out",
        str(tokens_out),
    )
    assert again.exit_code == 2
    assert (
        again.stderr.strip()
        == f"error: {tokens_out} exists already; tokens are never written over a file, choose a new name"
    )
    assert tokens_out.read_bytes() == written
    assert len(snapshot(cli_factory)) == 3, "refused before anything was imported"


def test_without_tokens_out_the_summary_says_how_new_users_sign_in(
    cli_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "people.csv", people(2))
    first = tandem_import(str(path))
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(
        "2 created, 0 updated, 0 unchanged; no token was shown and single sign-on is not set up (OIDC_ISSUER)"
    )
    assert "tdm_" not in first.output

    monkeypatch.setenv("OIDC_ISSUER", "https://login.example.org")
    monkeypatch.setenv("OIDC_CLIENT_ID", "tandem")
    get_settings.cache_clear()
    more = tandem_import(str(write_csv(tmp_path / "more.csv", people(3))))
    assert more.exit_code == 0, more.output
    assert more.stdout.strip() == (
        "1 created, 0 updated, 2 unchanged; new users sign in with single sign-on under their e-mail address "
        "(no token was shown)"
    )

    unused = tmp_path / "unused.csv"
    rerun = tandem_import(str(path), "--tokens-out", str(unused), "--json")
    assert rerun.exit_code == 0, rerun.output
    assert json.loads(rerun.stdout) == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}
    assert not unused.exists(), "no tokens file is left behind when nobody was created"


def test_dry_run_reports_what_would_change_and_writes_nothing(
    cli_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = people(3)
    path = write_csv(tmp_path / "people.csv", rows)
    assert tandem_import(str(path)).exit_code == 0
    rows[1][0] = "Renamed Person"
    rows.append(["New Person", "new@example.org", "mentor", "", ""])
    write_csv(path, rows)
    before = snapshot(cli_factory)

    result = tandem_import(str(path), "--dry-run", "--tokens-out", str(tmp_path / "tokens.csv"))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "line 3: update person001@example.org: name 'Person 001 Example' -> 'Renamed Person'",
        "line 5: create new@example.org (mentor)",
        "dry run: 1 to create, 1 to update, 2 unchanged; nothing was written",
    ]
    assert snapshot(cli_factory) == before
    assert not (tmp_path / "tokens.csv").exists()


def test_help_lists_the_options() -> None:
    result = tandem_import("--help")
    assert result.exit_code == 0
    for option in ("--dry-run", "--tokens-out", "--json"):
        assert option in result.stdout


def test_one_bad_row_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [["", "a@example.org", "mentee", "", ""], *people(2)])
    result = tandem_import(str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {path} line 2, name: required, but empty"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read {path}: No such file or directory"),
        ("name,email,role\nJosé,jose@example.org,mentee\n".encode("latin-1"), "{path} is not UTF-8 text (line 2)"),
        (b"PK\x03\x04\x00\x00binary", "{path} is not a CSV text file (it holds binary data)"),
        (b'name,email,role\n"Ana,ana@example.org,mentee\n', "{path} is not valid CSV at line 2"),
        (b"", "{path} is empty: expected a header row name,email,role,department,cohort"),
        (b"\n\n", "{path} is empty"),
    ],
)
def test_a_file_that_is_not_a_readable_csv_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "people.csv"
    if content is not None:
        path.write_bytes(content)
    result = tandem_import(str(path), "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: " + message.format(path=path))


def test_a_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = tandem_import(str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: cannot read {tmp_path}: Is a directory"]


def test_header_names_any_case_with_spaces_a_bom_and_semicolons() -> None:
    data = "\ufeff Name ;EMAIL; Role ;Cohort\n Ana Lima ; Ana@Example.ORG ;MENTOR; spring \nBo;bo@example.org;hr;\n"
    roster = parse_roster(data.encode("utf-8"))
    assert roster.problems == []
    assert roster.columns == ("name", "email", "role", "cohort")
    assert [(p.line, p.name, p.email, p.role, p.department, p.cohort) for p in roster.people] == [
        (2, "Ana Lima", "ana@example.org", "mentor", None, "spring"),
        (3, "Bo", "bo@example.org", "hr", None, None),
    ]


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        (
            "name,email,phone,role",
            [Problem(1, "phone", "unknown column; expected name, email, role, department, cohort")],
        ),
        ("name,role,cohort", [Problem(1, "email", "required column is missing from the header")]),
        ("name,email,role,Email", [Problem(1, "email", "the column appears twice in the header")]),
        (
            "name,email,role,",
            [Problem(1, "column 4", "the header names no column here; expected name, email, role, department, cohort")],
        ),
    ],
)
def test_header_problems_are_on_line_1_naming_the_column(header: str, problems: list[Problem]) -> None:
    assert parse_roster(f"{header}\nAna,ana@example.org,mentee,x\n".encode()).problems == problems


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (["N" * 201, "a@example.org", "mentee", "", ""], Problem(2, "name", "longer than 200 characters (201)")),
        (["Ana", "", "mentee", "", ""], Problem(2, "email", "required, but empty")),
        (
            ["Ana", "a" * 64 + "@" + "b" * 252 + ".org", "mentee", "", ""],
            Problem(2, "email", "longer than 320 characters (321)"),
        ),
        (
            ["Ana", "ana@example", "mentee", "", ""],
            Problem(2, "email", "not a well-formed e-mail address: 'ana@example'"),
        ),
        (
            ["Ana", "Ana <ana@example.org>", "mentee", "", ""],
            Problem(2, "email", "not a well-formed e-mail address: 'ana <ana@example.org>'"),
        ),
        (
            ["Ana", "ana..lima@example.org", "mentee", "", ""],
            Problem(2, "email", "not a well-formed e-mail address: 'ana..lima@example.org'"),
        ),
        (["Ana", "a@example.org", "", "", ""], Problem(2, "role", "required, but empty")),
        (
            ["Ana", "a@example.org", "mentee", "D" * 101, ""],
            Problem(2, "department", "longer than 100 characters (101)"),
        ),
        (["Ana", "a@example.org", "mentee", "", "C" * 101], Problem(2, "cohort", "longer than 100 characters (101)")),
        (
            ["Ana", "a@example.org", "mentee", "", "", "extra"],
            Problem(2, None, "6 values but the header has 5 columns (quote values with a comma)"),
        ),
    ],
)
def test_each_rule_reports_line_column_and_reason(row: list[str], problem: Problem) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, row])
    assert parse_roster(buffer.getvalue().encode()).problems == [problem]


def test_well_formed_addresses_pass_and_blank_lines_are_skipped() -> None:
    data = (
        "name,email,role\n\n"
        "A,first.last+tag@mail.example.co.uk,mentee\n"
        "B,o'brien@xn--bcher-kva.example,mentor\n"
        ",,\n"
        "C,x_y-z@sub-domain.example.org,hr\n"
    )
    roster = parse_roster(data.encode())
    assert roster.problems == []
    assert [(p.line, p.email) for p in roster.people] == [
        (3, "first.last+tag@mail.example.co.uk"),
        (4, "o'brien@xn--bcher-kva.example"),
        (6, "x_y-z@sub-domain.example.org"),
    ]

"""Profile validation, the skills list and profile files (CSV and YAML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.program.matching import split_roles
from assistant.program.profiles import Profile, load_profiles, with_skill_ids
from assistant.program.skills import default_skills, load_skills
from tests.program.helpers import mentee, mentor, person

EXAMPLE = PROJECT_ROOT / "evals" / "datasets" / "profiles-example.yaml"

CSV_HEADER = "id,name,role,department,teaches,wants,priorities,work_style,availability,format,manager_id,motivation"


def test_the_default_skills_list_has_digital_and_leadership_skills() -> None:
    skills = default_skills()
    assert 20 <= len(skills.skills) <= 40
    assert skills.ids("digital") and skills.ids("leadership")
    assert skills.resolve("power bi") == skills.resolve("POWER-BI") == "power-bi"
    assert all(len(skill.label) <= 30 for skill in skills.skills)


def test_profiles_normalise_their_fields() -> None:
    profile = mentor(" a ", format="In person", work_style="Structured", availability={"Tue AM"}, manager_id=" ")
    assert (profile.id, profile.format, profile.work_style) == ("a", "in-person", "structured")
    assert profile.availability == frozenset({"tue-am"}) and profile.manager_id is None
    assert profile.name == "A"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "carrier pigeon"}, "profile x: format is 'carrier pigeon'"),
        ({"work_style": "chaotic"}, "profile x: work_style is 'chaotic'"),
        ({"availability": {"monday"}}, "profile x: availability slot 'monday' is not <day>-<part>"),
        ({"availability": "mon-am"}, "profile x: availability must be a set"),
        ({"manager_id": "x"}, "profile x: manager_id is the person's own id"),
        ({"wants": {""}}, "profile x: wants holds an empty entry"),
    ],
)
def test_invalid_profiles_are_refused_in_one_line(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        mentee("x", **changes)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^profile x: role is 'boss'; choose mentor, mentee$"):
        person("x", "boss")


def test_skills_are_checked_against_the_list_and_stored_as_ids() -> None:
    profile = with_skill_ids(mentee("x", wants={"Power BI", "ChatGPT and AI assistants"}, priorities={"power bi"}))
    assert profile.wants == {"power-bi", "chatgpt"} and profile.priorities == {"power-bi"}
    with pytest.raises(
        ValueError, match=r"^profile x: teaches: unknown skill 'Blockchain' \(not on the skills list\)$"
    ):
        with_skill_ids(mentee("x", teaches={"Blockchain"}))
    with pytest.raises(ValueError, match="priorities must also be in wants"):
        with_skill_ids(mentee("x", wants={"excel"}, priorities={"python"}))


def test_an_edited_skills_list_is_used(tmp_path: Path) -> None:
    path = tmp_path / "skills.yaml"
    path.write_text("skills:\n  - {id: sap, label: SAP, group: digital}\n  - {id: coaching, group: leadership}\n")
    skills = load_skills(path)
    assert with_skill_ids(mentee("x", wants={"SAP"}, teaches={"coaching"}), skills).wants == {"sap"}
    with pytest.raises(ValueError, match="unknown skill 'excel'"):
        with_skill_ids(mentee("x", wants={"excel"}, teaches=set()), skills)
    path.write_text("skills: [{id: a, group: hobbies}]")
    with pytest.raises(ValueError, match="group must be one of digital, leadership"):
        load_skills(path)


def test_csv_and_yaml_files_give_the_same_profiles(tmp_path: Path) -> None:
    csv_path = tmp_path / "people.csv"
    csv_path.write_text(
        f"{CSV_HEADER}\n"
        "a,Ana,mentor,Sales,Power BI;Excel,Budgeting,,open,tue-am;thu-am,remote,lead-1,I like teaching\n"
        "x,Xaver,mentee,Finance,Budgeting,Power BI;Excel,Power BI,structured,tue-am,hybrid,a,\n",
        encoding="utf-8",
    )
    yaml_path = tmp_path / "people.yaml"
    yaml_path.write_text(
        "profiles:\n"
        "  - {id: a, name: Ana, role: mentor, department: Sales, teaches: [Power BI, Excel], wants: Budgeting,\n"
        "     work_style: open, availability: 'tue-am, thu-am', format: remote, manager_id: lead-1,\n"
        "     motivation: I like teaching}\n"
        "  - {id: x, name: Xaver, role: mentee, department: Finance, teaches: [Budgeting], wants: [Power BI, Excel],\n"
        "     priorities: [Power BI], work_style: structured, availability: [tue-am], format: hybrid, manager_id: a}\n",
        encoding="utf-8",
    )
    from_csv, from_yaml = load_profiles(csv_path), load_profiles(yaml_path)
    assert from_csv == from_yaml
    assert from_csv[1] == Profile(
        id="x",
        name="Xaver",
        role="mentee",
        department="Finance",
        teaches={"budgeting"},
        wants={"power-bi", "excel"},
        priorities={"power-bi"},
        work_style="structured",
        availability={"tue-am"},
        format="hybrid",
        manager_id="a",
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.txt", "", "profiles must be a .csv, .yaml or .yml file"),
        ("p.yaml", "a: [", "is not valid YAML"),
        ("p.yaml", "just text", "must hold a list of profiles"),
        ("p.yaml", "[]", "holds no profiles"),
        ("p.csv", f"{CSV_HEADER}\na,A,mentor,Sales,Excel,,,,tue-am,remote,,\n,,,,,,,,,,,\n", None),
        ("p.csv", "id,role,department,availability,format,colour\na,mentor,IT,tue-am,remote,red\n", "unknown column"),
        ("p.csv", "id,role,department,availability,format\na,mentor,IT,,remote\n", "row 1: missing availability"),
        ("p.csv", "id,role,department,availability,format\na,mentor,IT,tue-am,remote,extra\n", "more fields"),
        (
            "p.csv",
            "id,role,department,availability,format,teaches\na,mentor,IT,tue-am,remote,Exel\n",
            "row 1: profile a: teaches: unknown skill 'Exel'",
        ),
        (
            "p.csv",
            "id,role,department,availability,format\na,mentor,IT,tue-am,remote\na,mentee,IT,tue-am,remote\n",
            "row 2: the id 'a' appears twice",
        ),
    ],
)
def test_bad_profile_files_fail_in_one_line(tmp_path: Path, name: str, text: str, message: str | None) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    if message is None:
        assert [p.id for p in load_profiles(path)] == ["a"]  # blank rows are skipped
        return
    with pytest.raises(ValueError) as caught:
        load_profiles(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_profiles(tmp_path / "absent.yaml")


def test_the_example_cohort_loads() -> None:
    profiles = load_profiles(EXAMPLE)
    mentors, mentees = split_roles(profiles)
    assert 12 <= len(profiles) <= 20
    assert len(mentors) != len(mentees)
    assert any(m.manager_id in {x.id for x in mentees} for m in mentors)

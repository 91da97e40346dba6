"""The mentoring program in Chromium: an admin matches a cohort, a pair agrees and logs a session, HR reads figures.

Cohorts, pairs, sessions and pulses are seeded through the domain functions (``tests/program``);
the browser does only what each test is about.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import User
from assistant.db.program_models import Cohort, Pair, Pulse
from assistant.program import pairing
from assistant.program.agreement import accept_agreement, draft_agreement, revise_agreement, unfilled
from assistant.program.profiles import Profile
from assistant.program.session_log import ActionDraft, log_session
from assistant.program.skills import default_skills
from tests.browser.conftest import LiveServer, open_page, screenshot, sign_in
from tests.program.helpers import mentee, mentor
from tests.program.program_setup import Enrolled, enrol_cohort

pytestmark = pytest.mark.browser
TODAY = date.today()


def unique(name: str) -> str:
    """Program and cohort names are unique, and the browser tests share one database."""
    return f"{name} {uuid.uuid4().hex[:4]}"


def require_program_api(live_server: LiveServer) -> None:
    if "/api/v1/cohorts/{cohort_id}/matching" not in live_server.api_paths():
        pytest.skip("the program endpoints (/api/v1/programs, /cohorts, /pairs) are not in this app yet")


def person(role: str, ident: str, name: str, **changes: Any) -> Profile:
    make = mentor if role == "mentor" else mentee
    return make(f"{ident}-{uuid.uuid4().hex[:6]}", name=name, **changes)


# Everyone but Walter shares Thursday morning and a compatible format, so any two pairs can swap mentees.
MATCHING_COHORT = [  # role, name, department, teaches, wants, weekly slots, format
    ("mentor", "Lena Okafor", "Sales", "excel power-bi", "budgeting strategy", "tue-am thu-am", "hybrid"),
    ("mentor", "Jonas Berg", "IT", "chatgpt prompting teams", "stakeholder-management", "mon-pm thu-am", "remote"),
    ("mentor", "Amira Haddad", "Marketing", "social-media linkedin", "public-speaking", "fri-lunch thu-am", "hybrid"),
    ("mentor", "Finn Jansen", "Operations", "cybersecurity sharepoint", "people-management", "wed-pm thu-am", "hybrid"),
    ("mentee", "Hans Meyer", "Finance", "budgeting strategy", "power-bi excel", "thu-am", "hybrid"),
    ("mentee", "Ingrid Novak", "Legal", "negotiation stakeholder-management", "chatgpt", "mon-pm thu-am", "remote"),
    ("mentee", "Karl Schmidt", "Sales", "public-speaking", "linkedin social-media", "fri-lunch thu-am", "hybrid"),
    ("mentee", "Ruth Dubois", "Procurement", "people-management", "cybersecurity", "wed-pm thu-am", "hybrid"),
    ("mentee", "Walter Costa", "Customer Service", "budgeting", "automation", "sat-am", "in-person"),
]


def matching_cohort(live_server: LiveServer, program: str, cohort: str) -> Enrolled:
    profiles = [
        person(
            role,
            name.split()[0].lower(),
            name,
            department=department,
            teaches=set(teaches.split()),
            wants=set(wants.split()),
            availability=set(slots.split()),
            format=form,
        )
        for role, name, department, teaches, wants, slots, form in MATCHING_COHORT
    ]
    return enrol_cohort(live_server.services, profiles, program=unique(program), cohort=unique(cohort), starts_on=TODAY)


@dataclass
class SeededPair:
    pair_id: int
    mentor_token: str
    mentee_token: str


def confirmed_pair(live_server: LiveServer, mentor_name: str, mentee_name: str) -> SeededPair:
    profiles = [
        person("mentor", "mira", mentor_name, department="Marketing", teaches={"power-bi"}, availability={"thu-am"}),
        person("mentee", "hans", mentee_name, department="Finance", wants={"power-bi"}, availability={"thu-am"}),
    ]
    enrolled = enrol_cohort(
        live_server.services,
        profiles,
        program=unique("Pair program"),
        cohort=unique("Pair cohort"),
        starts_on=TODAY - timedelta(days=20),
    )
    mentor_id, mentee_id = (enrolled.users[p.id] for p in profiles)
    with transaction(live_server.services.db_factory) as db:
        cohort = db.get_one(Cohort, enrolled.cohort_id)
        pair = pairing.set_pair(db, cohort, mentor_id=mentor_id, mentee_id=mentee_id, skills=default_skills())
        pairing.confirm_pair(db, pair)
        pair_id = pair.id
    return SeededPair(pair_id, enrolled.tokens[profiles[0].id], enrolled.tokens[profiles[1].id])


def month_start(day: date, back: int) -> date:
    """The first day of the month ``back`` months before ``day``'s."""
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


def busy_cohort(live_server: LiveServer) -> int:
    """Six confirmed pairs with two months of rated sessions, pulses and goals, so k = 5 is met for most
    figures; two accepted agreements, this month's sessions (two pairs) and the mid-point survey (three
    people) stay under k."""
    months = [month_start(TODAY, 2), month_start(TODAY, 1), month_start(TODAY, 0)]
    starts_on = months[0] - timedelta(days=10)
    names = ["Alex Meyer", "Noa Silva", "Mia Rossi", "Liam Berg", "Zoe Costa", "Omar Haddad"]
    seniors = ["Ute Fischer", "Rolf Lindqvist", "Greta Moreau", "Heinz Novak", "Doris Jansen", "Klaus Ahmed"]
    profiles = [person("mentor", f"y{n}", name) for n, name in enumerate(names)]
    profiles += [person("mentee", f"s{n}", name) for n, name in enumerate(seniors)]
    enrolled = enrol_cohort(
        live_server.services,
        profiles,
        program=unique("Digital bridge"),
        cohort=unique("Autumn 2026"),
        starts_on=starts_on,
    )
    knowledge_dir = live_server.services.settings.knowledge_dir
    with transaction(live_server.services.db_factory) as db:
        cohort = db.get_one(Cohort, enrolled.cohort_id)
        for number in range(6):
            mentor_user = db.get_one(User, enrolled.users[profiles[number].id])
            mentee_user = db.get_one(User, enrolled.users[profiles[number + 6].id])
            pair = pairing.set_pair(
                db, cohort, mentor_id=mentor_user.id, mentee_id=mentee_user.id, skills=default_skills()
            )
            pairing.confirm_pair(db, pair)
            pair.confirmed_at = datetime.combine(starts_on, time(9), tzinfo=UTC)
            held = [months[0] + timedelta(days=4), months[1] + timedelta(days=4 + number)]
            if number < 2:
                held.append(TODAY)
            logged = [
                log_session(
                    db,
                    pair=pair,
                    user=mentor_user,
                    held_on=day,
                    rating=3 + (number + i) % 3,
                    actions=[ActionDraft("Try a pivot", "mentee")] if i == 0 else [],
                )
                for i, day in enumerate(held)
            ]
            db.add(
                Pulse(
                    cohort_id=cohort.id,
                    user_id=mentee_user.id,
                    kind="session",
                    session_id=logged[0].id,
                    scores={"useful": 4 + number % 2, "open": 4, "next_steps": 3 + number % 3},
                    themes=["ai-tools", "time-constraints"] if number else ["ai-tools"],
                )
            )
            if number < 3:
                db.add(
                    Pulse(
                        cohort_id=cohort.id,
                        user_id=mentee_user.id,
                        kind="midpoint",
                        scores={"progress": 4, "fit": 5, "recommend": 5},
                    )
                )
            status = "done" if number == 5 else "active"
            crud.create_goal(db, user=mentee_user, text=f"Goal {number}", criteria={}, status=status)
            if number < 2:
                draft = draft_agreement(db, pair, knowledge_dir, default_skills())
                agreed = revise_agreement(db, pair, mentor_user, {label: "agreed" for label in unfilled(draft.fields)})
                accept_agreement(db, pair, mentor_user, agreed.version)
                accept_agreement(db, pair, mentee_user, agreed.version)
        db.flush()
        assert db.query(Pair).filter_by(cohort_id=cohort.id, status="confirmed").count() == 6
    return enrolled.cohort_id


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], (  # type: ignore[index]
        "the page scrolls sideways"
    )


def test_admin_proposes_swaps_and_confirms_pairs_for_a_seeded_cohort(page: Page, live_server: LiveServer) -> None:
    require_program_api(live_server)
    enrolled = matching_cohort(live_server, "Digital bridge", "Spring 2027")
    sign_in(page, live_server.add_user("Ada Admin", "admin"))
    page.get_by_role("link", name="Program", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/admin/program")
    expect(page.locator("#program-table")).to_contain_text(enrolled.cohort_name)
    page.get_by_label("Cohort", exact=True).select_option(str(enrolled.cohort_id))
    expect(page).to_have_url(f"{live_server.url}/admin/program?cohort={enrolled.cohort_id}")
    expect(page.locator("#members-summary")).to_have_text("Members (9, 9 with a matching profile)")

    page.get_by_role("button", name="Propose pairs").click()
    proposals = page.locator("#proposal-table tbody tr")
    expect(proposals).to_have_count(4)
    expect(page.locator("#matching-status")).to_have_text("4 pairs proposed, 1 person unmatched.")
    hans = proposals.filter(has_text="Hans Meyer")
    expect(hans.locator("th")).to_have_text("Lena Okafor → Hans Meyer")
    expect(hans.locator("td.explanation")).not_to_be_empty()
    expect(page.locator("#unmatched-list li")).to_have_count(1)
    expect(page.locator("#unmatched-list")).to_contain_text("Walter Costa")
    expect(page.locator("#mean-score")).to_contain_text("Proposed 4 pairs with a mean score of 0.")
    screenshot(page, "admin-matching.png")

    hans.get_by_role("button", name="Confirm Lena Okafor → Hans Meyer").click()
    expect(proposals).to_have_count(3)
    confirmed = page.locator("#confirmed-table tbody tr")
    expect(confirmed).to_have_count(1)
    expect(confirmed.first.locator("td").nth(1)).to_have_text("confirmed")

    swap = page.get_by_role("button", name="Swap mentees")
    expect(swap).to_be_disabled()
    first, second = proposals.nth(0), proposals.nth(1)
    first_mentor, second_mentor = first.locator(".mentor").inner_text(), second.locator(".mentor").inner_text()
    first_mentee, second_mentee = first.locator(".mentee").inner_text(), second.locator(".mentee").inner_text()
    first.get_by_role("checkbox").check()
    second.get_by_role("checkbox").press("Space")  # keyboard works too
    expect(swap).to_be_enabled()
    swap.click()
    expect(page.locator("#matching-status")).to_have_text("Mentees swapped; both pairs were scored again.")
    expect(proposals.filter(has_text=first_mentor).locator(".mentee")).to_have_text(second_mentee)
    expect(proposals.filter(has_text=second_mentor).locator(".mentee")).to_have_text(first_mentee)

    page.get_by_role("button", name="Confirm all").click()
    expect(confirmed).to_have_count(4)
    expect(proposals).to_have_count(0)
    expect(page.locator("#proposal-empty")).to_be_visible()
    expect(page.locator("#matching-error")).to_be_hidden()
    with transaction(live_server.services.db_factory) as db:
        statuses = [p.status for p in db.query(Pair).filter_by(cohort_id=enrolled.cohort_id)]
    assert sorted(statuses) == ["confirmed"] * 4
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    expect(confirmed).to_have_count(4)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_creates_a_program_and_a_cohort_and_enrols_someone(page: Page, live_server: LiveServer) -> None:
    require_program_api(live_server)
    newcomer = f"Nia Newcomer {uuid.uuid4().hex[:4]}"
    live_server.add_user(newcomer, "mentor")
    sign_in(page, live_server.add_user("Ada Admin", "admin"))
    page.goto("/admin/program")
    program, cohort = unique("Lunch and learn"), unique("Winter")
    page.get_by_text("New program", exact=True).click()
    page.get_by_label("Name", exact=True).fill(program)
    page.get_by_label("Meet every … days").fill("7")
    page.get_by_role("button", name="Create program").click()
    expect(page.locator("#program-table tbody tr").filter(has_text=program)).to_contain_text("7 days")
    page.get_by_text("New cohort", exact=True).click()
    page.get_by_label("Program", exact=True).select_option(label=program)
    page.get_by_label("Cohort name").fill(cohort)
    page.get_by_label("Starts on").fill("2027-01-11")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.locator("#cohort-summary")).to_contain_text(f"{cohort} · {program} · 2027-01-11 to 2027-07-12")
    expect(page.get_by_label("Cohort", exact=True).locator("option:checked")).to_contain_text(cohort)

    page.get_by_text("Members (0, 0 with a matching profile)").click()
    page.get_by_label("Person").select_option(label=f"{newcomer} (mentor)")
    page.get_by_role("button", name="Add to cohort").click()
    expect(page.locator("#member-table tbody tr")).to_have_text([re.compile(f"{newcomer}mentoru\\d+not yet")])
    expect(page.locator("#members-summary")).to_have_text("Members (1, 0 with a matching profile)")


def test_a_pair_drafts_fills_and_accepts_the_agreement_then_logs_a_session_with_an_action(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    require_program_api(live_server)
    seeded = confirmed_pair(live_server, "Mira Young", "Hans Senior")
    sign_in(page, seeded.mentor_token)
    page.get_by_role("link", name="My pair").click()
    expect(page.locator("#pair-intro")).to_have_text("You mentor Hans Senior.")
    expect(page.get_by_role("link", name="Add our meeting rhythm to my calendar (.ics)")).to_have_attribute(
        "href", f"/api/v1/pairs/{seeded.pair_id}/calendar.ics"
    )

    page.get_by_role("button", name="Draft our agreement").click()
    expect(page.locator("#agreement-version")).to_contain_text("Version 1, drafted by Tandem")
    accept = page.get_by_role("button", name="Accept version 1")
    expect(accept).to_be_disabled()
    expect(page.get_by_label("Mentor", exact=True)).to_have_count(0)  # filled from the profiles: not a field to type
    expect(page.locator(".agreement-field").filter(has_text="Mira Young, Marketing")).to_have_count(1)
    to_fill = page.locator(".agreement-field.unfilled textarea")
    expect(to_fill.first).to_be_visible()
    labels = [area.get_attribute("data-label") for area in to_fill.all()]
    assert "Topics out of scope" in labels
    for area in to_fill.all():
        area.fill(f"agreed: {(area.get_attribute('data-label') or '').lower()}")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#agreement-version")).to_contain_text("Version 2, drafted by the mentor")
    expect(page.locator(".agreement-field.unfilled")).to_have_count(0)
    page.get_by_role("button", name="Accept version 2").click()
    expect(page.locator("#acceptance li[data-side=mentor]")).to_contain_text(f"accepted on {TODAY.isoformat()}")
    expect(page.locator("#acceptance li[data-side=mentee]")).to_contain_text("has not accepted version 2 yet")

    mentee_page, problems = open_page(browser, live_server, 375, 812)
    sign_in(mentee_page, seeded.mentee_token)
    mentee_page.goto("/pair")
    expect(mentee_page.locator("#pair-intro")).to_have_text("Mira Young mentors you.")
    expect(mentee_page.locator(".agreement-field").filter(has_text="agreed: topics out of scope")).to_have_count(1)
    mentee_page.get_by_role("button", name="Accept version 2").click()
    expect(mentee_page.locator("#agreement-version")).to_contain_text("accepted by both")
    mentee_page.get_by_text("History", exact=True).click()
    expect(mentee_page.locator("#agreement-history details.version")).to_have_count(2)
    no_sideways_scroll(mentee_page)

    mentee_page.locator("#session-notes").fill("Built a first Power BI chart from the budget extract.")
    mentee_page.get_by_role("radio", name="4").check()
    mentee_page.get_by_role("button", name="Add an action").click()
    mentee_page.get_by_label("Action 1", exact=True).fill("Rebuild the budget chart with slicers")
    mentee_page.get_by_label("Owner of action 1").select_option("mentee")
    mentee_page.get_by_label("Due date of action 1").fill("2030-01-31")
    mentee_page.get_by_role("button", name="Log the session").click()
    expect(mentee_page.locator("#session-status")).to_have_text(f"Session of {TODAY.isoformat()} logged.")
    open_action = mentee_page.locator("#open-actions li")
    expect(open_action).to_have_count(1)
    expect(open_action).to_contain_text("Rebuild the budget chart with slicers Hans Senior, due 2030-01-31")
    expect(open_action.get_by_role("checkbox")).not_to_be_checked()
    expect(mentee_page.locator("#session-list li.session")).to_have_count(1)
    expect(mentee_page.locator("#session-list")).to_contain_text("Rated 4 of 5")

    pulse = mentee_page.locator("#pulse-section")
    expect(pulse).to_be_visible()
    expect(pulse.locator("fieldset.scale")).to_have_count(3)
    for question in pulse.locator("fieldset.scale").all():
        question.get_by_role("radio", name="5").check()
    pulse.get_by_role("button", name="Send my answers").click()
    expect(pulse).to_contain_text("Thank you: your answers are saved.")
    mentee_page.get_by_role("button", name="Answer the mid-point survey").click()
    survey = mentee_page.locator("#survey-slot")
    for question in survey.locator("fieldset.scale").all():
        question.get_by_role("radio", name="4").check()
    survey.get_by_role("button", name="Send my answers").click()
    expect(mentee_page.locator("#survey-done")).to_contain_text(f"You answered the mid-point survey on {TODAY}")
    expect(mentee_page.get_by_role("button", name="Answer the mid-point survey")).to_be_hidden()
    no_sideways_scroll(mentee_page)
    mentee_page.context.close()
    assert not problems.outside and not problems.errors, problems

    page.reload()
    expect(page.locator("#agreement-version")).to_contain_text("accepted by both")
    mentor_action = page.locator("#open-actions li")
    expect(mentor_action).to_contain_text("Rebuild the budget chart with slicers")
    page.get_by_label("Minutes").fill("30")
    page.get_by_role("button", name="Plan it").click()
    expect(page.locator("#next-plan caption")).to_have_text("Agenda (30 minutes)")
    mentor_action.get_by_role("checkbox").check()
    expect(page.locator("#no-open-actions")).to_be_visible()
    expect(page.locator("#session-list")).to_contain_text("✓ done: Rebuild the budget chart with slicers")


def test_hr_sees_cohort_figures_with_small_groups_shown_as_fewer_than_k(page: Page, live_server: LiveServer) -> None:
    require_program_api(live_server)
    cohort_id = busy_cohort(live_server)
    sign_in(page, live_server.add_user("Hera Resources", "hr"))
    page.get_by_role("link", name="Cohort figures").click()
    expect(page).to_have_url(f"{live_server.url}/hr/program")
    page.get_by_label("Cohort", exact=True).select_option(str(cohort_id))
    expect(page).to_have_url(f"{live_server.url}/hr/program?cohort={cohort_id}")
    expect(page.locator("#k-value")).to_have_text("5")

    def figure(key: str) -> Any:
        return page.locator(f"[data-figure='{key}'] .figure-value")

    expect(figure("mentors")).to_have_text("6")
    expect(figure("confirmed_pairs")).to_have_text("6")
    expect(figure("agreements")).to_have_text("fewer than 5")
    expect(page.locator("[data-figure='agreements'] .figure-people")).to_contain_text("fewer than 5 people")
    expect(figure("mean_sessions")).not_to_have_text("fewer than 5")
    expect(figure("goals_active")).to_have_text("5")
    expect(figure("goals_done")).to_have_text("fewer than 5")

    months = page.locator("#months tbody tr")
    expect(months).to_have_count(3)
    expect(months.nth(0).locator("td")).to_have_text(["6", "4.0"])
    expect(months.nth(2).locator("td").first).to_have_text("fewer than 5")
    chart = page.locator("#month-chart svg")
    expect(chart.locator("g.bar")).to_have_count(3)
    expect(chart.locator("g.bar.hidden-count")).to_have_count(1)

    session_pulse = page.locator(".pulse-group[data-kind=session]")
    expect(session_pulse.locator("[data-figure=respondents] .figure-value")).to_have_text("6")
    expect(session_pulse.locator("tr[data-question=open] td")).to_have_text("4.0")
    expect(session_pulse.locator(".themes")).to_contain_text("AI tools: 6 people")  # the taxonomy's label
    expect(session_pulse.locator(".themes")).to_contain_text("Time constraints: 5 people")
    expect(session_pulse.locator(".themes")).not_to_contain_text("time-constraints")
    midpoint = page.locator(".pulse-group[data-kind=midpoint]")
    expect(midpoint.locator("[data-figure=respondents] .figure-value")).to_have_text("fewer than 5")
    expect(midpoint.locator("tr[data-question=fit] td")).to_have_text("fewer than 5")
    text = page.locator("main").inner_text()
    for secret in ("Alex Meyer", "Ute Fischer", "Try a pivot", "Goal 0"):
        assert secret not in text
    screenshot(page, "hr-program.png")

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    expect(figure("mentors")).to_have_text("6")
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_mentee_is_refused_the_hr_pages_and_an_hr_lead_the_admin_program(page: Page, live_server: LiveServer) -> None:
    require_program_api(live_server)
    sign_in(page, live_server.add_user("Dora Mentee", "mentee"))
    assert page.get_by_role("link", name="Cohort figures").count() == 0
    for path in ("/hr", "/hr/program"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Not available to you")
    assert page.evaluate("fetch('/api/v1/insights/cohorts/1').then(r => r.status)") == 403
    page.goto("/pair")
    expect(page.locator("#pair-intro")).to_contain_text("You are not in a cohort yet")

    page.context.clear_cookies()
    sign_in(page, live_server.add_user("Hugo Resources", "hr"))
    response = page.goto("/admin/program")
    assert response is not None and response.status == 403
    assert page.get_by_role("link", name="My pair").count() == 0

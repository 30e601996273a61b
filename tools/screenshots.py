"""The screenshots in the README and the user guide, taken from a demo pool.

    .venv/bin/python tools/screenshots.py [--candidates 3000] [--out docs/images]

Builds a scratch installation in a temporary folder (SQLite, demo data,
a recruiter login, and some outreach: templates, a campaign waiting for
review, a sequence that has sent its first step and been read), starts the
web server on a free port, and drives Debian's Chromium through the main
pages (and, as a candidate sees them, the careers site and a preference page
opened as from an email), saving one PNG per page.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TOPICS_AND_A_LINK = """
from rapport.outreach.models import Topic
from rapport.outreach.tokens import candidate_token
from rapport.people.models import Candidate
for n, (name, about) in enumerate([
    ("Engineering roles", "Openings in our product and platform teams"),
    ("Events and meetups", "Talks and evenings in your city"),
    ("Newsletter", "A short note from the team each quarter"),
]):
    Topic.objects.get_or_create(name=name, defaults={"description": about, "position": n})
print(candidate_token(Candidate.objects.order_by("id").values_list("id", flat=True)[0]))
"""
CHROMIUM = "/usr/bin/chromium"
EMAIL = "sam.rivera@example.com"
FIRST_NOTE = """Hi {{ candidate.first_name or "there" }},

{% if candidate.current_company %}I have followed what you built at {{ candidate.current_company }}, and thought of you straight away.{% endif %}

We are growing the **platform team** at Northwind: the services that move every order and payment, written in {{ candidate.top_skill or "Python" }} and run by the people who build them.

- A team of six, remote-first within two hours of {{ candidate.city or "you" }}
- Real ownership: you design it, ship it and keep it well
- A salary range in the first call, not the last

Would a 20-minute chat next week be useful? Reply with a time that suits you.

Best,
{{ sender.name }}
Talent Partner, Northwind
"""
FOLLOW_UP = """Hi {{ candidate.first_name }},

A short nudge in case my last note got buried. The role is still open, and the team would be glad to tell you about it themselves.

Best,
{{ sender.name }}
"""
LAST_NOTE = """Hi {{ candidate.first_name }},

I won't keep writing about this role. If the timing is wrong, no problem at all: [tell us what you'd like to hear about]({{ preferences_url }}) and we'll keep to it.

All the best,
{{ sender.name }}
"""
NEWSLETTER = """Hi {{ candidate.first_name or "there" }},

Three things from Northwind this quarter: a new office in Lisbon, our first engineering meetup in {{ candidate.city or "your city" }}, and the roles we are opening next.

{{ sender.name }}
"""
# Templates, a segment and a campaign in draft, and a sequence whose first
# step has gone out (captured, as no mail server is set) and been read.
OUTREACH = """
import datetime as dt
import random

from rapport.accounts.models import User
from rapport.outreach import delivery, policy, services, sequences, tracking
from rapport.outreach.models import Message, MessageStatus, Topic
from rapport.search.selectors import candidate_search
from rapport.search.services import segment_create

sam = User.objects.get(email=EMAIL)
roles = Topic.objects.get(name="Engineering roles")
first = services.template_create(
    actor=sam, name="Platform team: first note", topic=roles, body=FIRST_NOTE,
    subject="{{ candidate.first_name }}, a platform role for your {{ candidate.top_skill }}",
)
follow_up = services.template_create(
    actor=sam, name="Platform team: follow-up", topic=roles, body=FOLLOW_UP,
    subject="Re: {{ candidate.first_name }}, a platform role",
)
last_note = services.template_create(
    actor=sam, name="Platform team: last note", topic=roles, body=LAST_NOTE,
    subject="Closing the loop, {{ candidate.first_name }}",
)
services.template_create(
    actor=sam, name="Quarterly newsletter", topic=Topic.objects.get(name="Newsletter"),
    subject="What's new at Northwind, {{ candidate.first_name }}", body=NEWSLETTER,
)
quiet = segment_create(
    actor=sam, name="Senior Backend, quiet for 3 months", shared=True,
    query='pool:"Senior Backend" last_contacted:>90d',
    description="Backend engineers we know well and have not written to lately.",
)
services.campaign_create(
    actor=sam, name="Platform team, spring hiring", template=first, segment=quiet
)
europe = segment_create(
    actor=sam, name="Python in Europe", shared=True,
    query="skill:python (country:DE OR country:NL OR country:PT OR country:ES)",
)
sequence = sequences.sequence_save(
    actor=sam, sequence=None, name="Python in Europe: warm-up", sender=sam,
    description="Three notes over two weeks for Python engineers we would like to meet.",
    window=policy.Window(days=(0, 1, 2, 3, 4, 5, 6), start=dt.time(0), end=dt.time(23, 59, 59)),
    auto_segment=None, stop_on_auto_reply=False, active=True,
)
sequences.step_add(actor=sam, sequence=sequence, template=first, wait_days=0)
sequences.step_add(actor=sam, sequence=sequence, template=follow_up, wait_days=4, business_days=True)
sequences.step_add(actor=sam, sequence=sequence, template=last_note, wait_days=7)
found = candidate_search(sam, query=europe.query).rows.order_by("id")
sequences.sequence_enroll(
    actor=sam, sequence=sequence, candidate_ids=list(found.values_list("id", flat=True)[:60])
)
sequences.sequences_advance()
via = delivery.transport()
while delivery.deliver_once(owner="screenshots", via=[via]).handled:
    pass
rng = random.Random(1)
agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"
for message in Message.objects.filter(status=MessageStatus.SENT):
    if rng.random() < 0.55:
        at = message.sent_at + dt.timedelta(minutes=rng.randint(20, 3000))
        tracking.open_record(message_id=message.pk, request=tracking.Request("GET", agent, at))
        if rng.random() < 0.3:
            later = tracking.Request("GET", agent, at + dt.timedelta(minutes=1))
            url = "https://northwind.example/careers/platform"
            tracking.click_record(message_id=message.pk, url=url, request=later)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rapport-shots-"))
    try:
        env, password, token = prepare(folder, candidates=args.candidates)
        port = int(env["RAPPORT_BASE_URL"].rsplit(":", 1)[1])
        server = subprocess.Popen(
            [*RAPPORT, "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            shoot(f"http://localhost:{port}", password, args.out, token=token)
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


RAPPORT = [sys.executable, "-m", "rapport.cli"]


def prepare(folder: Path, *, candidates: int) -> tuple[dict[str, str], str, str]:
    """A demo installation in `folder`: its environment (with the base URL
    of a free port), the recruiter's password and a candidate's link token."""
    env = {**os.environ, "RAPPORT_DATA_DIR": str(folder)}
    # SQLite in the folder, and mail captured in the app rather than sent.
    env.pop("RAPPORT_DATABASE_URL", None)
    env.pop("RAPPORT_EMAIL_URL", None)
    env["RAPPORT_BASE_URL"] = f"http://localhost:{_free_port()}"

    def shell(code: str) -> str:
        return subprocess.run(
            [*RAPPORT, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
        ).stdout

    subprocess.run([*RAPPORT, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*RAPPORT, "demo", "--candidates", str(candidates), "--seed", "1"], env=env, check=True
    )
    subprocess.run([*RAPPORT, "inbox_demo"], env=env, check=True)
    subprocess.run([*RAPPORT, "jobs_demo"], env=env, check=True)
    # What the worker would do within seconds of starting: engagement scores.
    shell("from rapport.engagement.services import engagement_refresh as r; r()")
    created = subprocess.run(
        [*RAPPORT, "createuser", EMAIL, "--role", "recruiter", "--name", "Sam Rivera"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"Password \(shown once\): (\S+)", created)
    if found is None:
        sys.exit(f"createuser printed no password:\n{created}")
    # A candidate's preference page, as the link in an email opens it.
    token = shell(TOPICS_AND_A_LINK).split()[-1]
    texts = {"EMAIL": EMAIL, "FIRST_NOTE": FIRST_NOTE, "FOLLOW_UP": FOLLOW_UP,
             "LAST_NOTE": LAST_NOTE, "NEWSLETTER": NEWSLETTER}  # fmt: skip
    shell("".join(f"{name} = {value!r}\n" for name, value in texts.items()) + OUTREACH)
    return env, found.group(1), token


def shoot(base: str, password: str, out: Path, *, token: str) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        page.goto(f"{base}/login/")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/candidates/")
        page.screenshot(path=str(out / "candidates.png"))
        print(f"wrote {out / 'candidates.png'}")

        query = "skill:python (django OR flask) last_contacted:>30d"
        page.goto(f"{base}/candidates/?q={quote(query)}")
        page.wait_for_selector("details.facet")
        page.locator("details.facet", has_text="Country").locator("summary").click()
        page.screenshot(path=str(out / "search.png"))
        print(f"wrote {out / 'search.png'}")

        # Someone the team has talked to lately has the fullest timeline.
        page.goto(f"{base}/candidates/?sort=-contacted")
        page.locator("table a.name").first.click()
        page.wait_for_selector("#timeline-title")
        page.wait_for_selector(".engagement-band")
        page.screenshot(path=str(out / "candidate.png"))
        print(f"wrote {out / 'candidate.png'}")

        page.goto(f"{base}/pools/")
        page.screenshot(path=str(out / "pools.png"))
        print(f"wrote {out / 'pools.png'}")

        # A campaign under review before launch: who gets it, and a sample.
        page.goto(f"{base}/outreach/campaigns/")
        page.locator("table a.name", has_text="Platform team, spring hiring").click()
        _mail_shown(page)
        page.screenshot(path=str(out / "campaign.png"), full_page=True)
        print(f"wrote {out / 'campaign.png'}")

        page.goto(f"{base}/outreach/templates/")
        page.locator("table a.name", has_text="Platform team: first note").click()
        _mail_shown(page)
        page.screenshot(path=str(out / "template.png"))
        print(f"wrote {out / 'template.png'}")

        page.goto(f"{base}/outreach/sequences/")
        page.locator("table a.name").first.click()
        page.wait_for_selector("#stats-title")
        page.set_viewport_size({"width": 1360, "height": 1080})  # the steps and their figures
        page.screenshot(path=str(out / "sequence.png"))
        print(f"wrote {out / 'sequence.png'}")

        page.set_viewport_size({"width": 1360, "height": 860})
        page.goto(f"{base}/inbox/")
        page.wait_for_selector(".conversations")
        page.screenshot(path=str(out / "inbox.png"))
        print(f"wrote {out / 'inbox.png'}")
        page.locator(".conversation a", has_text="Re:").first.click()
        page.wait_for_selector(".thread")
        page.screenshot(path=str(out / "conversation.png"))
        print(f"wrote {out / 'conversation.png'}")

        page.goto(f"{base}/jobs/")
        page.get_by_role("link", name="Senior Backend Engineer").click()
        page.wait_for_selector(".board-col")
        page.screenshot(path=str(out / "board.png"))
        print(f"wrote {out / 'board.png'}")
        page.get_by_role("link", name="Find in talent pool").click()
        page.wait_for_selector("table.rd-list")
        page.screenshot(path=str(out / "rediscovery.png"))
        print(f"wrote {out / 'rediscovery.png'}")

        candidate = browser.new_page(viewport={"width": 1100, "height": 860})
        candidate.goto(f"{base}/careers/")
        candidate.screenshot(path=str(out / "careers.png"), full_page=True)
        print(f"wrote {out / 'careers.png'}")
        candidate.goto(f"{base}/preferences/{token}/")
        candidate.screenshot(path=str(out / "preferences.png"), full_page=True)
        print(f"wrote {out / 'preferences.png'}")
        browser.close()


def _mail_shown(page: Any) -> None:
    """Wait for a mail preview to be filled in and sized to the mail."""
    page.wait_for_selector(".mail-subject")
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe.mail-frame')]"
        ".every(f => f.style.height && f.style.height !== '0px')"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the web server did not answer on port {port} within {timeout:.0f} s")


if __name__ == "__main__":
    main()

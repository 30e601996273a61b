"""The screenshots in the README and the user guide, taken from a demo pool.

    .venv/bin/python tools/screenshots.py [--candidates 3000] [--out docs/images]

Builds a scratch installation in a temporary folder (SQLite, demo data,
a recruiter login), starts the web server on a free port, and drives
Debian's Chromium through the main pages (and a candidate's preference
page, opened as from an email), saving one PNG per page.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rapport-shots-"))
    env = {**os.environ, "RAPPORT_DATA_DIR": str(folder)}
    env.pop("RAPPORT_DATABASE_URL", None)
    rapport = [sys.executable, "-m", "rapport.cli"]
    try:
        subprocess.run([*rapport, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run(
            [*rapport, "demo", "--candidates", str(args.candidates), "--seed", "1"],
            env=env,
            check=True,
        )
        # What the worker would do within seconds of starting: engagement scores.
        refresh = "from rapport.engagement.services import engagement_refresh as r; r()"
        subprocess.run([*rapport, "shell", "-c", refresh], env=env, check=True)
        created = subprocess.run(
            [*rapport, "createuser", EMAIL, "--role", "recruiter", "--name", "Sam Rivera"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found = re.search(r"Password \(shown once\): (\S+)", created)
        if found is None:
            sys.exit(f"createuser printed no password:\n{created}")
        port = _free_port()
        env["RAPPORT_BASE_URL"] = f"http://localhost:{port}"
        # A candidate's preference page, as the link in an email opens it.
        token = subprocess.run(
            [*rapport, "shell", "-c", TOPICS_AND_A_LINK], env=env, check=True,
            capture_output=True, text=True,
        ).stdout.split()[-1]  # fmt: skip
        server = subprocess.Popen(
            [*rapport, "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            shoot(f"http://localhost:{port}", found.group(1), args.out, token=token)
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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

        candidate = browser.new_page(viewport={"width": 1100, "height": 860})
        candidate.goto(f"{base}/preferences/{token}/")
        candidate.screenshot(path=str(out / "preferences.png"), full_page=True)
        print(f"wrote {out / 'preferences.png'}")
        browser.close()


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

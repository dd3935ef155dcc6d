"""Screenshots of the main pages for the README (`make screenshots`, with `make run` serving).

Uses Debian's Chromium through Playwright; nothing is downloaded."""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = os.environ.get("SCREENSHOT_BASE_URL", "http://127.0.0.1:8000")
OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "piana-demo-2026"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

# (file name, login email or None, path, viewport width)
SHOTS = [
    ("home.png", None, "/en/", 1280),
    ("home-mobile.png", None, "/it/", 390),
    ("login.png", None, "/en/accounts/login/", 1280),
    ("operator-dashboard.png", "owner@hotel-san-frediano.example", "/en/account/dashboard/", 1280),
    (
        "organisation-profile.png",
        "owner@hotel-san-frediano.example",
        "/en/account/organisation/",
        1280,
    ),
    ("team.png", "admin@pianadilucca.example", "/en/account/team/", 1280),
    (
        "iatdata-comune-dashboard.png",
        "turismo@comune-capannori.example",
        "/it/comune/insights/",
        1280,
    ),
    (
        "iatdata-comune-dashboard-mobile.png",
        "turismo@comune-capannori.example",
        "/it/comune/insights/",
        390,
    ),
]


def login(page, email):
    page.goto(f"{BASE}/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def main(only=None):
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, email, path, width in SHOTS:
            if only and name not in only:
                continue
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            if email:
                login(page, email)
            page.goto(BASE + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=True)
            print("wrote", OUT / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])

"""The demo walked as every role: no page shows a code, an English word in Dutch mode, a Python
value or a user name where a person is meant.

The demo is built as `wegwijs demo` builds it (its people first, then a simulated stretch of
months, then some work handed out). Each demo user logs in and follows the links of the pages
they can reach, from the start page on, a few pages of each kind (URLs that differ only in a
number or an id count as one kind). The visible text of each page (text, and the `title`,
`aria-label`, `alt` and `placeholder` a person meets) is checked against patterns of what a
person should never read. Text inside <code>, <pre>, <kbd> and <samp>, and elements marked
`data-code`, is what a page shows on purpose as a code (a BPMN id for a process owner), and
skipped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp import login
from webui import ENGINE_KEY, create_app
from workflows import bootstrap, demo
from workflows.demo import DEMO_USERS
from workflows.simulation import simulate_year
from workflows.simulation.staff import DEFAULT_STAFF

#: pages of one kind visited per role (the first ones found)
PER_KIND = 8
#: pages per role at most
PER_ROLE = 150
#: never followed: files, state changes by GET, the language switch, logging out
SKIP = re.compile(
    r"^/(static|uitloggen|taal)|/(export|exports)/|\.(csv|xes|json|bpmn|dmn|xml|svg|png)$|"
    r"download|/diagram(\.bpmn)?$"
)
SKIP_TAGS = {"code", "pre", "kbd", "samp", "script", "style", "template", "noscript"}
ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")

USERNAMES = frozenset(
    [name for name, _, _ in DEMO_USERS] + [c.username for c in DEFAULT_STAFF] + ["simulatie"]
)


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]


RULES = (
    # DRAAGVLAK_PARTICIPATIE, STADSONTWIKKELING_PLANJURIST, POSITIEF_MET_VOORWAARDEN
    Rule("code in capitals", re.compile(r"\b[A-Z]{2,}(?:_[A-Z0-9]+)+\b")),
    # maatschappelijke_org, meerdere_wijken, honoured_with_money, complex_initiative_process
    Rule("code in lower case", re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")),
    Rule("simulated user", re.compile(r"\bsim-[a-z]+\b")),
    Rule("Python value", re.compile(r"\b(None|True|False|nan|null|undefined)\b|\{'|\['")),
    Rule(
        "English word",
        re.compile(
            r"\b(running|waiting|completed|errored|cancelled|committed|reserved|released|"
            r"refused|honoured|rejected|withdrawn|paid|Submit|Save|Cancel|Error|Loading|Task|"
            r"Tasks|Case|Cases|Search|Back|Next|Previous|Edit|Delete|Yes|No)\b"
        ),
    ),
    Rule("user name", re.compile(r"\b(" + "|".join(sorted(USERNAMES)) + r")\b")),
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
#: where a user name is what the page is about: the accounts an administrator manages
USERNAME_PAGES = re.compile(r"^/beheer/gebruikers|^/account")


def visible_texts(html: str) -> Iterator[str]:
    """The text a person reads on the page (and meets in tooltips and labels)."""
    root = lxml.html.fromstring(html)
    body = root.find("body")
    if body is None:
        return

    def walk(element: lxml.html.HtmlElement) -> Iterator[str]:
        if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
            return
        if element.get("data-code") is not None or element.get("hidden") is not None:
            return
        for attribute in ATTRIBUTES:
            if element.get(attribute):
                yield element.get(attribute)
        if element.tag in ("input", "option", "button") and element.get("type") in (
            "submit",
            "button",
        ):
            yield element.get("value") or ""
        if element.text:
            yield element.text
        for child in element:
            yield from walk(child)
            if child.tail:
                yield child.tail

    yield from walk(body)
    title = root.find(".//title")
    if title is not None and title.text:
        yield title.text


def kind_of(url: str) -> str:
    """A URL with its numbers, ids and query values replaced: pages of one kind."""
    path, _, query = url.partition("?")
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", path)
    keys = sorted({part.partition("=")[0] for part in query.split("&") if part})
    return re.sub(r"\d+", "<n>", path) + ("?" + "&".join(keys) if keys else "")


def links(html: str) -> Iterator[str]:
    root = lxml.html.fromstring(html)
    for href in root.xpath("//a/@href"):
        url, _ = urldefrag(str(href))
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIP.search(parts.path):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, str]]]:
    """The demo as `wegwijs demo --months 3` builds it, and each demo user's password."""
    folder: Path = tmp_path_factory.mktemp("demo")
    settings = bootstrap.Settings(database_url=f"sqlite:///{folder / 'demo.db'}")
    engine = bootstrap.open_engine(settings, upgrade=True)
    logins = demo.ensure_demo_users(engine)
    simulate_year(settings, months=3, seed=1, end=datetime.now(UTC))
    demo.give_some_work(engine)
    engine.dispose()
    app = create_app(settings, config={"TESTING": True, "SECRET_KEY": "demo-pages"})
    yield app, {d.username: d.password for d in logins}
    app.extensions[ENGINE_KEY].dispose()


def crawl(client: FlaskClient) -> dict[str, str]:
    """Pages this user reaches by following links from the start page: {path: html}."""
    seen: dict[str, str] = {}
    per_kind: Counter[str] = Counter()
    queue = ["/"]
    while queue and len(seen) < PER_ROLE:
        path = queue.pop(0)
        if path in seen or per_kind[kind_of(path)] >= PER_KIND:
            continue
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, f"{path}: HTTP {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        per_kind[kind_of(path)] += 1
        seen[path] = response.text
        queue.extend(link for link in links(response.text) if link not in seen)
    return seen


@pytest.mark.parametrize("username", [name for name, _, _ in DEMO_USERS])
def test_no_page_shows_a_code_an_english_word_or_a_user_name(
    demo_app: tuple[Flask, dict[str, str]], username: str
) -> None:
    app, passwords = demo_app
    client = app.test_client()
    assert login(client, username, passwords[username]).status_code == 302
    pages = crawl(client)
    assert "/" in pages, sorted(pages)
    found: dict[str, list[str]] = defaultdict(list)
    for path, html in pages.items():
        for shown in visible_texts(html):
            text = EMAIL.sub("", shown)  # an address may well start with a user name
            for rule in RULES:
                if rule.name == "user name" and USERNAME_PAGES.search(path):
                    continue
                for match in rule.pattern.finditer(text):
                    context = shown.strip().replace("\n", " ")[:90]
                    found[f"{rule.name}: {match.group(0)!r}"].append(f"{path} — {context}")
    report = "\n".join(f"{what} ({len(where)}×), e.g. {where[0]}" for what, where in found.items())
    assert not found, f"{username} met on {len(pages)} pages:\n{report}"

"""The chat page in a real browser: headless Chromium (Debian's package) against `dateline serve`.

Asks a question, finds the answer with a citation card showing the date and dateline, asks a
follow-up, checks that hostile item text shows as text, and writes screenshots to ``artifacts/``
(or ``$DATELINE_ARTIFACTS``)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import HOSTILE, ROOT, dateline_process

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("DATELINE_ARTIFACTS") or ROOT / "artifacts")


@pytest.fixture(scope="module")
def server(web_data):
    with dateline_process("serve", "--data", str(web_data), "--workers", "1") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Debian's chromium and chromium-driver are needed (`.ci/run` installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dateline-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1200,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _ask(driver, question: str, turn: int):
    """Type a question, press Enter, wait for turn number ``turn`` to be rendered; return it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, "question")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)  # the keyboard path: Enter sends
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.turn")) >= turn)
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "ask-button").is_enabled())
    return driver.find_elements(By.CSS_SELECTOR, "article.turn")[turn - 1]


def test_chat_in_a_browser(server, browser):
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get(server + "/")
    # Focus starts in the box (headless Chromium may apply it a moment after the load event).
    WebDriverWait(browser, 10).until(lambda d: d.switch_to.active_element.get_attribute("id") == "question")
    # The source filter lists the archive's sources, read from /api/status.
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#source option")) > 1)

    turn = _ask(browser, "How many political prisoners were murdered in the 1988 massacre?", 1)
    assert "30,000" in turn.find_element(By.CSS_SELECTOR, ".answer-text").text
    card = turn.find_element(By.CSS_SELECTOR, "ol.cards li.card")
    assert card.find_element(By.CSS_SELECTOR, ".dateline").text == "London"
    assert card.find_element(By.CSS_SELECTOR, ".date").text.startswith("28 Jun 2017")
    assert card.find_element(By.CSS_SELECTOR, ".source").text == "Iran Focus"
    assert "30,000" in card.find_element(By.CSS_SELECTOR, "mark").text  # answering sentence highlighted
    # The [1] marker links to its card.
    marker = turn.find_element(By.CSS_SELECTOR, ".answer-text a.cite")
    assert marker.get_attribute("href").endswith(f"#{card.get_attribute('id')}")
    marker.click()
    assert browser.switch_to.active_element.get_attribute("id") == card.get_attribute("id")
    # The items the answer does not quote are listed apart, under "Related", with no number.
    numbered = turn.find_elements(By.CSS_SELECTOR, "ol.cards li.card")
    assert len(numbered) == len(turn.find_elements(By.CSS_SELECTOR, ".answer-text a.cite"))
    related = turn.find_elements(By.CSS_SELECTOR, "ul.cards.related li.card")
    assert related and all(not r.find_elements(By.CSS_SELECTOR, ".num") for r in related)
    assert "RELATED" in [h.text.upper() for h in turn.find_elements(By.CSS_SELECTOR, "h2.cards-title")]
    assert not {c.get_attribute("id") for c in related} - {None, ""}  # nothing to jump to from a marker

    follow = _ask(browser, "Who reported it?", 2)
    assert "Iran Focus" in follow.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert follow.find_elements(By.CSS_SELECTOR, "li.card .dateline")
    browser.save_screenshot(str(ARTIFACTS / "chat.png"))

    # Hostile item text is shown as text, never run or parsed as HTML.
    hostile = _ask(browser, "Why did the Zanzibar ferry company cancel the crossings?", 3)
    cards = hostile.find_elements(By.CSS_SELECTOR, "li.card")
    evil = next(c for c in cards if "Zanzibar" in c.text)
    assert '<script>window.__pwned = "title"</script>' in evil.find_element(By.CSS_SELECTOR, ".card-title").text
    assert "<img src=x onerror=" in evil.find_element(By.CSS_SELECTOR, ".excerpt").text
    assert browser.find_elements(By.CSS_SELECTOR, "#conversation img, #conversation script") == []
    assert browser.execute_script("return window.__pwned === undefined")

    # The card's title opens the item page with the excerpt marked, and escaped there too.
    evil.find_element(By.CSS_SELECTOR, ".card-title").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.item"))
    assert HOSTILE["title"] == browser.find_element(By.CSS_SELECTOR, "article.item h1").text
    assert "Zanzibar ferry company" in browser.find_element(By.CSS_SELECTOR, "mark#excerpt").text
    assert browser.find_elements(By.CSS_SELECTOR, "article.item img, article.item script") == []
    assert browser.execute_script("return window.__pwned === undefined")
    browser.save_screenshot(str(ARTIFACTS / "item.png"))
    browser.back()

    # Phone width: the page still reads, with no sideways scrolling.
    browser.set_window_size(390, 844)
    browser.get(server + "/")
    turn = _ask(browser, "What did the European Parliament say about human rights in Iran?", 1)
    assert turn.find_elements(By.CSS_SELECTOR, "li.card .date")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    browser.save_screenshot(str(ARTIFACTS / "chat-phone.png"))

    # A new conversation clears the page (and the history sent with the next question).
    browser.find_element(By.ID, "new-conversation").click()
    assert browser.find_elements(By.CSS_SELECTOR, "article.turn") == []

"""The chat page in a real browser: headless Chromium (Debian's package) against `dateline serve`.

Asks a question, finds the answer with a citation card showing the date and dateline, asks a
follow-up, checks that hostile item text shows as text, and writes screenshots to ``artifacts/``
(or ``$DATELINE_ARTIFACTS``). Then the conversation as people use it: it survives a reload until
"New chat", a question's link asks it on load, an answer copies as Markdown, each answer has a
timeline of its items, and an API key given in the link is stored and taken out of the address."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

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
def keyed_server(web_data):
    """The same archive served with API keys on: the JSON API wants `Authorization: Bearer k1`."""
    with dateline_process("serve", "--data", str(web_data), "--workers", "1",
                          env={"DATELINE_API_KEYS": "k1"}) as url:
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


def _ask(driver, question: str):
    """Type a question, press Enter, wait for its turn to be rendered below the others; return it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    before = len(driver.find_elements(By.CSS_SELECTOR, "article.turn"))
    box = driver.find_element(By.ID, "question")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)  # the keyboard path: Enter sends
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.turn")) > before)
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "ask-button").is_enabled())
    return driver.find_elements(By.CSS_SELECTOR, "article.turn")[before]


def _fresh(driver, url: str) -> None:
    """Open the chat page at ``url`` with nothing stored: no conversation, no API key."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url.split("?")[0].split("#")[0])
    driver.execute_script("window.localStorage.clear()")
    driver.get("about:blank")  # so that a link to "/#..." loads the page, not just moves in it
    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _stored_turns(driver) -> list[dict]:
    """The conversation as the page keeps it in localStorage."""
    return json.loads(driver.execute_script("return localStorage.getItem('dateline.conversation')") or "[]")


def test_chat_in_a_browser(server, browser):
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    from selenium.webdriver.support.ui import WebDriverWait
    _fresh(browser, server + "/")
    # Focus starts in the box (headless Chromium may apply it a moment after the load event).
    WebDriverWait(browser, 10).until(lambda d: d.switch_to.active_element.get_attribute("id") == "question")
    # The source filter lists the archive's sources, read from /api/status.
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#source option")) > 1)

    turn = _ask(browser, "How many political prisoners were murdered in the 1988 massacre?")
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
    # Nothing to jump to from an [n] marker.
    cited_ids = {m.get_attribute("href").split("#")[1] for m in turn.find_elements(By.CSS_SELECTOR, "a.cite")}
    assert not cited_ids & {c.get_attribute("id") for c in related}

    follow = _ask(browser, "Who reported it?")
    assert "Iran Focus" in follow.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert follow.find_elements(By.CSS_SELECTOR, "li.card .dateline")
    # A question's link asks it alone: a follow-up ("Who reported it?" of nothing) has none.
    assert turn.find_elements(By.CSS_SELECTOR, ".question a.question-link")
    assert not follow.find_elements(By.CSS_SELECTOR, ".question a.question-link")
    browser.save_screenshot(str(ARTIFACTS / "chat.png"))

    # Hostile item text is shown as text, never run or parsed as HTML.
    hostile = _ask(browser, "Why did the Zanzibar ferry company cancel the crossings?")
    cards = hostile.find_elements(By.CSS_SELECTOR, "li.card")
    evil = next(c for c in cards if "Zanzibar" in c.text)
    assert '<script>window.__pwned = "title"</script>' in evil.find_element(By.CSS_SELECTOR, ".card-title").text
    assert "<img src=x onerror=" in evil.find_element(By.CSS_SELECTOR, ".excerpt").text
    assert browser.find_elements(By.CSS_SELECTOR, "#conversation img, #conversation script") == []
    assert browser.execute_script("return window.__pwned === undefined")
    # ... in the timeline's titles too.
    titles = [t.get_attribute("textContent") for t in hostile.find_elements(By.CSS_SELECTOR, "svg a.mark title")]
    assert any('<script>window.__pwned = "title"</script>' in t for t in titles)

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
    # (the conversation so far is back after the page loads again, timelines and all.)
    browser.set_window_size(390, 844)
    browser.get(server + "/")
    turn = _ask(browser, "What did the European Parliament say about human rights in Iran?")
    assert turn.find_elements(By.CSS_SELECTOR, "li.card .date")
    assert len(browser.find_elements(By.CSS_SELECTOR, "article.turn")) == 4
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    browser.save_screenshot(str(ARTIFACTS / "chat-phone.png"))
    browser.set_window_size(1200, 1000)

    # A new conversation clears the page (and the history sent with the next question).
    browser.find_element(By.ID, "new-conversation").click()
    assert browser.find_elements(By.CSS_SELECTOR, "article.turn") == []


MASSACRE = "How many political prisoners were murdered in the 1988 massacre?"


def test_conversation_survives_a_reload_until_new_chat(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _fresh(browser, server + "/")
    _ask(browser, MASSACRE)
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.turn"))
    turns = browser.find_elements(By.CSS_SELECTOR, "article.turn")
    assert len(turns) == 1 and not browser.find_elements(By.ID, "empty-hint")
    assert MASSACRE in turns[0].find_element(By.CSS_SELECTOR, ".question").text
    assert "30,000" in turns[0].find_element(By.CSS_SELECTOR, ".answer-text").text
    assert turns[0].find_element(By.CSS_SELECTOR, "ol.cards li.card .source").text == "Iran Focus"

    # The reloaded turn is still the follow-up's context: "it" is the massacre.
    follow = _ask(browser, "Who reported it?")
    assert "Iran Focus" in follow.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert [t["question"] for t in _stored_turns(browser)] == [MASSACRE, "Who reported it?"]

    # A question of blanks sends nothing and says why.
    from selenium.webdriver.common.keys import Keys
    box = browser.find_element(By.ID, "question")
    box.send_keys("   ")
    box.send_keys(Keys.ENTER)
    assert browser.find_element(By.ID, "status").text == "Type a question first."
    assert len(browser.find_elements(By.CSS_SELECTOR, "article.turn")) == 2

    new_chat = browser.find_element(By.ID, "new-conversation")
    assert new_chat.text == "New chat"
    new_chat.click()
    assert browser.find_elements(By.CSS_SELECTOR, "article.turn") == []
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert browser.find_elements(By.CSS_SELECTOR, "article.turn") == []
    assert _stored_turns(browser) == []


def test_a_question_link_asks_it_once(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    link = server + "/?" + urlencode({"q": MASSACRE, "source": "Iran Focus"})
    _fresh(browser, link)
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.turn .answer-text"))
    turn = browser.find_element(By.CSS_SELECTOR, "article.turn")
    assert "30,000" in turn.find_element(By.CSS_SELECTOR, ".answer-text").text
    # It was asked with the link's filter, which the form now shows.
    assert "source: Iran Focus" in turn.find_element(By.CSS_SELECTOR, ".filters-used").text
    assert Select(browser.find_element(By.ID, "source")).first_selected_option.get_attribute("value") == "Iran Focus"
    # The address no longer asks it: a reload shows the stored turn and asks nothing new.
    WebDriverWait(browser, 10).until(lambda d: "q=" not in d.current_url)
    assert urlsplit(browser.current_url).query == ""
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.turn"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "article.turn")) == 1

    # Each turn's own link carries its question and filters, and asks it as a new turn.
    own = browser.find_element(By.CSS_SELECTOR, "article.turn .question a.question-link").get_attribute("href")
    assert parse_qs(urlsplit(own).query) == {"q": [MASSACRE], "source": ["Iran Focus"]}
    browser.get(own)
    WebDriverWait(browser, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.turn")) == 2)
    assert [t["question"] for t in _stored_turns(browser)] == [MASSACRE, MASSACRE]

    # "New chat" starts again without the filters: a source kept from the last topic would
    # silently narrow the next one.
    browser.find_element(By.ID, "new-conversation").click()
    assert Select(browser.find_element(By.ID, "source")).first_selected_option.get_attribute("value") == ""
    assert browser.find_element(By.ID, "status").text == "New chat started; filters cleared."


def test_what_the_first_story_does_not_mention_is_shown_with_the_answer_to_check(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from dateline.web.markdown import answer_markdown

    _fresh(browser, server + "/")
    # The demo archive's Qeshm story is of November 2016 and never mentions 2015.
    turn = _ask(browser, "How many people were executed in Qeshm in 2015?")
    assert "Qeshm" in turn.find_element(By.CSS_SELECTOR, ".answer-text").text
    checks = turn.find_elements(By.CSS_SELECTOR, ".answer .checks li")
    assert [c.text for c in checks] == ["Check: the story quoted first does not mention 2015"]
    # ... apart from the notes on how the question was read, which still say those.
    read = turn.find_element(By.CSS_SELECTOR, ".filters-used").text
    assert '"in 2015" read as part of the topic' in read and "does not mention" not in read
    # The copy button writes the OpenAI-compatible endpoint's Markdown: the check under the answer.
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    turn.find_element(By.CSS_SELECTOR, "button.copy-markdown").click()
    WebDriverWait(browser, 10).until(lambda d: turn.find_element(By.CSS_SELECTOR, ".copy-feedback").text == "Copied")
    copied = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, (e) => done('clipboard refused: ' + e));")
    assert "\n\n> Check: the story quoted first does not mention 2015\n\n**Sources**\n\n" in copied
    assert copied == answer_markdown(_stored_turns(browser)[0]["answer"], server)


def test_a_filter_the_server_refuses_is_named_by_its_label_and_marked(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _fresh(browser, server + "/?" + urlencode({"q": MASSACRE, "date_from": "2017-07-01", "date_to": "2017-06-01"}))
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.turn .error"))
    error = browser.find_element(By.CSS_SELECTOR, "article.turn .error").text
    assert error == "“To” is before “From”", error  # not the API's `date_to`
    to = browser.find_element(By.ID, "date_to")
    assert to.get_attribute("aria-invalid") == "true" and to.is_displayed()
    assert browser.find_element(By.ID, "date_from").get_attribute("aria-invalid") is None
    # Mended and asked again: answered, and the mark is gone.
    browser.execute_script("document.getElementById('date_from').value = '2017-06-01';"
                           "document.getElementById('date_to').value = '2017-06-30'")
    turn = _ask(browser, MASSACRE)
    assert "30,000" in turn.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert to.get_attribute("aria-invalid") is None


def test_a_copy_by_the_same_source_is_another_version_not_another_report(server, browser):
    """A wire files a story again: its copy is not "also reported in" the wire itself."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def cited(also_in):
        return {"n": 1, "item_id": "a", "title": "Brazil trade surplus", "source": "Reuters", "dateline": "Rio",
                "date": "1987-03-16", "date_display": "16 Mar 1987", "excerpt": "Brazil's surplus rose.", "start": 0,
                "end": 22, "highlight": [0, 22], "also_in": also_in}
    copy = {"item_id": "b", "source": "Reuters", "title": "Brazil trade surplus", "url": ""}
    other = {"item_id": "c", "source": "Folha", "title": "Superavit", "url": ""}
    turns = [{"question": "q", "answer": {"answer": "Brazil's surplus rose. [1]", "found": True, "notes": [],
                                          "citations": [cited([copy])], "related": []}},
             {"question": "q", "answer": {"answer": "Brazil's surplus rose. [1]", "found": True, "notes": [],
                                          "citations": [cited([copy, other])], "related": []}}]
    _fresh(browser, server + "/")
    browser.execute_script("localStorage.setItem('dateline.conversation', arguments[0])", json.dumps(turns))
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.turn")) == 2)
    first, second = ([p.text for p in t.find_elements(By.CSS_SELECTOR, ".also-in")]
                     for t in browser.find_elements(By.CSS_SELECTOR, "article.turn"))
    assert first == ["Another version of this story from Reuters"]
    assert second == ["Also reported in: Folha", "Another version of this story from Reuters"]


def test_copy_an_answer_as_markdown(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from dateline.web.markdown import answer_markdown

    _fresh(browser, server + "/")
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})

    def copy(turn) -> str:
        turn.find_element(By.CSS_SELECTOR, "button.copy-markdown").click()
        WebDriverWait(browser, 10).until(lambda d: turn.find_element(By.CSS_SELECTOR, ".copy-feedback").text == "Copied")
        return browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.clipboard.readText().then(done, (e) => done('clipboard refused: ' + e));")

    copied = copy(_ask(browser, MASSACRE))
    answer = _stored_turns(browser)[0]["answer"]
    text, sources = copied.split("\n\n**Sources**\n\n")
    assert text == answer["answer"] and "30,000" in text
    lines = sources.split("\n")
    assert len(lines) == len(answer["citations"]) >= 1
    for line, c in zip(lines, answer["citations"]):
        assert line == (f"{c['n']}. Iran Focus · London · {c['date_display']} — "
                        f"[{c['title']}]({server}/items/{c['item_id']})")
    assert lines[0].startswith("1. Iran Focus · London · 28 Jun 2017")
    # The same text as the OpenAI-compatible endpoint's, markup in a title escaped as there.
    assert copied == answer_markdown(answer, server)
    hostile = copy(_ask(browser, "Why did the Zanzibar ferry company cancel the crossings?"))
    assert hostile == answer_markdown(_stored_turns(browser)[1]["answer"], server)
    assert "[Zanzibar ferry \\<script\\>window.\\_\\_pwned" in hostile


def test_each_answer_has_a_timeline_of_its_items(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _fresh(browser, server + "/")
    turn = _ask(browser, MASSACRE)
    answer = _stored_turns(browser)[0]["answer"]
    cited = [c for c in answer["citations"] if c["date"]]
    related = [r for r in answer["related"] if r["date"]]
    assert cited and related
    timeline = turn.find_element(By.CSS_SELECTOR, "figure.timeline svg")
    marks = timeline.find_elements(By.CSS_SELECTOR, "a.mark.cited")
    assert len(marks) == len(cited)
    assert len(timeline.find_elements(By.CSS_SELECTOR, "a.mark.related")) == len(related)
    # Each mark says what it is: its number (cited), date, source and title.
    titles = {m.find_element(By.TAG_NAME, "title").get_attribute("textContent") for m in marks}
    assert titles == {f"[{c['n']}] {c['date_display']} · {c['source']} · {c['title']}" for c in cited}
    # The axis runs from the earliest date to the latest, left to right.
    dates = sorted(x["date"] for x in cited + related)
    labels = [t.get_attribute("textContent") for t in timeline.find_elements(By.CSS_SELECTOR, "text.axis-label")]
    if dates[0] != dates[-1]:
        assert len(labels) == 2 and labels[0].endswith(dates[0][:4]) and labels[1].endswith(dates[-1][:4])
    # A related item's mark takes you to its card.
    mark = timeline.find_element(By.CSS_SELECTOR, "a.mark.related")
    target = mark.get_dom_attribute("href").split("#")[1]
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", mark)
    WebDriverWait(browser, 5).until(lambda d: d.switch_to.active_element.get_attribute("id") == target)
    assert "related" in browser.switch_to.active_element.find_element(By.XPATH, "..").get_attribute("class")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", timeline)
    browser.save_screenshot(str(ARTIFACTS / "chat-timeline.png"))

    # Items without a date are left off the axis, with a note saying how many; one more when a
    # stored turn's related item loses its date (shown again after a reload).
    def undated_note(count):
        return f"{count} item{' has' if count == 1 else 's have'} no date and {'is' if count == 1 else 'are'} not shown"

    undated = len(answer["citations"]) + len(answer["related"]) - len(cited) - len(related)
    caption = turn.find_element(By.CSS_SELECTOR, "figure.timeline figcaption").text
    assert (undated_note(undated) in caption) if undated else ("no date" not in caption)
    stored = _stored_turns(browser)
    next(r for r in stored[0]["answer"]["related"] if r["date"])["date"] = None
    browser.execute_script("localStorage.setItem('dateline.conversation', arguments[0])", json.dumps(stored))
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "figure.timeline"))
    figure = browser.find_element(By.CSS_SELECTOR, "figure.timeline")
    assert len(figure.find_elements(By.CSS_SELECTOR, "a.mark.related")) == len(related) - 1
    assert undated_note(undated + 1) in figure.find_element(By.TAG_NAME, "figcaption").text


def test_the_page_asks_for_an_api_key_and_keeps_it(keyed_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _fresh(browser, keyed_server + "/")
    WebDriverWait(browser, 30).until(  # status stays open: the sources load without a key
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#source option")) > 1)
    turn = _ask(browser, MASSACRE)
    assert "API key" in turn.find_element(By.CSS_SELECTOR, ".error").text
    field = browser.find_element(By.CSS_SELECTOR, "#key-form input[type=password]")
    assert browser.switch_to.active_element == field
    browser.save_screenshot(str(ARTIFACTS / "chat-key.png"))

    # A wrong key is refused and asked for again; the right one answers the waiting question.
    field.send_keys("nope\n")
    WebDriverWait(browser, 30).until(lambda d: "refused" in d.find_element(By.ID, "key-note").text)
    browser.find_element(By.CSS_SELECTOR, "#key-form input[type=password]").send_keys("k1\n")
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.turn .answer-text"))
    assert not browser.find_elements(By.ID, "key-form")
    turns = browser.find_elements(By.CSS_SELECTOR, "article.turn")
    assert len(turns) == 1 and "30,000" in turns[0].find_element(By.CSS_SELECTOR, ".answer-text").text
    assert browser.execute_script("return localStorage.getItem('dateline.apiKey')") == "k1"

    # The stored key goes with every later question, after a reload too.
    browser.refresh()
    follow = _ask(browser, "Who reported it?")
    assert "Iran Focus" in follow.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert not browser.find_elements(By.ID, "key-form")


def test_an_api_key_in_the_link_is_kept_and_hidden(keyed_server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    _fresh(browser, keyed_server + "/#key=k1")
    WebDriverWait(browser, 10).until(lambda d: "#" not in d.current_url)
    assert browser.execute_script("return localStorage.getItem('dateline.apiKey')") == "k1"
    turn = _ask(browser, MASSACRE)  # answered at once: no key prompt
    assert "30,000" in turn.text
    # Pasted onto the open page (which does not load again), it is taken as well.
    browser.execute_script("location.hash = 'key=k2'")
    WebDriverWait(browser, 10).until(lambda d: "#" not in d.current_url)
    assert browser.execute_script("return localStorage.getItem('dateline.apiKey')") == "k2"
    browser.execute_script("localStorage.clear()")

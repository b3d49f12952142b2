"""The archive page in a real browser (headless Chromium, Debian's package) against `dateline
serve`: it asks for the reindex token, uploads a chosen file and a dropped one, shows the job's
progress bar until done, lists the job's report with a rejected line's file and line, and the
chat page's header says how fresh the archive is. Screenshots go to ``artifacts/``."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, copy_data, dateline_process

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("DATELINE_ARTIFACTS") or ROOT / "artifacts")
TOKEN = "archive-page-token"
UPLOADED = {"id": "page-glacier", "source": "Polar Times", "dateline": "Longyearbyen", "date": "2017-06-27",
            "title": "Glacier front collapses near Longyearbyen",
            "body": "Longyearbyen, 27 Jun - A section of the glacier front collapsed into the fjord, "
                    "sending a wave across the bay. Nobody was hurt."}


@pytest.fixture(scope="module")
def server(web_data, tmp_path_factory):
    data = tmp_path_factory.mktemp("archive-page") / "data"
    copy_data(web_data, data)
    env = {"DATELINE_REINDEX_TOKEN": TOKEN, "DATELINE_RELOAD_INTERVAL": "0.5"}
    with dateline_process("serve", "--data", str(data), "--workers", "1", env=env) as url:
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


def _wait(driver, condition, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)


def _job_done(driver, job_id: str, timeout: float = 240) -> None:
    """Wait for the page's progress bar to show job ``job_id`` done (it polls once a second)."""
    from selenium.webdriver.common.by import By

    def done(d):
        title = d.find_element(By.ID, "job-title").text
        state = d.find_element(By.ID, "job-state").text
        assert state != "failed", d.find_element(By.ID, "job-detail").text
        return title.startswith(f"Job {job_id} ") and state == "done"

    _wait(driver, done, timeout)
    bar = driver.find_element(By.ID, "job-progress")
    assert float(bar.get_attribute("value")) == float(bar.get_attribute("max")) > 0


def test_upload_in_the_browser_shows_progress_and_the_report(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(server + "/archive")
    browser.execute_script("window.localStorage.clear()")
    browser.get(server + "/archive")
    # The counts come from /api/status; with no token stored, the page asks for it.
    _wait(browser, lambda d: "Items" in d.find_element(By.ID, "counts").text)
    assert "2016-08-11 to 2017-08-22" in browser.find_element(By.ID, "counts").text
    _wait(browser, lambda d: d.find_element(By.ID, "token-form").is_displayed())
    browser.find_element(By.ID, "token").send_keys(TOKEN + "\n")
    _wait(browser, lambda d: not d.find_element(By.ID, "token-form").is_displayed())
    assert browser.execute_script("return localStorage.getItem('dateline.reindexToken')") == TOKEN

    # Choose a file: one good item and a broken line; the index is rebuilt in the same job.
    chosen = tmp_path / "glacier news.jsonl"
    chosen.write_text(json.dumps(UPLOADED) + "\n{\"id\": \"half a record\n", encoding="utf-8")
    browser.find_element(By.ID, "file-input").send_keys(str(chosen))
    _wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Uploaded: job "))
    job_id = browser.find_element(By.ID, "status").text.removeprefix("Uploaded: job ").rstrip(".")
    # While it runs the bar follows it: queued or importing or embedding, then done.
    _job_done(browser, job_id)
    assert "1 added" in browser.find_element(By.ID, "job-detail").text
    assert "index rebuilt" in browser.find_element(By.ID, "job-detail").text

    # The job's report lists the rejected line with its file and line.
    report = _wait(browser, lambda d: d.find_elements(By.ID, f"job-{job_id}"))[0]
    rejected = [li.text for li in report.find_elements(By.CSS_SELECTOR, "li.rejected")]
    assert len(rejected) == 1 and rejected[0].startswith("rejected glacier_news.jsonl:2: broken JSON"), rejected
    assert "upload" in report.text and "done" in report.text
    browser.save_screenshot(str(ARTIFACTS / "archive.png"))

    # Drop a file on the drop zone (a DataTransfer made in the page, as a drag from the desktop
    # delivers one): a file that is not news, imported without a rebuild, fails with its reason.
    browser.find_element(By.CSS_SELECTOR, "#options summary").click()
    browser.find_element(By.ID, "index").click()
    browser.execute_script("""
        const data = new DataTransfer();
        data.items.add(new File(["\\u0000\\u0001 not news"], "scan.pdf", {type: "application/pdf"}));
        document.getElementById("drop-zone").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
    """)
    _wait(browser, lambda d: d.find_element(By.ID, "status").text not in ("", f"Uploaded: job {job_id}.")
          and d.find_element(By.ID, "status").text.startswith("Uploaded: job "))
    dropped = browser.find_element(By.ID, "status").text.removeprefix("Uploaded: job ").rstrip(".")
    _wait(browser, lambda d: d.find_element(By.ID, "job-state").text == "failed"
          and d.find_element(By.ID, "job-title").text.startswith(f"Job {dropped} "), 120)
    assert "no news items found" in browser.find_element(By.ID, "job-detail").text
    failed = _wait(browser, lambda d: d.find_elements(By.ID, f"job-{dropped}"))[0]
    assert "skipped scan.pdf: this is a binary file, not a news export" in failed.text

    # The chat page's header: the newest item and the last rebuild.
    browser.get(server + "/")
    _wait(browser, lambda d: "rebuilt" in d.find_element(By.ID, "freshness").text)
    freshness = browser.find_element(By.ID, "freshness").text
    assert "newest item 2017-08-22" in freshness and "UTC" in freshness
    assert browser.find_element(By.CSS_SELECTOR, "header a.nav").get_attribute("href").endswith("/archive")


def test_a_refused_token_is_asked_for_again_and_the_upload_goes_on(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(server + "/archive")
    browser.execute_script("window.localStorage.setItem('dateline.reindexToken', 'not-the-token')")
    browser.get(server + "/archive")
    _wait(browser, lambda d: "Items" in d.find_element(By.ID, "counts").text)
    assert not browser.find_element(By.ID, "token-form").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "#options summary").click()
    browser.find_element(By.ID, "index").click()  # no rebuild: quick
    chosen = tmp_path / "again.jsonl"
    chosen.write_text(json.dumps({**UPLOADED, "id": "page-again", "title": "Second glacier report"}) + "\n",
                      encoding="utf-8")
    browser.find_element(By.ID, "file-input").send_keys(str(chosen))
    _wait(browser, lambda d: d.find_element(By.ID, "token-form").is_displayed())
    assert "refused" in browser.find_element(By.ID, "token-note").text
    assert browser.execute_script("return localStorage.getItem('dateline.reindexToken')") is None
    browser.find_element(By.ID, "token").send_keys(TOKEN + "\n")
    _wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Uploaded: job "))
    job_id = browser.find_element(By.ID, "status").text.removeprefix("Uploaded: job ").rstrip(".")
    _job_done(browser, job_id, timeout=60)
    assert "1 added" in browser.find_element(By.ID, "job-detail").text

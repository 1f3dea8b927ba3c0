"""Headless Chromium against the live server (and nginx over site/): pages, search, languages.

Needs Debian's chromium and chromium-driver (.ci/run installs them); skips with what to install.
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from microcred.namespaces import MC

from conftest import NGINX, NGINX_MISSING, SITE, nginx_serving

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--window-size=1200,1400"]
WAIT = 5.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by chromedriver, with an empty profile; quit afterwards."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver "
                    "(.ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium: pip install -e '.[test]'")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="microcred-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "it-IT,it,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(15)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def console(browser) -> Iterator[list]:  # noqa: ANN001
    """The browser's console messages during one test; the test fails on any error among them."""
    browser.get_log("browser")  # drop what earlier tests left
    messages: list = []
    yield messages
    messages += browser.get_log("browser")
    errors = [m for m in messages if m["level"] == "SEVERE"]
    assert errors == [], errors


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def shot(browser, name: str) -> None:  # noqa: ANN001
    assert browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def css(browser, selector: str):  # noqa: ANN001, ANN201
    return browser.find_element("css selector", selector)


def test_term_page_in_english(browser, console, live_server, vocabulary) -> None:  # noqa: ANN001
    browser.get(live_server.url + "/glossary/micro-credential.en.html")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
    assert css(browser, "h1").text == vocabulary.label(str(MC["micro-credential"]), "en")
    notes = css(browser, "section.translation-notes")
    assert notes.is_displayed() and "Translation notes" in notes.text
    assert css(browser, ".definition blockquote").text.startswith("Sub-unit of a credential")
    shot(browser, "term-en")


def test_term_page_in_italian_with_its_translation_note(browser, console, live_server) -> None:  # noqa: ANN001
    browser.get(live_server.url + "/glossary/micro-credential.it.html")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "it"
    assert css(browser, "h1").text == "microcredenziale"
    note = css(browser, ".translation-notes li.current p")
    assert note.get_attribute("lang") == "it" and note.is_displayed()
    assert "«microcredenziali»" in note.text
    shot(browser, "term-it")


def test_term_iri_follows_the_browser_language(browser, console, live_server) -> None:  # noqa: ANN001
    browser.get(live_server.url + "/glossary/qualification")  # 303 to the page; Accept-Language: it
    assert browser.current_url.endswith("/glossary/qualification.html")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "it"
    assert css(browser, "h1").text == "qualifica"


def test_language_switch(browser, console, live_server) -> None:  # noqa: ANN001
    browser.get(live_server.url + "/glossary/micro-credential.en.html")
    link = css(browser, 'nav.languages a[hreflang="fr"]')
    assert link.text == "français"
    link.click()
    wait_until(lambda: browser.current_url.endswith("/glossary/micro-credential.fr.html"), "the French page")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "fr"
    assert css(browser, "h1").text == "microcertification"
    assert css(browser, 'nav.languages a[aria-current="page"]').get_attribute("hreflang") == "fr"
    browser.get(live_server.url + "/glossary/micro-credential.html?_lang=de")
    assert css(browser, "h1").text == "Microcredential"
    shot(browser, "language-switch-de")


def autocomplete(browser, text: str) -> list:  # noqa: ANN001
    box = css(browser, "#site-search")
    box.clear()
    box.send_keys(text)
    wait_until(lambda: box.get_attribute("aria-expanded") == "true", "the suggestions")
    return browser.find_elements("css selector", "#site-search-list [role=option]")


def test_autocomplete_offers_micro_qualification_and_works_by_keyboard(browser, console, live_server) -> None:  # noqa: ANN001
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server.url + "/glossary.en.html")
    options = autocomplete(browser, "partial qual")
    assert options[0].text.startswith("Micro-qualification") and "partial qualification" in options[0].text
    box = css(browser, "#site-search")
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    assert options[0].get_attribute("aria-selected") == "true"
    shot(browser, "autocomplete")
    box.send_keys(Keys.ENTER)
    wait_until(lambda: browser.current_url.endswith("/glossary/micro-qualification.en.html"), "the chosen term")
    assert css(browser, "h1").text == "Micro-qualification"
    options = autocomplete(browser, "microcredenziali")
    assert options[0].text.startswith("Micro-credential")
    css(browser, "#site-search").send_keys(Keys.ESCAPE)
    assert css(browser, "#site-search").get_attribute("aria-expanded") == "false"


@pytest.mark.skipif(NGINX is None, reason=NGINX_MISSING)
def test_static_site_search_runs_in_the_browser(browser, console, tmp_path: Path) -> None:  # noqa: ANN001
    with nginx_serving(SITE, tmp_path) as url:
        browser.get(url + "/glossary/credential")
        assert browser.current_url.endswith("/glossary/credential.it.html")  # Accept-Language: it
        options = autocomplete(browser, "partial qual")
        assert options[0].text.startswith("Micro-qualification")
        shot(browser, "static-autocomplete")
        browser.get(url + "/search?q=Qualif&lang=en")
        results = wait_until(lambda: browser.find_elements("css selector", "#search-results li"), "results")
        assert results[0].text == "Qualification" and len(results) == 2
        shot(browser, "static-search-page")

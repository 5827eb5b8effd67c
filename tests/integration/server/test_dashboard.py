"""The dashboard in headless Chromium (Debian's, driven by Selenium): upload a CSV, watch the
bar reach 100% through the live feed, open the logs; a screenshot lands in .run/."""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.expected_conditions import alert_is_present
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from app.infra.auth import issue_token
from tests.integration.conftest import ROOT
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records, set_limit

ROWS = 1200


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """Where the browser saves what the page downloads."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads: Path) -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("chromium and chromedriver are missing: scripts/test installs them")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,900")
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    options.add_experimental_option("prefs", prefs)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    yield browser
    browser.quit()


def signed_in(browser: WebDriver, api_url: str, account: str) -> WebDriverWait[WebDriver]:
    """The dashboard opened by a token link, signed in as the account; a wait for it (live
    updates re-render rows: an element read as it is replaced is read again)."""
    browser.get(f"{api_url}/dashboard?token={issue_token(account)}")
    wait = WebDriverWait(browser, 60, ignored_exceptions=[StaleElementReferenceException])
    wait.until(lambda b: account in b.find_element(By.ID, "who").text)
    return wait


def follow_up(
    browser: WebDriver, wait: WebDriverWait[WebDriver], label: str, confirm: str | None = None
) -> str:
    """Clicks the selected action's button, accepting its confirmation, which must say
    `confirm`; the new action's id."""

    def press(b: WebDriver) -> bool:
        """Live updates redraw the controls: a button gone stale is looked up again."""
        buttons = b.find_elements(By.CSS_SELECTOR, "#action-controls button")
        for button in buttons:
            if button.text == label:
                button.click()
                return True
        return False

    wait.until(press)
    if confirm is not None:
        alert = wait.until(alert_is_present())
        assert confirm in alert.text, alert.text
        alert.accept()
    wait.until(lambda b: b.find_element(By.ID, "submit-note").text.startswith(f"{label}: action"))
    return str(browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1])


def test_upload_and_watch_the_bar_reach_100_percent(
    api_url: str, account: str, browser: WebDriver, tmp_path: Path
) -> None:
    assert httpx.get(f"{api_url}/dashboard/app.js").status_code == 200, "dashboard not built"
    source = tmp_path / "contacts.csv"
    lines = [f"dash{n}@example.com,Ada{n}" for n in range(ROWS)] + ["not-an-email,Bad"]
    source.write_text("email,first_name\n" + "\n".join(lines) + "\n")

    browser.get(f"{api_url}/dashboard")
    browser.find_element(By.ID, "token").send_keys(issue_token(account))
    browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
    # Live updates re-render the rows: an element read as it is replaced is read again.
    wait = WebDriverWait(browser, 60, ignored_exceptions=[StaleElementReferenceException])
    wait.until(lambda b: account in b.find_element(By.ID, "who").text)
    Select(browser.find_element(By.ID, "entity")).select_by_visible_text("CONTACT")
    Select(browser.find_element(By.ID, "action")).select_by_visible_text("INSERT")
    browser.find_element(By.ID, "file").send_keys(str(source))
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()

    wait.until(lambda b: "action " in b.find_element(By.ID, "submit-note").text)
    action_id = browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1]
    row = f'tr[data-id="{action_id}"]'
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, f"{row} .percent").text == "100%")
    wait.until(
        lambda b: b.find_element(By.CSS_SELECTOR, f"{row} .status").text == "COMPLETED_WITH_ERRORS"
    )
    cells = browser.find_elements(By.CSS_SELECTOR, f"{row} td")
    assert [cell.text for cell in cells[3:6]] == [str(ROWS), "1", "0"]

    browser.find_element(By.CSS_SELECTOR, row).click()
    Select(browser.find_element(By.ID, "log-status")).select_by_visible_text("FAILED")
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#log-rows tbody tr")) == 1)
    failed = browser.find_element(By.CSS_SELECTOR, "#log-rows tbody tr").text
    assert failed.startswith(f"{ROWS + 1} FAILED INVALID")

    # The safety nets of an ended import with a failed row: retry it, restore it.
    buttons = browser.find_elements(By.CSS_SELECTOR, "#action-controls button")
    assert [button.text for button in buttons] == ["Restore", "Retry failed"]
    made = follow_up(browser, wait, "Retry failed")
    wait.until(
        lambda b: (
            b.find_element(By.CSS_SELECTOR, f'tr[data-id="{made}"] .status').text
            == "COMPLETED_WITH_ERRORS"
        )
    )
    browser.find_element(By.CSS_SELECTOR, row).click()
    wait.until(lambda b: b.find_element(By.ID, "logs-of").text == action_id)
    made = follow_up(browser, wait, "Restore", confirm=f"It touches {ROWS:,} entities")
    wait.until(
        lambda b: b.find_element(By.CSS_SELECTOR, f'tr[data-id="{made}"]').text.startswith(
            "RESTORE CONTACT"
        )
    )

    shot = ROOT / ".run" / "dashboard.png"
    shot.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(shot))


def selected(browser: WebDriver, select_id: str) -> str:
    return str(Select(browser.find_element(By.ID, select_id)).first_selected_option.text)


def test_a_token_link_signs_in_and_the_example_matches_its_note(
    api_url: str, account: str, browser: WebDriver
) -> None:
    """scripts/dev prints a `?token=` link; the token then leaves the address bar. The form
    opens on the example, contacts to insert (never on a DELETE); the example selects what its
    note says (CONTACT / INSERT), whatever was selected before."""
    wait = signed_in(browser, api_url, account)
    assert "token=" not in browser.current_url
    assert (selected(browser, "entity"), selected(browser, "action")) == ("CONTACT", "INSERT")
    assert "example ready" in browser.find_element(By.ID, "submit-note").text
    Select(browser.find_element(By.ID, "action")).select_by_visible_text("DELETE")
    browser.find_element(By.ID, "example").click()
    assert "CONTACT / INSERT" in browser.find_element(By.ID, "submit-note").text
    assert (selected(browser, "entity"), selected(browser, "action")) == ("CONTACT", "INSERT")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait.until(lambda b: "250 rows: action " in b.find_element(By.ID, "submit-note").text)


async def test_a_delete_asks_first_naming_how_many_rows(
    api_url: str, account: str, browser: WebDriver, gql: GraphQLClient, tmp_path: Path
) -> None:
    """A DELETE from the form is created only once the user has confirmed it, asked with the
    number of rows it names; declined, nothing is created."""
    inserted = await gql.run(entityType="CONTACT", actionType="INSERT", records=records(3, "dm"))
    logs = await gql.all_logs(inserted["id"])
    source = tmp_path / "doomed.csv"
    source.write_text("id\n" + "".join(f"{log['entityId']}\n" for log in logs))
    wait = signed_in(browser, api_url, account)
    Select(browser.find_element(By.ID, "action")).select_by_visible_text("DELETE")
    for answer in ("dismiss", "accept"):
        browser.find_element(By.ID, "file").send_keys(str(source))
        browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
        alert = wait.until(alert_is_present())
        assert "Delete the CONTACT entities named in doomed.csv (3 rows)?" in alert.text
        getattr(alert, answer)()
        if answer == "dismiss":
            wait.until(lambda b: "not created" in b.find_element(By.ID, "submit-note").text)
            listed = await gql.data("{ bulkActions { totalCount } }")
            assert listed["bulkActions"] == {"totalCount": 1}  # the INSERT only
    wait.until(lambda b: "3 rows: action " in b.find_element(By.ID, "submit-note").text)
    deleted = browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1]
    assert (await gql.wait(deleted))["stats"]["succeeded"] == 3


async def test_a_file_saved_by_excel_on_windows_is_told_and_imports_in_its_encoding(
    api_url: str, account: str, browser: WebDriver, gql: GraphQLClient, tmp_path: Path
) -> None:
    """A file that is not UTF-8 is told as it is chosen; read in the encoding chosen for it,
    its header maps (a letter beyond ASCII in it too, and separated by ';' as Excel saves
    CSV where the comma is the decimal mark, which the decimal mark chosen for it then is)
    and its rows import with their letters, numbers and days (in the date order chosen)."""
    define = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"
    await gql.data(define, i={"entityType": "CONTACT", "name": "renewal", "kind": "DATE"})
    source = tmp_path / "windows.csv"
    source.write_bytes(
        "email;Prénom;score;renewal\r\nzoe@example.com;Zoë;1.000;1/2/2027\r\n".encode("cp1252")
    )
    wait = signed_in(browser, api_url, account)
    browser.find_element(By.ID, "file").send_keys(str(source))
    wait.until(lambda b: "is not UTF-8 text" in b.find_element(By.ID, "submit-note").text)
    Select(browser.find_element(By.ID, "encoding")).select_by_value("windows-1252")
    wait.until(lambda b: "Prénom" in b.find_element(By.ID, "column-map").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#column-map select")) == 4
    mark = Select(browser.find_element(By.ID, "decimal-mark")).first_selected_option
    assert mark.get_attribute("value") == "COMMA"
    Select(browser.find_element(By.ID, "date-order")).select_by_value("DAY_FIRST")
    column = browser.find_elements(By.CSS_SELECTOR, "#column-map select")[1]
    Select(column).select_by_visible_text("first_name")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait.until(lambda b: "1 rows: action " in b.find_element(By.ID, "submit-note").text)
    imported = await gql.wait(browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1])
    assert imported["stats"]["succeeded"] == 1, imported
    (data,) = (await gql.entities("CONTACT", None)).values()
    found = (data["email"], data["first_name"], data["score"], data["renewal"])
    assert found == ("zoe@example.com", "Zoë", 1000, "2027-02-01")


async def test_custom_fields_in_the_column_map_filter_builder_and_export_picker(
    api_url: str,
    account: str,
    browser: WebDriver,
    gql: GraphQLClient,
    tmp_path: Path,
    downloads: Path,
) -> None:
    """An account's custom field is offered wherever a built-in one is: a CSV column of its
    name maps to it (any case), the filter builder names it with its kind and options, and
    the export picker lists it; each makes the action it shows. A header the server reads
    by its letters or by the name other tools give a field ("Email Address") is mapped as
    the server maps it. The ended export's file downloads from its row."""
    define = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"
    plan = {"entityType": "CONTACT", "name": "plan", "kind": "ENUM", "options": ["free", "pro"]}
    await gql.data(define, i=plan)
    source = tmp_path / "plans.csv"
    source.write_text(
        "Email Address,Plan,Shoe size\n"
        + "".join(f"cf{n}@example.com,{'pro' if n % 2 else 'free'},42\n" for n in range(10))
    )
    wait = signed_in(browser, api_url, account)
    browser.find_element(By.ID, "file").send_keys(str(source))
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#column-map select")) == 3)
    mapped = [
        Select(select).first_selected_option.text
        for select in browser.find_elements(By.CSS_SELECTOR, "#column-map select")
    ]
    assert mapped == ["email", "plan", "(ignore)"]
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait.until(lambda b: "10 rows: action " in b.find_element(By.ID, "submit-note").text)
    imported = await gql.wait(browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1])
    assert imported["stats"]["succeeded"] == 10

    Select(browser.find_element(By.ID, "action")).select_by_visible_text("EXPORT")
    Select(browser.find_element(By.ID, "targets")).select_by_value("filter")
    condition = browser.find_element(By.CSS_SELECTOR, "#conditions div")
    Select(condition.find_element(By.CLASS_NAME, "field")).select_by_visible_text("plan")
    assert condition.find_element(By.CLASS_NAME, "kind").text == "ENUM: free, pro"
    condition.find_element(By.CLASS_NAME, "value").send_keys("pro")
    picker = Select(browser.find_element(By.ID, "export-picker"))
    assert "plan (custom)" in [option.text for option in picker.options]
    picker.select_by_value("email")
    picker.select_by_value("plan")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait.until(lambda b: "by filter: action " in b.find_element(By.ID, "submit-note").text)
    exported = await gql.wait(browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1])
    assert exported["stats"]["succeeded"] == 5
    response = await gql.http.get(f"/bulk-actions/{exported['id']}/export.csv")
    lines = response.text.splitlines()
    assert lines[0] == "email,plan" and all(line.endswith(",pro") for line in lines[1:])

    # The ended export's file, downloaded from its row: the same, for Excel (a BOM first).
    row = f'tr[data-id="{exported["id"]}"]'
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, f"{row} .status").text == "COMPLETED")
    browser.find_element(By.CSS_SELECTOR, row).click()
    wait.until(lambda b: "Download export" in b.find_element(By.ID, "action-controls").text)
    buttons = browser.find_elements(By.CSS_SELECTOR, "#action-controls button")
    next(button for button in buttons if button.text == "Download export").click()
    saved = downloads / f"bulk-action-{exported['id']}-export.csv"
    wait.until(lambda _: saved.exists() and saved.stat().st_size > 0)
    assert saved.read_bytes() == b"\xef\xbb\xbf" + response.content

    # Where the browser's locale writes decimals with a comma: as Excel there opens CSV.
    browser.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "de-DE"})
    next(button for button in buttons if button.text == "Download export").click()
    again = downloads / f"bulk-action-{exported['id']}-export (1).csv"
    wait.until(lambda _: again.exists() and again.stat().st_size > 0)
    comma = await gql.http.get(
        f"/bulk-actions/{exported['id']}/export.csv", params={"decimalMark": "comma"}
    )
    assert comma.text.splitlines()[0] == "email;plan"
    assert again.read_bytes() == b"\xef\xbb\xbf" + comma.content


@pytest.mark.conformance
def test_graphiql_loads_offline_and_runs_a_query(
    api_url: str, account: str, browser: WebDriver
) -> None:
    """Everything it loads comes from the platform (no CDN: this machine has no way out)."""
    query = "{ accountRateLimit { accountId } }"
    browser.get(f"{api_url}/graphql?token={issue_token(account)}&q={query}")
    wait = WebDriverWait(browser, 60, ignored_exceptions=[StaleElementReferenceException])
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".graphiql-execute-button"))
    browser.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    wait.until(lambda b: account in b.find_element(By.CSS_SELECTOR, ".result-window").text)
    browser.save_screenshot(str(ROOT / ".run" / "graphiql.png"))
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)"
    )
    assert loaded and all(name.startswith(api_url) for name in loaded), loaded


# Holds back the answer to one mutation about one action until its row shows the action
# CANCELLED (at most 50 s, inside the test's 60 s wait for the answer's note).
HOLD_ANSWER_UNTIL_SHOWN = """
const [mutation, id] = arguments;
const fetchAnswer = window.fetch;
window.fetch = async (url, init) => {
  const answer = await fetchAnswer(url, init);
  const body = String(init?.body ?? "");
  if (body.includes(mutation) && body.includes(id)) {
    const ended = `tr[data-id="${id}"] .status.CANCELLED`;
    for (let waited = 0; waited < 50000 && !document.querySelector(ended); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return answer;
};
"""


async def test_pause_resume_cancel_the_schedule_and_server_side_filters(
    api_url: str, account: str, browser: WebDriver, admin_gql: GraphQLClient
) -> None:
    # One action paced to a crawl (it stays PROCESSING), one scheduled, one DELETE.
    await set_limit(admin_gql, account, 60)
    async with GraphQLClient(api_url, issue_token(account)) as gql:
        paced = await gql.create(
            entityType="CONTACT", actionType="INSERT", records=records(600, "pc")
        )
        at = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        scheduled = await gql.create(
            entityType="CONTACT", actionType="INSERT", records=records(1, "sc"), scheduledAt=at
        )
        deleted = await gql.run(entityType="CONTACT", actionType="DELETE", entityIds=[paced["id"]])
    wait = signed_in(browser, api_url, account)

    def row(action: dict[str, Any]) -> str:
        return f'tr[data-id="{action["id"]}"]'

    def status(action: dict[str, Any]) -> str:
        return str(browser.find_element(By.CSS_SELECTOR, f"{row(action)} .status").text.split()[0])

    def click(action: dict[str, Any], label: str, confirm: str | None = None) -> None:
        browser.find_element(By.CSS_SELECTOR, row(action)).click()
        controls = "#action-controls button"
        wait.until(lambda b: label in [x.text for x in b.find_elements(By.CSS_SELECTOR, controls)])
        follow_up(browser, wait, label, confirm)

    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, f"{row(scheduled)} .scheduled"))
    wait.until(lambda b: status(paced) == "PROCESSING")
    click(paced, "Pause")
    wait.until(lambda b: status(paced) == "PAUSED")
    click(paced, "Resume")
    wait.until(lambda b: status(paced) == "PROCESSING")
    # The answer to Cancel is held back until the live feed has shown the action CANCELLED
    # (a worker ends it at once): an answer that arrives late must not show it running again.
    browser.execute_script(HOLD_ANSWER_UNTIL_SHOWN, "cancelBulkAction", scheduled["id"])
    click(scheduled, "Cancel", confirm="Cancel INSERT")
    assert status(scheduled) == "CANCELLED"
    click(paced, "Cancel", confirm="Cancel INSERT")
    wait.until(lambda b: status(paced) in ("CANCELLING", "CANCELLED"))
    async with GraphQLClient(api_url, issue_token(account)) as gql:
        # Its chunks still in flight end before the next test counts rows.
        await gql.wait(paced["id"])

    # Filters are the server's: only the DELETE is listed, then nothing up to 2020.
    Select(browser.find_element(By.ID, "filter-type")).select_by_visible_text("DELETE")
    listed = "#actions tbody tr"
    wait.until(
        lambda b: (
            [r.get_attribute("data-id") for r in b.find_elements(By.CSS_SELECTOR, listed)]
            == [deleted["id"]]
        )
    )
    browser.execute_script(
        "const to = document.querySelector('#filter-to'); to.value = '2020-01-01';"
        "to.dispatchEvent(new Event('change'));"
    )
    wait.until(lambda b: not b.find_elements(By.CSS_SELECTOR, listed))


async def test_create_with_a_drip_see_the_next_batch_and_change_the_pace(
    api_url: str, account: str, browser: WebDriver, gql: GraphQLClient
) -> None:
    """The drip fieldset makes a paced action (size, interval, days, window, zone); its row
    shows the batches started and the next batch's time; the pace form changes the pace of
    the running action, which then finishes under it."""
    wait = signed_in(browser, api_url, account)
    browser.find_element(By.ID, "drip-on").click()
    size = browser.find_element(By.ID, "drip-size")
    size.clear()
    size.send_keys("50")
    every = browser.find_element(By.ID, "drip-every")
    every.clear()
    every.send_keys("1")
    Select(browser.find_element(By.ID, "drip-unit")).select_by_visible_text("hours")
    browser.find_element(By.CSS_SELECTOR, '#drip-days input[value="SUN"]').click()
    # A window open now in the zone chosen (it may span midnight).
    now = datetime.now(UTC)
    opens, closes = (now - timedelta(hours=1)).strftime("%H:00"), (now + timedelta(hours=2))
    for box, value in (("drip-from", opens), ("drip-to", closes.strftime("%H:00"))):
        browser.execute_script(f"document.getElementById('{box}').value = arguments[0]", value)
    zone = browser.find_element(By.ID, "drip-zone")
    zone.clear()
    zone.send_keys("UTC")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait.until(lambda b: "250 rows: action " in b.find_element(By.ID, "submit-note").text)
    action_id = browser.find_element(By.ID, "submit-note").text.rsplit(" ", 1)[1]

    shown = (await gql.data(DRIP_OF, id=action_id))["bulkAction"]
    # The window open now belongs to the day it opened (an hour ago: maybe yesterday, where
    # it spans midnight), Sunday's on a Monday before 1:00.
    opened_on_sunday = (now - timedelta(hours=1)).weekday() == 6
    assert shown["drip"] == {
        "batchSize": 50,
        "everySeconds": 3600,
        "days": ["MON", "TUE", "WED", "THU", "FRI", "SAT"],
        "window": {"from": opens, "to": closes.strftime("%H:00")},
        "timeZone": "UTC",
    }
    if opened_on_sunday:  # nothing starts now: the next batch is Monday's
        await gql.data("mutation($id: ID!) { cancelBulkAction(id: $id) { id } }", id=action_id)
        return
    row = f'tr[data-id="{action_id}"]'
    wait.until(
        lambda b: "1 batch · next batch" in b.find_element(By.CSS_SELECTOR, f"{row} .drip").text
    )
    assert browser.find_element(By.CSS_SELECTOR, f"{row} .by").text == f"by {account}"
    browser.find_element(By.CSS_SELECTOR, row).click()
    wait.until(lambda b: b.find_element(By.ID, "pace-form").is_displayed())
    assert "50 rows every 3600 s (UTC)" in browser.find_element(By.ID, "pace-now").text
    for box, value in (("pace-size", "200"), ("pace-every", "1")):
        field = browser.find_element(By.ID, box)
        field.clear()
        field.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "#pace-form button[type=submit]").click()
    wait.until(lambda b: "pace changed" in b.find_element(By.ID, "submit-note").text)
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, f"{row} .status").text == "COMPLETED")
    done = (await gql.data(DRIP_OF, id=action_id))["bulkAction"]
    assert done["stats"]["succeeded"] == 250
    assert (done["drip"]["batchSize"], done["drip"]["everySeconds"]) == (200, 1)
    assert done["drip"]["window"] == shown["drip"]["window"]  # kept as it was


DRIP_OF = """
query($id: ID!) {
  bulkAction(id: $id) {
    drip { batchSize everySeconds days window { from to } timeZone } stats { succeeded }
  }
}
"""


def test_a_hostile_header_shows_as_text_and_runs_nothing(
    api_url: str, account: str, browser: WebDriver, tmp_path: Path
) -> None:
    """A CSV from someone else, its header written to run in the page that shows it: the
    column map shows each cell as text (quoted cells read as CSV reads them) and runs none
    of it, so the operator's token stays theirs."""
    cells = [
        "email",
        "<img src=x onerror=window.hacked=1>",
        'x" autofocus onfocus="window.hacked=2',
        "Last, First",
    ]
    quoted = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
    source = tmp_path / "hostile.csv"
    source.write_text(f"{quoted}\nh@example.com,a,b,c\n")
    wait = signed_in(browser, api_url, account)
    browser.find_element(By.ID, "file").send_keys(str(source))
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#column-map select")) == 4)
    shown = [
        row.find_element(By.TAG_NAME, "td").text
        for row in browser.find_elements(By.CSS_SELECTOR, "#column-map tbody tr")
    ]
    assert shown == cells
    browser.find_elements(By.CSS_SELECTOR, "#column-map select")[2].click()
    assert browser.execute_script("return window.hacked") is None

"""The page as a person uses it: a real headless Chromium (Playwright) against ``attest serve``.

``attest serve`` runs as a subprocess on a free loopback port over a state that a real
``attest run`` filled with the generated samples. Chromium is Debian's (``apt-get install
chromium``; ``.ci/run`` installs it): Playwright never downloads a browser here. Screenshots
of every page, at a desktop and a phone width, go to ``$ATTEST_SCREENSHOTS`` (default: a
temporary folder).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from attest_pipeline.web.accounts import add_user
from tests.web_state import ACCENTED, DUPONT, filled_workspace, new_attestation

pytest.importorskip("playwright", reason="the test extra installs playwright")
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = {"bureau": 1280, "etroit": 390}


class Server:
    """``attest serve`` started as a user would, and the URL it printed."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"),
             "serve", "--port", "0", *args],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found is None:
            self.process.kill()
            raise AssertionError(f"attest serve did not start: {line}")
        self.url = found.group(0)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        assert self.process.stderr is not None
        return self.process.stderr.read()


def db(root: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(root / "state" / "attest.sqlite3")
    connection.row_factory = sqlite3.Row
    return connection


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ATTEST_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = filled_workspace(tmp_path_factory.mktemp("served"))
    server = Server(root)
    yield server
    assert "Traceback" not in server.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def shoot(browser: Browser, server: Server, shots: Path, name: str, path: str) -> None:
    """Screenshots of one page at each width; the page never scrolls sideways."""
    for label, width in WIDTHS.items():
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(server.url + path)
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=label == "bureau")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways at {width} px ({overflow} px)"
        context.close()


def test_every_page_at_two_widths(browser: Browser, served: Server, shots: Path) -> None:
    with db(served.root) as connection:
        item = connection.execute(
            "SELECT id FROM attestations WHERE status = 'review' AND rpps IS NOT NULL "
            "ORDER BY id LIMIT 1"
        ).fetchone()["id"]
    pages = {
        "accueil": "/",
        "deposer": "/deposer",
        "a-verifier": "/a-verifier",
        "a-verifier-element": f"/a-verifier/{item}",
        "labellisations": "/labellisations",
        "medecins": "/medecins",
        "dossier": f"/medecins/{DUPONT[0]}",
        "journal": "/journal",
    }
    for name, path in pages.items():
        shoot(browser, served, shots, name, path)
    assert len(list(shots.glob("*.png"))) >= 2 * len(pages)


def test_home_says_what_needs_a_person(page: Page, served: Server) -> None:
    page.goto(served.url)
    expect(page.locator("h1")).to_have_text("Accueil")
    with db(served.root) as connection:
        waiting = connection.execute(
            "SELECT COUNT(*) FROM attestations WHERE status = 'review'"
        ).fetchone()[0]
    expect(page.locator("[data-count=review]")).to_have_text(str(waiting))
    unknown = "Le participant n'est pas dans la liste des médecins suivis."
    expect(page.get_by_text(unknown)).to_be_visible()
    expect(page.get_by_text("Arrêtée")).to_be_visible()


def test_search_a_physician_typed_without_accents(page: Page, served: Server) -> None:
    page.goto(served.url + "/medecins")
    page.get_by_label("Nom ou RPPS").fill("lefevre rousseau")
    page.get_by_role("button", name="Chercher").click()
    rows = page.locator("table.physicians tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{ACCENTED[1]} {ACCENTED[2]}")
    page.get_by_label("Nom ou RPPS").fill(ACCENTED[0])
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text(f"{ACCENTED[1]} {ACCENTED[2]}")


def test_open_a_proof_pdf(page: Page, served: Server) -> None:
    page.goto(served.url + f"/medecins/{DUPONT[0]}")
    link = page.get_by_role("link", name="Voir la preuve (PDF)").first
    href = link.get_attribute("href")
    assert href
    answer = page.request.get(served.url + href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline")
    assert answer.body().startswith(b"%PDF-")
    with page.context.expect_page() as opened:
        link.click()
    assert opened.value.url == served.url + href


def test_requests_for_other_paths_or_unknown_ids_are_404(page: Page, served: Server) -> None:
    for path in (
        "/fichier/entry/..%2F..%2Fconfig.toml",
        "/fichier/original/..%2F..%2F..%2Fetc%2Fpasswd",
        "/fichier/entry/999999",
        "/fichier/original/0",
        "/fichier/nothing/1",
        "/static/..%2F..%2Fconfig.toml",
        "/apercu/attestation/999999/1.png",
    ):
        answer = page.request.get(served.url + path)
        assert answer.status == 404, path
        assert b"[paths]" not in answer.body() and b"root:" not in answer.body()
    page.goto(served.url + "/fichier/entry/999999")
    expect(page.locator("h1")).to_have_text("Introuvable")


def test_a_post_without_its_csrf_token_is_refused(page: Page, served: Server) -> None:
    page.goto(served.url + "/labellisations")
    first = page.locator("tr[data-label]").first
    ident = first.get_attribute("data-label")
    status = page.evaluate(
        """async (url) => (await fetch(url, {method: 'POST', body: 'note=x',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'}})).status""",
        f"{served.url}/labellisations/{ident}/accorder",
    )
    assert status == 400
    # The form itself, with its token taken out.
    first.locator("input[name=csrf]").first.evaluate("input => input.remove()")
    first.get_by_role("button", name="Accorder").click()
    expect(page.locator("h1")).to_have_text("Demande refusée")
    expect(page.get_by_text("CSRF")).to_be_visible()
    with db(served.root) as connection:
        decided = connection.execute(
            "SELECT COUNT(*) FROM label_decisions WHERE attestation_id = ?", (ident,)
        ).fetchone()[0]
    assert decided == 0


def test_upload_a_pdf_and_see_it_filed(page: Page, served: Server, tmp_path: Path) -> None:
    pdf = tmp_path / "Attestation asthme.pdf"
    pdf.write_bytes(new_attestation("Asthme de l'enfant en ville"))
    other = tmp_path / "note.pdf"
    other.write_bytes(b"not a pdf at all")
    page.goto(served.url + "/deposer")
    page.set_input_files("input[name=fichiers]", [str(pdf), str(other)])
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("2 fichier(s) déposé(s)")).to_be_visible()
    filed = page.locator("tr[data-outcome=file]")
    expect(filed).to_have_count(1, timeout=90_000)  # the page refreshes itself meanwhile
    expect(filed).to_contain_text("Attestation-asthme.pdf")
    expect(filed).to_contain_text("DUPONT Jean-Pierre")
    expect(filed).to_contain_text("action 1.A")
    expect(page.locator("tr[data-outcome=reject]")).to_contain_text(
        "Le nom finit par .pdf, mais le fichier n'est pas un PDF."
    )
    names = sorted(p.name for p in (served.root / "inbox").iterdir())
    assert names == []  # taken from the inbox, under the server's names
    with db(served.root) as connection:
        rows = connection.execute(
            "SELECT name FROM documents WHERE name LIKE 'depot-%' ORDER BY id"
        ).fetchall()
    assert [r["name"].split("-", 2)[2] for r in rows] == ["Attestation-asthme.pdf", "note.pdf"]


def test_drag_and_drop_uploads(page: Page, served: Server) -> None:
    import base64

    data = base64.b64encode(new_attestation("Vaccination de l'adulte", action="77777777777"))
    page.goto(served.url + "/deposer")
    page.evaluate(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const files = new DataTransfer();
            files.items.add(new File([bytes], "glisse.pdf", {type: "application/pdf"}));
            const zone = document.querySelector("[data-drop]");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: files, bubbles: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: files, bubbles: true}));
        }""",
        data.decode(),
    )
    expect(page.get_by_text("1 fichier(s) déposé(s)")).to_be_visible()
    row = page.locator("tr[data-upload$='-glisse.pdf']")
    expect(row).to_have_attribute("data-outcome", "file", timeout=90_000)


def test_resolve_a_review_item_through_the_form(page: Page, served: Server) -> None:
    # The RPPS read for BONNET Raphaël fails its check digit; the roster has the right one.
    with db(served.root) as connection:
        item = connection.execute(
            "SELECT id, bloc FROM attestations WHERE status = 'review' "
            "AND reasons LIKE '%invalid_rpps%' AND last_name = 'BONNET'"
        ).fetchone()
    ident, bloc = item["id"], item["bloc"]
    rpps = "10468644488"
    page.goto(served.url + f"/medecins/{rpps}")
    before = int(page.locator(f"[data-bloc-count='{bloc}']").inner_text().split("/")[0])

    page.goto(served.url + f"/a-verifier/{ident}")
    expect(page.get_by_text("Le numéro RPPS lu n'est pas valide")).to_be_visible()
    expect(page.locator("img[alt^='Page 1']")).to_be_visible()
    page.keyboard.press("m")  # the keyboard reaches the participant field
    page.keyboard.type(f"BONNET Raphaël ({rpps})")
    expect(page.locator("#medecin")).to_have_value(f"BONNET Raphaël ({rpps})")
    expect(page.locator("#action")).to_have_value("1.A")
    page.get_by_role("button", name="Classer").click()
    expect(page.get_by_text(f"Élément {ident} classé par")).to_be_visible()
    assert not page.url.endswith(f"/a-verifier/{ident}")  # the next item came

    page.goto(served.url + f"/medecins/{rpps}")
    expect(page.locator(f"[data-bloc-count='{bloc}']")).to_have_text(re.compile(rf"^{before + 1}/"))
    with db(served.root) as connection:
        decision = connection.execute(
            "SELECT by FROM review_decisions WHERE attestation_id = ?", (ident,)
        ).fetchone()
        journal = connection.execute(
            "SELECT detail FROM journal WHERE event = 'resolved' AND attestation_id = ?", (ident,)
        ).fetchone()
    assert decision["by"] == getpass.getuser()
    assert json.loads(journal["detail"])["by"] == getpass.getuser()


def test_a_refused_resolve_says_why_and_changes_nothing(page: Page, served: Server) -> None:
    with db(served.root) as connection:
        ident = connection.execute(
            "SELECT id FROM attestations WHERE status = 'review' AND reasons LIKE '%no_plugin%'"
        ).fetchone()["id"]
    page.goto(served.url + f"/a-verifier/{ident}")
    page.locator("#medecin").fill("personne")
    page.get_by_role("button", name="Classer").click()
    expect(page.get_by_text("Non classé")).to_be_visible()
    assert page.url.endswith(f"/a-verifier/{ident}")
    # The answer's text shows before its script has run: the shortcuts come with the
    # script, so the key waits for the page to have loaded.
    page.wait_for_load_state()
    page.keyboard.press("p")  # skip to the next item
    expect(page).not_to_have_url(re.compile(rf"/a-verifier/{ident}$"))
    page.goto(served.url + f"/a-verifier/{ident}")
    page.keyboard.press("r")
    page.keyboard.type("Courrier d'information, pas une attestation")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Élément {ident} rejeté.")).to_be_visible()
    with db(served.root) as connection:
        status = connection.execute(
            "SELECT status FROM attestations WHERE id = ?", (ident,)
        ).fetchone()["status"]
    assert status == "rejected"


def test_grant_a_labellisation(page: Page, served: Server) -> None:
    page.goto(served.url)
    pending = int(page.locator("[data-count=labels]").inner_text())
    page.goto(served.url + "/labellisations")
    row = page.locator("tr[data-label]").first
    ident = row.get_attribute("data-label")
    row.get_by_label("Note").fill("Commission du 1er décembre")
    row.get_by_role("button", name="Accorder").click()
    expect(page.get_by_text(f"Labellisation {ident} accordée.")).to_be_visible()
    expect(page.locator(f"tr[data-label='{ident}']")).to_have_count(0)
    page.get_by_role("link", name="Accordées").click()
    expect(page.locator(f"tr[data-label='{ident}']")).to_contain_text("labellisée")
    page.goto(served.url)
    expect(page.locator("[data-count=labels]")).to_have_text(str(pending - 1))
    answer = page.request.get(served.url + "/labellisations.csv")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    text = answer.body().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id;rpps;last_name")
    assert len(text.splitlines()) == pending  # header + the pending ones left


def test_journal_filters_by_physician_typed_without_accents(page: Page, served: Server) -> None:
    page.goto(served.url + "/journal")
    page.get_by_label("Médecin (nom ou RPPS)").fill("lefevre")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table.journal tbody tr")
    expect(rows.first).to_contain_text("LEFÈVRE-ROUSSEAU Anne-Sophie")
    assert rows.count() >= 1
    page.get_by_label("Événement").select_option("file")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows.first).to_contain_text("Classé")


def test_with_accounts_the_logged_in_person_decides(
    browser: Browser, tmp_path: Path, shots: Path
) -> None:
    root = filled_workspace(tmp_path, extra='\n[serve]\naccounts = "users"\n')
    add_user(root / "users", "claire", "motdepasse1")
    server = Server(root)
    try:
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.goto(server.url + "/labellisations")
        expect(page.locator("h1")).to_have_text("Connexion")
        page.screenshot(path=str(shots / "connexion-bureau.png"))
        page.get_by_label("Nom").fill("claire")
        page.get_by_label("Mot de passe").fill("mauvais mot")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_text("Nom ou mot de passe incorrect.")).to_be_visible()
        page.get_by_label("Nom").fill("claire")
        page.get_by_label("Mot de passe").fill("motdepasse1")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.locator("h1")).to_have_text("Labellisations par le CNP")
        row = page.locator("tr[data-label]").first
        ident = row.get_attribute("data-label")
        row.get_by_label("Raison du refus").fill("Action financée par l'industrie")
        row.get_by_role("button", name="Refuser").click()
        expect(page.get_by_text(f"Labellisation {ident} refusée.")).to_be_visible()
        with db(root) as connection:
            by = connection.execute(
                "SELECT by FROM label_decisions WHERE attestation_id = ?", (ident,)
            ).fetchone()["by"]
        assert by == "claire"
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.locator("h1")).to_have_text("Connexion")
        context.close()
    finally:
        assert "Traceback" not in server.stop()


def test_beside_attest_watch(page: Page, tmp_path: Path) -> None:
    root = filled_workspace(tmp_path)
    watch = subprocess.Popen(
        [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"),
         "watch", "--polling"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(root)
    try:
        deadline = time.monotonic() + 60
        page.goto(server.url)
        while "En marche" not in page.content() and time.monotonic() < deadline:
            time.sleep(0.5)
            page.reload()
        expect(page.get_by_text("En marche")).to_be_visible()
        pdf = tmp_path / "veille.pdf"
        pdf.write_bytes(new_attestation("Dépistage du diabète", action="55555555555"))
        page.goto(server.url + "/deposer")
        page.set_input_files("input[name=fichiers]", str(pdf))
        page.get_by_role("button", name="Déposer").click()
        expect(page.locator("tr[data-outcome=file]")).to_have_count(1, timeout=90_000)
        with db(root) as connection:
            ident = connection.execute(
                "SELECT id FROM attestations WHERE status = 'review' AND reasons LIKE "
                "'%no_plugin%'"
            ).fetchone()["id"]
        page.goto(server.url + f"/a-verifier/{ident}")
        page.get_by_label("Raison").fill("Programme de formation, pas une attestation")
        page.get_by_role("button", name="Rejeter").click()
        expect(page.get_by_text(f"Élément {ident} rejeté.")).to_be_visible()
    finally:
        assert "Traceback" not in server.stop()
        watch.send_signal(signal.SIGTERM)
        out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    assert "veille.pdf" in out  # the watcher filed the upload; the page's run left it alone

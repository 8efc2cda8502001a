"""The web workspace (services/gateway/web) in Debian's Chromium, driven by playwright-core.

Each test prepares what it needs through the API (keys, matters, documents), then runs one
scenario of ``services/gateway/web/e2e/ui.mjs`` against the running system: sign in and
search (facets, a shared URL, the suggestion on zero hits); a scanned PDF's hit opened on its
page image with the highlight box where ``/text?words=true`` puts the word; a recording
opened at its second and a word clicked to seek; a matter opened, a member added, then
screened, with the member's own browser context seeing nothing of it. Every screen is checked
with axe-core (no serious or critical violation) and for CSP violations, and photographed
into tests/artifacts/ui (LEXSTREAM_UI_ARTIFACTS), which docs/ui.md shows.

Needs node, the workspace built (``make up`` / ``make test`` do it: ``npm ci && npm run
build`` in services/gateway/web) and ``apt-get install chromium``.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import shutil
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.samples import JFK_FLAC, SCANNED_COURT_PDF, sample
from tests.support.gateway import upload_document
from tests.support.video import speech_video

# A real browser on a machine shared with five services: one re-run of the same assertions
# (with a new browser); a real defect fails both.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900), pytest.mark.flaky(reruns=1)]

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "services" / "gateway" / "web"
DRIVER = WEB / "e2e" / "ui.mjs"
BUILT = ROOT / "services" / "gateway" / "src" / "lexstream" / "gateway" / "web" / "dist"
ARTIFACTS = Path(os.environ.get("LEXSTREAM_UI_ARTIFACTS", ROOT / "tests" / "artifacts" / "ui"))
CHROMIUM = Path(os.environ.get("LEXSTREAM_CHROMIUM", "/usr/bin/chromium"))

if shutil.which("node") is None or not (WEB / "node_modules" / "playwright-core").exists():
    pytest.skip(
        "needs node and the workspace's packages: cd services/gateway/web && npm ci",
        allow_module_level=True,
    )
if not (BUILT / "index.html").exists():
    pytest.skip(
        "the workspace is not built: cd services/gateway/web && npm run build",
        allow_module_level=True,
    )
if not CHROMIUM.exists():
    pytest.skip("needs Debian's Chromium: apt-get install -y chromium", allow_module_level=True)


def run_scenario(name: str, context: dict[str, Any]) -> dict[str, Any]:
    """Run one browser scenario; its outcome (screens audited, measures), or a failure with
    what the browser saw."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LEXSTREAM_UI_CONTEXT": json.dumps(context),
        "LEXSTREAM_UI_ARTIFACTS": str(ARTIFACTS),
        "LEXSTREAM_CHROMIUM": str(CHROMIUM),
    }
    done = subprocess.run(
        ["node", str(DRIVER), name],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    outcome: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    ok = done.returncode == 0 and bool(outcome.get("ok"))
    assert ok, (
        f"scenario {name} failed (exit {done.returncode}): error={outcome.get('error')}\n"
        f"problems={outcome.get('problems')}\nstderr={done.stderr[-3000:]}"
    )
    assert outcome["screens"], "the scenario audited no screen"
    assert all(screen["serious"] == 0 for screen in outcome["screens"])
    return outcome


def _key(admin: httpx.Client, subject: str, scopes: list[str]) -> str:
    response = admin.post("/v1/apikeys", json={"subject": subject, "name": "ui", "scopes": scopes})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


@pytest.fixture(scope="module")
def workspace(running_system: RunningSystem) -> dict[str, Any]:
    """An editor of a fresh matter, with a key, and an admin key."""
    run = secrets.token_hex(3)
    matter = f"UI-{run}"
    with running_system.client() as admin:
        created = admin.post("/v1/matters", json={"matter_id": matter, "name": f"Workspace {run}"})
        assert created.status_code == 201, created.text
        editor = f"ui-editor-{run}"
        answer = admin.put(f"/v1/matters/{matter}/members/{editor}", json={"role": "editor"})
        assert answer.status_code == 200, answer.text
        return {
            "url": running_system.gateway_url,
            "run": run,
            "matter": matter,
            "editor_subject": editor,
            "editor_key": _key(admin, editor, ["read", "write"]),
            "admin_key": _key(admin, f"ui-admin-{run}", ["admin"]),
        }


def _indexed(system: RunningSystem, admin: httpx.Client, document_id: str) -> None:
    final = system.wait_terminal(admin, document_id)
    assert final["status"] == "indexed", final


def test_sign_in_search_facets_shared_url_and_suggestion(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    run = workspace["run"]
    # a word of this run's own, so that its misspelling can only be corrected to it
    word = "marmalade" + "".join(chr(ord("a") + int(c, 16)) for c in run)
    text = f"Quixotic filing {run}. The tribunal finds the {word} clause void."
    with running_system.client() as admin:
        document_id = upload_document(
            admin, workspace["matter"], f"filing-{run}.txt", text.encode(), "text/plain"
        )
        _indexed(running_system, admin, document_id)
    outcome = run_scenario(
        "sign-in-and-search",
        {
            **workspace,
            "document_id": document_id,
            "query": f"quixotic {run}",
            "misspelled": word[:4] + word[5:],  # one letter left out
        },
    )
    assert outcome["measures"]["suggestion"] == word


def _distinct_word(text: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A long, confidently read word found on one page only: (page number, box, page)."""
    pages_of: dict[str, set[int]] = {}
    for page in text["pages"]:
        for word in page.get("words") or []:
            plain = re.sub(r"\W", "", word["text"].lower())
            pages_of.setdefault(plain, set()).add(page["number"])
    for page in text["pages"]:
        if not page.get("width") or not page.get("height"):
            continue
        for word in page.get("words") or []:
            plain = re.sub(r"\W", "", word["text"].lower())
            confident = (word.get("confidence") or 100) >= 85
            if (
                plain.isalpha()
                and len(plain) >= 8
                and confident
                and pages_of[plain] == {page["number"]}
            ):
                return page["number"], word, page
    raise AssertionError("the scanned PDF has no distinct word to look for")


def test_a_scanned_pdf_hit_draws_the_word_box_on_the_page_image(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    with running_system.client() as admin:
        data = sample(SCANNED_COURT_PDF).read_bytes()
        document_id = upload_document(
            admin, workspace["matter"], "scan.pdf", data, "application/pdf"
        )
        _indexed(running_system, admin, document_id)
        response = admin.get(f"/v1/documents/{document_id}/text", params={"words": "true"})
        assert response.status_code == 200, response.text
        assert any(page["method"] == "ocr" for page in response.json()["pages"])
    number, box, page = _distinct_word(response.json())
    outcome = run_scenario(
        "scanned-page-highlight",
        {
            **workspace,
            "document_id": document_id,
            "word": re.sub(r"\W", "", box["text"]).lower(),
            "page": number,
            "box": box,
            "page_width": page["width"],
            "page_height": page["height"],
        },
    )
    assert outcome["measures"]["best_overlap"] > 0.5


def test_a_recording_hit_opens_the_player_at_its_second_and_a_word_seeks(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    with running_system.client() as admin:
        data = sample(JFK_FLAC).read_bytes()
        document_id = upload_document(admin, workspace["matter"], "jfk.flac", data, "audio/flac")
        _indexed(running_system, admin, document_id)
    outcome = run_scenario(
        "recording-seek", {**workspace, "document_id": document_id, "query": '"your country"'}
    )
    measures = outcome["measures"]
    assert measures["start"] <= measures["position"] + 0.01 < measures["start"] + 5


def test_a_video_plays_with_its_transcript_as_captions_and_a_word_seeks(
    running_system: RunningSystem, workspace: dict[str, Any], tmp_path: Path
) -> None:
    """A WebM hearing clip (VP8 picture, Opus speech) is transcribed like any recording; its
    viewer is a video player whose captions track holds the transcript's cues."""
    said = "Counsel for the defendant showed the court exhibit fourteen, the signed lease."
    clip = speech_video(said, tmp_path / "hearing-clip.webm")
    with running_system.client() as admin:
        document_id = upload_document(
            admin, workspace["matter"], "hearing-clip.webm", clip.read_bytes(), "video/webm"
        )
        _indexed(running_system, admin, document_id)
        metadata = admin.get(f"/v1/documents/{document_id}").json()
        assert metadata["media_type"] == "video/webm"
        transcript = admin.get(f"/v1/documents/{document_id}/transcript").json()
    heard = " ".join(s["text"] for s in transcript["segments"]).lower()
    assert "exhibit" in heard, heard
    outcome = run_scenario("video-captions", {**workspace, "document_id": document_id})
    measures = outcome["measures"]
    assert measures["video_width"] == 320  # the picture decoded, not just the sound
    assert "exhibit" in measures["cues"].lower(), measures["cues"]
    assert measures["position"] == pytest.approx(measures["seek_to"], abs=0.5)


def test_a_screened_member_sees_nothing_of_the_matter_in_their_own_browser(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    run = secrets.token_hex(3)
    member = f"ui-member-{run}"
    with running_system.client() as admin:
        member_key = _key(admin, member, ["read"])
    outcome = run_scenario(
        "matter-member-screen",
        {
            **workspace,
            "matter": f"WALL-{run}",
            "matter_name": f"Walled matter {run}",
            "member_subject": member,
            "member_key": member_key,
            "token": f"wallpaper{run}",
        },
    )
    document_id = outcome["measures"]["document_id"]
    with running_system.client() as admin:
        metadata = admin.get(f"/v1/documents/{document_id}").json()
        assert metadata["matter_id"] == f"WALL-{run}"
        # the browser's view is the API's: the screened member's key finds nothing either
        with httpx.Client(
            base_url=running_system.gateway_url, headers={"X-API-Key": member_key}
        ) as screened:
            assert screened.get(f"/v1/documents/{document_id}").status_code == 404
            assert screened.get("/v1/search", params={"q": f"wallpaper{run}"}).json()["total"] == 0


def test_ten_files_dropped_on_a_matter_reach_indexed_on_its_board(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    token = f"board{secrets.token_hex(3)}"
    outcome = run_scenario("upload-ten", {**workspace, "token": token})
    ids = outcome["measures"]["document_ids"]
    assert len(set(ids)) == 10
    with running_system.client() as admin:
        for document_id in ids:
            metadata = admin.get(f"/v1/documents/{document_id}").json()
            assert (metadata["status"], metadata["matter_id"]) == ("indexed", workspace["matter"])
        board = admin.get(f"/v1/matters/{workspace['matter']}/board").json()
    # the board the page showed is the server's count of the matter's indexed documents
    assert outcome["measures"]["board_indexed"] == board["by_status"]["indexed"] >= 10


def test_an_admin_creates_finds_in_the_audit_trail_and_revokes_a_key(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    run = secrets.token_hex(3)
    outcome = run_scenario(
        "admin-keys-audit",
        {**workspace, "key_subject": f"ui-service-{run}", "key_name": f"scanner {run}"},
    )
    with running_system.client() as admin:
        keys = {k["key_id"]: k for k in admin.get("/v1/apikeys").json()["keys"]}
    key = keys[outcome["measures"]["key_id"]]
    assert (key["subject"], key["scopes"], key["revoked"]) == (f"ui-service-{run}", ["read"], True)


def _email(run: str) -> tuple[bytes, dict[str, str]]:
    """An e-mail with one text attachment, and the headers the viewer must show."""
    headers = {
        "sender": f"counsel-{run}@example.com",
        "subject": f"Disclosure {run}",
        "attachment": f"exhibit-{run}.txt",
    }
    message = EmailMessage()
    message["From"] = f"Counsel {run} <{headers['sender']}>"
    message["To"] = "court@example.org"
    message["Cc"] = "clerk@example.org"
    message["Subject"] = headers["subject"]
    message["Date"] = "Tue, 03 Mar 2026 10:15:00 +0000"
    message["Message-ID"] = f"<{run}@example.com>"
    message.set_content(f"Please find the exhibit {run} attached.")
    message.add_attachment(
        f"Exhibit {run}: the signed contract.".encode(),
        maintype="text",
        subtype="plain",
        filename=headers["attachment"],
    )
    return message.as_bytes(), headers


def _attachment(system: RunningSystem, admin: httpx.Client, email_id: str) -> dict[str, Any]:
    """The e-mail's attachment, once the pipeline has made it a child document and indexed it."""
    deadline = time.monotonic() + 240
    children: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        children = admin.get(f"/v1/documents/{email_id}/children").json()["children"]
        if children:
            _indexed(system, admin, children[0]["document_id"])
            return children[0]
        time.sleep(1)
    raise AssertionError(f"the e-mail {email_id} got no attachment: {children}")


def test_authority_facet_saved_searches_and_an_emails_attachments(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    run = workspace["run"] + secrets.token_hex(2)
    text = (
        f"Opinion {run}. The processing is lawful under Article 6(1)(f) GDPR, the controller's "
        "legitimate interest prevailing."
    )
    email, headers = _email(run)
    with running_system.client() as admin:
        document_id = upload_document(
            admin, workspace["matter"], f"opinion-{run}.txt", text.encode(), "text/plain"
        )
        email_id = upload_document(
            admin, workspace["matter"], f"mail-{run}.eml", email, "message/rfc822"
        )
        _indexed(running_system, admin, document_id)
        _indexed(running_system, admin, email_id)
        child = _attachment(running_system, admin, email_id)
        facets = admin.get("/v1/search", params={"q": f"opinion {run}"}).json()["facets"]
        authorities = [b["value"] for b in facets.get("authority", [])]
        # the GDPR as a whole (its canonical id), whichever provision the document cites
        authority = next((a for a in authorities if "32016R0679" in a), None)
        assert authority, f"no GDPR in the authority facet: {authorities}"
        thread = admin.get(f"/v1/documents/{email_id}/thread").status_code == 200
    outcome = run_scenario(
        "saved-search-authority-email",
        {
            **workspace,
            "query": f"opinion {run}",
            "document_id": document_id,
            "authority": authority,
            "saved_name": f"GDPR opinions {run}",
            "email_id": email_id,
            "attachment_id": child["document_id"],
            "attachment_name": headers["attachment"],
            "thread": thread,
            "sender": headers["sender"],
            "subject": headers["subject"],
        },
    )
    # headers are shown exactly where the gateway serves the thread (GET /thread)
    assert outcome["measures"]["headers_shown"] == (1 if thread else 0)
    with httpx.Client(
        base_url=running_system.gateway_url, headers={"X-API-Key": workspace["editor_key"]}
    ) as editor:
        left = editor.get("/v1/saved-searches").json()["saved_searches"]
    # saved, then deleted in the browser: nothing of it is left
    assert outcome["measures"]["saved_search_id"]
    assert all(s["search_id"] != outcome["measures"]["saved_search_id"] for s in left)


HOSTILE = '<img src=x onerror="window.pwned=1"><b>bold</b>'


def test_names_and_text_with_html_are_shown_as_text(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    """The old page's test (tests/e2e/test_gateway_browser.py), on the workspace."""
    run = secrets.token_hex(3)
    matter = f"HTML-{run}"
    filename = f"{HOSTILE}-{run}.txt"
    content = f"{HOSTILE} Quixotic filing {run}.\n{HOSTILE} the quixotic clause."
    with running_system.client() as admin:
        created = admin.post("/v1/matters", json={"matter_id": matter, "name": f"{HOSTILE} {run}"})
        assert created.status_code == 201, created.text
        member = admin.put(
            f"/v1/matters/{matter}/members/{workspace['editor_subject']}", json={"role": "editor"}
        )
        assert member.status_code == 200, member.text
        document_id = upload_document(admin, matter, filename, content.encode(), "text/plain")
        _indexed(running_system, admin, document_id)
        metadata = admin.get(f"/v1/documents/{document_id}").json()
    run_scenario(
        "html-as-text",
        {
            **workspace,
            "matter": matter,
            "hostile": HOSTILE,
            "query": f"quixotic {run}",
            "document_id": document_id,
            "title": metadata["title"] or metadata["filename"],
            "filename": metadata["filename"],
        },
    )


def _words(seed: int, count: int) -> list[str]:
    """Words of no language (so no other document of the index shares them)."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mer", "tis", "an", "dru", "pe", "sol", "vin", "ra", "qu", "ed"]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def test_near_duplicates_are_grouped_in_search_and_listed_on_the_document(
    running_system: RunningSystem, workspace: dict[str, Any]
) -> None:
    run = workspace["run"]
    marker = f"palimpsest{run}"
    text = _words(int(run, 16), 400)
    text[50] = marker
    copy = list(text)
    del copy[200:206]  # a later draft: six words gone
    other = _words(int(run, 16) + 1, 400)
    other[50] = marker
    ids = {}
    with running_system.client() as admin:
        for name, words in (("first", text), ("second", copy), ("other", other)):
            ids[name] = upload_document(
                admin,
                workspace["matter"],
                f"{name}-{run}.txt",
                " ".join(words).encode(),
                "text/plain",
            )
            _indexed(running_system, admin, ids[name])  # in order: the first is the principal
        group = admin.get(f"/v1/documents/{ids['second']}/near-duplicates").json()
    assert [n["document_id"] for n in group["near_duplicates"]] == [ids["first"]], group
    outcome = run_scenario("near-duplicates", {**workspace, **ids, "query": marker})
    assert outcome["measures"]["similarity"] >= 0.8
    assert ids["other"] in outcome["measures"]["collapsed"]

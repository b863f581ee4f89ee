"""Captures in Chromium are files, never pages: a page or drawing a reporter uploads is refused,
one already in the library downloads instead of running as the editor who opens it, and photos
and clips still show and play where the newsroom looks at them."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import av
import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from events.base import Location
from hub.commands.stories import DraftStory, SubmitStory
from hub.demo_pictures import landscape
from tests.browser.conftest import LiveHub, an_assignment, an_upload, now, shoot, sign_in
from tests.browser.test_newsroom_flow import PHONE
from tests.conftest import Staff
from tests.web.test_uploads import metadata

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
FORGED_TITLE = "冒名稿件"

# What a hostile file would do in the hub's origin: take the editor's CSRF token and write a
# story in the editor's name. It says so on the console first, so a test sees that it ran at all.
ATTACK = f"""
console.log("uploaded script ran");
fetch("/api/me").then((r) => r.json()).then((me) => fetch("/api/stories", {{
  method: "POST",
  headers: {{"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token,
            "Idempotency-Key": "forged-" + Math.random()}},
  body: JSON.stringify({{title: "{FORGED_TITLE}", body: "written by an uploaded file"}}),
}}));
"""
SCRIPT = ("stats.js", "text/javascript")


def page(script: str) -> bytes:
    """A page whose script runs inline, and again from `script` (a file on the hub itself, which
    a page policy of `script-src 'self'` alone would let run)."""
    return (
        f"<!doctype html><html><body><h1>现场图集</h1><script>{ATTACK}</script>"
        f'<script src="{script}"></script></body></html>'
    ).encode()


def drawing(script: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        f"<script><![CDATA[{ATTACK}]]></script><script href='{script}'/>"
        "<circle cx='20' cy='20' r='10'/></svg>"
    ).encode()


def hostile(script: str) -> dict[str, tuple[str, bytes]]:
    """The files of the attack: name -> (declared type, content)."""
    return {
        "现场.html": ("text/html", page(script)),
        "示意图.svg": ("image/svg+xml", drawing(script)),
    }


def tus_upload(
    hub: LiveHub, staff: Staff, who: str, name: str, declared: str, data: bytes
) -> httpx.Response:
    """Uploads a whole file in one PATCH as `who` and answers the last response."""
    auth = {"Authorization": f"Bearer {staff.tokens[who]}", "Tus-Resumable": "1.0.0"}
    with httpx.Client(base_url=hub.url, headers=auth, timeout=20) as client:
        about = metadata(filename=name, filetype=declared)
        created = client.post(
            "/api/uploads", headers={"Upload-Length": str(len(data)), "Upload-Metadata": about}
        )
        assert created.status_code == 201, created.text
        return client.patch(
            created.headers["location"],
            content=data,
            headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        )


class Watched:
    """A tab of the editor's that notes what scripts in it say and ask for."""

    def __init__(self, tab: Page) -> None:
        self.tab = tab
        self.said: list[str] = []
        self.asked: list[str] = []
        tab.on("console", lambda message: self.said.append(message.text))
        tab.on("request", lambda request: self.asked.append(f"{request.method} {request.url}"))

    def open(self, url: str) -> str:
        """Opens the URL as a person would (typed or followed): 'download' or 'page'."""
        try:
            self.tab.goto(url)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            return "download"
        self.tab.wait_for_load_state("networkidle")  # a script that ran has finished its writes
        return "page"

    def scripts_ran(self) -> list[str]:
        calls = [a for a in self.asked if "/api/me" in a or a.startswith("POST")]
        return [s for s in self.said if "uploaded script ran" in s] + calls


def stories_written(hub: LiveHub) -> list[str]:
    """The topics of every story event in the log (the forged story would be one)."""
    log = hub.rt.newsroom.store.read_log(after=0, limit=10_000)
    return [n.topic for n in log if "Story" in n.topic]


def assert_nothing_forged(hub: LiveHub, staff: Staff, watched: Watched) -> None:
    assert watched.scripts_ran() == []
    assert stories_written(hub) == []
    answer = httpx.get(
        f"{hub.url}/api/stories", headers={"Authorization": f"Bearer {staff.tokens['eddie']}"}
    )
    assert answer.status_code == 200 and answer.json()["stories"] == []


def test_an_uploaded_page_or_drawing_never_runs_as_the_editor(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    name, declared = SCRIPT
    answers = {name: tus_upload(hub, staff, "rui", name, declared, ATTACK.encode())}
    script = f"/api/captures/{answers[name].headers.get('capture-id')}/file"
    for name, (declared, data) in hostile(script).items():
        answers[name] = tus_upload(hub, staff, "rui", name, declared, data)
    editor = sign_in(browser, hub, "eddie", "review", **DESKTOP)
    watched = Watched(editor.context.new_page())
    listed = httpx.get(
        f"{hub.url}/api/captures", headers={"Authorization": f"Bearer {staff.tokens['eddie']}"}
    ).json()["captures"]
    for capture in listed:  # whatever the hub took, the editor opens
        watched.open(f"{hub.url}{capture['file']}")
    assert_nothing_forged(hub, staff, watched)

    # The hub took none: the uploader was told why, and the files are gone.
    for name, answer in answers.items():
        assert answer.status_code == 422, (name, answer.status_code, answer.text)
        assert answer.json()["error"]["code"] == "upload_refused"
        assert name in answer.json()["error"]["message"]
        assert "capture-id" not in answer.headers
    assert listed == []
    assert list((hub.settings.data_dir / "uploads").glob("*.data")) == []
    refused = httpx.get(
        f"{hub.url}/api/captures/refused",
        headers={"Authorization": f"Bearer {staff.tokens['eddie']}"},
    ).json()["refused"]
    assert sorted(r["filename"] for r in refused) == sorted(answers)
    assert {r["owner"] for r in refused} == {"rui"}
    assert all(r["reason"] and r["detected_type"] is None for r in refused)


def a_file_in_the_library(
    hub: LiveHub, staff: Staff, name: str, declared: str, data: bytes
) -> UUID:
    """A capture as a hub that trusted the sender's word about a file's type registered it."""
    return an_upload(hub, staff, data, name, declared)


def a_clip(folder: Path) -> bytes:
    """Two seconds of VP8 in WebM, made with PyAV (Chromium plays it without extra codecs)."""
    path = folder / "clip.webm"
    with av.open(str(path), "w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame(160, 120, "rgb24")
            frame.planes[0].update(bytes([i * 12, 90, 200 - i * 8]) * (160 * 120))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


def test_a_page_already_in_the_library_downloads_and_media_still_plays(
    browser: Browser, hub: LiveHub, staff: Staff, tmp_path: Path
) -> None:
    name, declared = SCRIPT
    script = a_file_in_the_library(hub, staff, name, declared, ATTACK.encode())
    files = hostile(f"/api/captures/{script}/file")
    pages = [a_file_in_the_library(hub, staff, n, t, d) for n, (t, d) in files.items()]
    photo = a_file_in_the_library(hub, staff, "湿地.png", "image/png", landscape(3))
    clip = a_file_in_the_library(hub, staff, "候鸟.webm", "video/webm", a_clip(tmp_path))
    editor = sign_in(browser, hub, "eddie", "review", **DESKTOP)
    watched = Watched(editor.context.new_page())
    for capture in (script, *pages):
        assert watched.open(f"{hub.url}/api/captures/{capture}/file") == "download"
    assert_nothing_forged(hub, staff, watched)
    # Nor does the script run when a hub page names it (as an injected tag would).
    review = Watched(editor)
    with pytest.raises(PlaywrightError, match="Failed to load script"):
        editor.add_script_tag(url=f"/api/captures/{script}/file")
    editor.wait_for_load_state("networkidle")
    assert_nothing_forged(hub, staff, review)

    # A photo opened on its own still shows; in a story under review it shows and the clip plays.
    assert watched.open(f"{hub.url}/api/captures/{photo}/file") == "page"
    expect(watched.tab.locator("img")).to_have_js_property("naturalWidth", 480)
    newsroom = hub.rt.newsroom
    story = newsroom.handle(
        now(staff, "rui"),
        DraftStory(assignment=None, title="候鸟回来了", body="一群。", captures=[photo, clip]),
    ).id
    newsroom.handle(now(staff, "rui"), SubmitStory(id=story))
    ranges: list[int] = []
    editor.on("response", lambda r: ranges.append(r.status) if f"{clip}/file" in r.url else None)
    editor.reload()
    editor.locator("#queue button", has_text="候鸟回来了").click()
    # Checked from Playwright's own world: the page's policy allows no string evaluation.
    expect(editor.locator(".captures img")).to_have_js_property("naturalWidth", 480)
    video = editor.locator(".captures video")
    expect(video).to_have_js_property("duration", 2)  # its metadata came, by Range
    assert 206 in ranges
    shoot(editor, "review-photo-and-clip")
    assert editor.page_errors == []  # type: ignore[attr-defined]


def test_the_phone_says_what_was_refused(browser: Browser, hub: LiveHub, staff: Staff) -> None:
    an_assignment(hub, staff, "东桥水位", Location("东桥", 29.8712, 121.5431), channels=["app"])
    phone = sign_in(browser, hub, "rui", "reporter", **PHONE)
    task = phone.locator(".task", has_text="东桥水位")
    declared, data = hostile("/static/js/common.js")["现场.html"]
    task.locator("input[type=file]").set_input_files(
        files=[{"name": "现场.html", "mimeType": declared, "buffer": data}]
    )
    expect(task.locator(".upload .status")).to_contain_text("未收下 现场.html", timeout=20_000)
    expect(task.locator(".upload .status")).to_have_class("status bad")
    mine = phone.locator("#captures li")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("现场.html")
    expect(mine.first.locator(".tag")).to_have_text("未收下")
    expect(mine.first).to_contain_text("无法识别的文件类型")
    shoot(phone, "reporter-upload-refused", full_page=False)

    # A photo goes in beside it, and is listed first.
    task.locator("input[type=file]").set_input_files(
        files=[{"name": "水位.png", "mimeType": "image/png", "buffer": landscape(1)}]
    )
    expect(task.locator(".upload .status")).to_have_text("已上传 水位.png", timeout=20_000)
    expect(mine).to_have_count(2)
    expect(mine.first).to_contain_text("水位.png")
    shoot(phone, "reporter-refused-upload")
    assert phone.page_errors == []  # type: ignore[attr-defined]

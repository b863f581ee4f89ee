"""`/hls/{output}/...` serves an output's playlist and segments, and nothing else."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from hub.media.program.hls import hls_folder, hls_mount


@pytest.fixture
def client(tmp_path: Path) -> httpx.AsyncClient:
    folder = tmp_path / "main"
    folder.mkdir()
    (folder / "index.m3u8").write_text("#EXTM3U\n#EXTINF:1.0,\nseg17.ts\n")
    (folder / "seg17.ts").write_bytes(b"\x47" * 188)
    (tmp_path / "secret.txt").write_text("not for you")
    app = Starlette(routes=[hls_mount(tmp_path)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


async def test_the_playlist_is_served_fresh(client: httpx.AsyncClient) -> None:
    response = await client.get("/hls/main/index.m3u8")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert response.headers["cache-control"] == "no-cache"
    assert "seg17.ts" in response.text


async def test_a_segment_is_served_cacheable(client: httpx.AsyncClient) -> None:
    response = await client.get("/hls/main/seg17.ts")

    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp2t"
    assert response.headers["cache-control"] == "max-age=60"
    assert response.content == b"\x47" * 188


@pytest.mark.parametrize(
    "path",
    ["/hls/main/seg18.ts", "/hls/other/index.m3u8", "/hls/main/x.txt", "/hls/main/seg1.ts.tmp"],
)
async def test_anything_else_is_not_found(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/hls/main/../secret.txt", "/hls/main/..%2Fsecret.txt"])
async def test_nothing_outside_the_outputs_folders(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404


def test_an_output_name_must_be_fit_for_a_folder(tmp_path: Path) -> None:
    assert hls_folder(tmp_path, "main-2") == tmp_path / "main-2"
    with pytest.raises(ValueError, match="letters, digits"):
        hls_folder(tmp_path, "../etc")

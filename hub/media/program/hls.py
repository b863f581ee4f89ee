"""HLS for a program output (RFC 8216): FFmpeg's segmenter writes short MPEG-TS segments and a
sliding playlist into the output's folder, and a Starlette route serves them at
`/hls/{output}/index.m3u8`.

Segments and the playlist are written under a temporary name and renamed (`temp_file`), so a
player never reads half a file. Segment numbers start from the clock (`epoch`): a restarted
output never reuses a number a player may have cached.
"""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import av
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from hub.media.program.encoder import OutputPacket, StreamParams
from hub.media.program.sink import PacketSink, ProgramMux, Report

PLAYLIST = "index.m3u8"
OUTPUT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
FILE_NAME = re.compile(r"index\.m3u8|seg[0-9]{1,20}\.ts")
CONTENT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}


class HlsSink(PacketSink):
    """Segments the program into `folder`; a reopened segmenter appends to the playlist."""

    def __init__(
        self,
        folder: Path,
        params: StreamParams,
        report: Report,
        *,
        segment_seconds: float = 1.0,
        list_size: int = 6,
    ) -> None:
        super().__init__("hls", params, report, max_packets=params.fps * 10)
        self.folder = folder
        self.segment_seconds, self.list_size = segment_seconds, list_size
        self._mux: ProgramMux | None = None
        self._started_before = False

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        flags = "delete_segments+independent_segments+temp_file+program_date_time"
        if self._started_before:
            flags += "+append_list+discont_start"
        else:
            for stale in self.folder.glob("*"):
                if stale.suffix in (".ts", ".m3u8", ".tmp"):
                    stale.unlink()
        options = {
            "hls_time": f"{self.segment_seconds:g}",
            "hls_list_size": str(self.list_size),
            "hls_delete_threshold": "2",
            "hls_flags": flags,
            "hls_start_number_source": "epoch",
            "hls_segment_filename": str(self.folder / "seg%d.ts"),
        }
        container = av.open(str(self.folder / PLAYLIST), "w", format="hls", options=options)
        self._mux = ProgramMux(container, self.params)
        self._started_before = True
        self.mark_live()

    def write(self, packet: OutputPacket) -> None:
        assert self._mux is not None, "written only while open"
        self._mux.write(packet)

    def close_output(self, clean: bool) -> None:
        mux, self._mux = self._mux, None
        if mux is not None:
            mux.close()  # a clean close ends the playlist (EXT-X-ENDLIST)


def hls_folder(root: Path, output: str) -> Path:
    if not OUTPUT_NAME.fullmatch(output):
        raise ValueError(f"an output name is 1-64 letters, digits, - or _, not {output!r}")
    return root / output


def hls_mount(root: Path) -> Mount:
    """Serves every output's HLS: mount it in the app's routes."""

    async def serve(request: Request) -> Response:
        output, name = request.path_params["output"], request.path_params["name"]
        if not OUTPUT_NAME.fullmatch(output) or not FILE_NAME.fullmatch(name):
            return _not_found(output, name)
        path = root / output / name
        try:
            body = await anyio.to_thread.run_sync(path.read_bytes)
        except FileNotFoundError:  # not written yet, or already slid out of the playlist
            return _not_found(output, name)
        suffix = path.suffix
        # The playlist changes every segment; a segment never changes once it is listed.
        cache = "no-cache" if suffix == ".m3u8" else "max-age=60"
        return Response(body, media_type=CONTENT_TYPES[suffix], headers={"Cache-Control": cache})

    return Mount("/hls", routes=[Route("/{output}/{name}", serve, methods=["GET", "HEAD"])])


def _not_found(output: str, name: str) -> JSONResponse:
    error = {"code": "not_found", "message": f"output {output!r} has no HLS file {name!r}"}
    return JSONResponse({"error": error}, status_code=404)

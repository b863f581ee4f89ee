"""The media engine: WHIP publishers in, encoded frames fanned out to WHEP viewers and outputs.

A source's `Feed` is created on first use and lives as long as the engine, across its publisher's
sessions, so viewers, recorders and outputs keep their subscription through a reconnect. A
stream's life is reported through `MediaFacts`:

    live ──(ICE/DTLS failure, peer gone, no media for `media_timeout`)──> interrupted
    interrupted ──(media again, same or new session, within `grace_period`)──> resumed (live)
    interrupted ──(`grace_period` passes)──> ended;   live ──(publisher's DELETE)──> ended

A second publisher is refused (409) while the current one sends media; once it has been silent
for `takeover_after` seconds a new session takes the source over (a phone that changed network
re-publishes before the hub has noticed the old path died).

Viewers of a source that is not live yet are accepted and wait for it (the wall opens its tiles
before the reporters go live). A viewer that cannot take the source's video codec reads a shared
transcode of it. ICE servers come only from `MediaConfig.ice_servers`: aiortc would otherwise
contact a public STUN server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

from hub.media.errors import EngineClosed, OfferError, SessionNotFound, SourceBusy
from hub.media.fact_queue import Fact, FactQueue
from hub.media.ingest.keyframes import KeyframeRequester
from hub.media.ingest.passthrough import FeedTrack, PassthroughReceiver, route_keyframe_requests
from hub.media.ingest.sdp import Offer, answer_as_dtls_server, parse_offer
from hub.media.ingest.sessions import (
    PublishSession,
    Registry,
    SharedTranscode,
    SourceSlot,
    Stream,
    ViewSession,
)
from hub.media.ports import (
    MediaFacts,
    MediaStats,
    NoFacts,
    SourceStats,
    UplinkStats,
    ViewerStats,
)
from hub.media.relay.frames import EncodedFrame, Feed, Kind
from hub.media.relay.transcode import Transcoder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MediaConfig:
    """How the engine connects and how patient it is; times in seconds."""

    ice_servers: tuple[RTCIceServer, ...] = ()
    media_timeout: float = 3.0  # a live publisher silent this long is interrupted
    grace_period: float = 30.0  # an interrupted stream not resumed within this has ended
    connect_timeout: float = 15.0  # a session that never gets going is dropped
    takeover_after: float = 1.0  # a publisher silent this long may be replaced by a new one
    viewer_video_frames: int = 60  # per-viewer queue bounds
    viewer_audio_frames: int = 100
    transcode_queue_frames: int = 30


class MediaEngine:
    """Owns the registry of sources, publisher sessions, viewers and transcodes."""

    def __init__(self, config: MediaConfig | None = None, facts: MediaFacts | None = None) -> None:
        self.config = config or MediaConfig()
        self._facts: MediaFacts = facts or NoFacts()
        self._registry = Registry()
        # The media path must not stop for the application; a failure is loud in the log.
        self._facts_out = FactQueue(lambda: logger.exception("a media fact could not be delivered"))
        self._tasks: set[asyncio.Future[Any]] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self._closed = False

    async def __aenter__(self) -> MediaEngine:
        self._ensure_running()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # Feeds

    def feed(self, source: str) -> Feed:
        """The source's feed, created if absent; it survives its publisher's sessions."""
        return self._slot(source).feed

    def _slot(self, source: str) -> SourceSlot:
        slot = self._registry.slots.get(source)
        if slot is None:
            keyframes = KeyframeRequester(partial(self._send_pli, source))
            feed = Feed(source, on_keyframe_wanted=keyframes.request)
            slot = self._registry.slots[source] = SourceSlot(source, feed, keyframes)
        return slot

    def _send_pli(self, source: str) -> bool:
        slot = self._registry.slots.get(source)
        return slot is not None and slot.publisher is not None and slot.publisher.send_pli()

    # Publishing

    async def publish(self, source: str, offer_sdp: str) -> tuple[str, str]:
        """Answers a WHIP offer; returns (session id, SDP answer with all candidates)."""
        self._ensure_running()
        offer = parse_offer(offer_sdp, "publish")
        loop = asyncio.get_running_loop()
        known = source in self._registry.slots
        slot = self._slot(source)
        try:
            self._check_free(slot, loop.time())
        except SourceBusy:
            if not known:
                self._forget_if_unused(slot)
            raise
        session = PublishSession(
            id=uuid.uuid4().hex,
            source=source,
            created_at=loop.time(),
            has_video=offer.section("video") is not None,
            pc=self._peer_connection(),
        )
        slot.reserved_by = session.id
        try:
            answer = await self._answer_publisher(session, offer)
        except BaseException:
            slot.reserved_by = None
            await session.pc.close()
            if not known:
                self._forget_if_unused(slot)
            raise
        slot.reserved_by = None
        if self._closed:
            await session.pc.close()
            raise EngineClosed("the media engine is shutting down")
        self._take_over(slot, session)
        return session.id, answer

    def _check_free(self, slot: SourceSlot, now: float) -> None:
        current = slot.publisher
        if slot.reserved_by is not None:
            raise SourceBusy(f"source {slot.source} has a publisher connecting")
        if current is None:
            return
        connecting = current.state == "connecting"
        if connecting and now - current.created_at < self.config.connect_timeout:
            raise SourceBusy(f"source {slot.source} has a publisher connecting")
        if current.state == "live" and now - current.last_frame_at < self.config.takeover_after:
            raise SourceBusy(f"source {slot.source} is already live")

    async def _answer_publisher(self, session: PublishSession, offer: Offer) -> str:
        pc = session.pc
        slot = self._slot(session.source)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
            for transceiver in pc.getTransceivers():
                kind = cast(Kind, transceiver.kind)
                receiver = PassthroughReceiver(
                    transceiver.receiver,
                    kind,
                    on_frame=partial(self._on_frame, session),
                    on_end=partial(self._publisher_lost, session, "the publisher stopped sending"),
                    keyframes=slot.keyframes,
                    counts=slot.uplink,
                )
                session.receivers.append(receiver)
            await set_answer(pc, offer)
        except Exception as exc:
            logger.info("refused a WHIP offer: %r", exc)
            raise OfferError(f"the offer cannot be answered: {exc}") from None
        pc.on("connectionstatechange", never_raising(partial(self._publisher_state, session)))
        return pc.localDescription.sdp

    def _take_over(self, slot: SourceSlot, session: PublishSession) -> None:
        previous = slot.publisher
        self._registry.publishers[session.id] = session
        slot.publisher = session
        if previous is not None:
            self._close_publisher(previous)
            self._interrupt(slot, "the publisher reconnected on a new session")

    def _publisher_state(self, session: PublishSession) -> None:
        state = session.pc.connectionState
        if state == "failed":
            self._publisher_lost(session, "ICE/DTLS failed")
        elif state == "closed":
            self._publisher_lost(session, "the publisher closed the connection")

    def _publisher_lost(self, session: PublishSession, reason: str) -> None:
        if session.state == "closed":
            return
        self._close_publisher(session)
        slot = self._registry.slots[session.source]
        if slot.publisher is session:
            slot.publisher = None
            self._interrupt(slot, reason)

    def _close_publisher(self, session: PublishSession) -> None:
        session.state = "closed"
        self._registry.publishers.pop(session.id, None)
        slot = self._registry.slots.get(session.source)
        if slot is not None:
            slot.packets_lost += session.packets_lost()
            slot.uplink.restart()
        for receiver in session.receivers:
            receiver.close()
        self._spawn(session.pc.close())

    def _on_frame(self, session: PublishSession, frame: EncodedFrame) -> None:
        slot = self._registry.slots[session.source]
        if slot.publisher is not session:
            return  # a superseded session's last packets
        if not session.started:
            session.started = True
            slot.feed.restart()
        if frame.kind == "video" and frame.codec != slot.routed_codec:
            slot.routed_codec = frame.codec
            for viewer in list(slot.viewers.values()):
                self._route(slot, viewer)
        session.frames += 1
        session.bytes += len(frame.data)
        session.last_frame_at = frame.received_at
        if slot.stream is not None:
            slot.stream.frames += 1
            slot.stream.bytes += len(frame.data)
        slot.feed.publish(frame)
        if session.state != "live":
            if frame.kind == "video" and frame.keyframe or not session.has_video:
                self._went_live(slot, session, frame)
            elif frame.kind == "video":
                slot.keyframes.request()

    def _went_live(self, slot: SourceSlot, session: PublishSession, frame: EncodedFrame) -> None:
        session.state = "live"
        stream = slot.stream
        if stream is None:
            slot.stream = Stream(started_at=frame.received_at, session=session.id)
            slot.stream.frames, slot.stream.bytes = session.frames, session.bytes
            codec, width, height = frame.codec, frame.width, frame.height
            self._emit(
                partial(self._facts.source_live, slot.source, session.id, codec, width, height)
            )
        elif stream.state == "interrupted":
            stream.state = "live"
            if stream.session != session.id:
                stream.session = session.id
                stream.sessions += 1
            self._emit(partial(self._facts.source_resumed, slot.source, session.id))

    def _interrupt(self, slot: SourceSlot, reason: str) -> None:
        stream = slot.stream
        if stream is None or stream.state != "live":
            return
        stream.state = "interrupted"
        stream.reason = reason
        stream.interrupted_at = asyncio.get_running_loop().time()
        self._emit(partial(self._facts.source_interrupted, slot.source, stream.session, reason))

    def _end_stream(self, slot: SourceSlot, reason: str) -> None:
        stream = slot.stream
        if stream is None:
            return
        slot.stream = None
        stats = stream.stats(asyncio.get_running_loop().time())
        self._emit(partial(self._facts.source_ended, slot.source, stream.session, stats, reason))

    async def end_publish(self, session_id: str, source: str | None = None) -> None:
        """Ends a publisher session (WHIP DELETE); ending the current one ends the stream."""
        session = self._registry.publishers.get(session_id)
        if session is None:
            # Its connection may have failed already, while its stream waits for a resume.
            slot = self._registry.slots.get(source or "")
            if slot is None or slot.stream is None or slot.stream.session != session_id:
                raise SessionNotFound(f"no publisher session {session_id}")
            if slot.publisher is None and slot.reserved_by is None:
                self._end_stream(slot, "the publisher ended the stream")
            return  # else a new session is taking the stream over: only the old one ends
        if source is not None and session.source != source:
            raise SessionNotFound(f"no publisher session {session_id} for source {source}")
        slot = self._registry.slots[session.source]
        self._close_publisher(session)
        if slot.publisher is session:
            slot.publisher = None
            self._end_stream(slot, "the publisher ended the stream")

    # Viewing

    async def view(self, source: str, offer_sdp: str) -> tuple[str, str]:
        """Answers a WHEP offer; returns (session id, SDP answer). Waits if the source is idle."""
        self._ensure_running()
        offer = parse_offer(offer_sdp, "view")
        loop = asyncio.get_running_loop()
        known = self._registry.slots.get(source)
        source_codec = known.video_codec() if known is not None else None
        codec = choose_video_codec(offer.video_codecs(), source_codec)
        viewer = ViewSession(
            id=uuid.uuid4().hex,
            source=source,
            created_at=loop.time(),
            pc=self._peer_connection(),
            codec=codec,
            video=FeedTrack("video", codec) if codec else None,
            audio=FeedTrack("audio", "opus") if offer.section("audio") else None,
        )
        try:
            answer = await self._answer_viewer(viewer, offer)
        except BaseException:
            await viewer.pc.close()
            raise
        if self._closed:
            await viewer.pc.close()
            raise EngineClosed("the media engine is shutting down")
        self._admit_viewer(viewer)
        return viewer.id, answer

    async def _answer_viewer(self, viewer: ViewSession, offer: Offer) -> str:
        pc = viewer.pc
        try:
            # The transceivers and their codec preference must exist before the offer is applied:
            # aiortc would otherwise create its own and negotiate its first codec (VP8).
            for track, codec in ((viewer.video, viewer.codec), (viewer.audio, "opus")):
                if track is not None and codec is not None:
                    transceiver = pc.addTransceiver(track, direction="sendonly")
                    transceiver.setCodecPreferences(codec_preferences(track.kind, codec))
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
            await set_answer(pc, offer)
        except Exception as exc:
            logger.info("refused a WHEP offer: %r", exc)
            raise OfferError(f"the offer cannot be answered: {exc}") from None
        return pc.localDescription.sdp

    def _admit_viewer(self, viewer: ViewSession) -> None:
        slot = self._slot(viewer.source)
        self._registry.viewers[viewer.id] = viewer
        slot.viewers[viewer.id] = viewer
        if viewer.audio is not None:
            viewer.audio.switch(
                slot.feed.subscribe(
                    f"viewer/{viewer.id}/audio", self.config.viewer_audio_frames, kind="audio"
                )
            )
        if viewer.video is not None:
            self._route(slot, viewer)
        for sender in viewer.pc.getSenders():
            if sender.kind == "video":
                route_keyframe_requests(sender, partial(self._viewer_wants_keyframe, viewer))
        viewer.pc.on("connectionstatechange", never_raising(partial(self._viewer_state, viewer)))
        self._emit(partial(self._facts.viewer_count_changed, slot.source, len(slot.viewers)))

    def _viewer_wants_keyframe(self, viewer: ViewSession) -> None:
        if viewer.video_feed is not None:
            viewer.video_feed.request_keyframe()

    def _viewer_state(self, viewer: ViewSession) -> None:
        state = viewer.pc.connectionState
        if state == "connected":
            viewer.connected = True
        elif state in ("failed", "closed"):
            self._close_viewer(viewer)

    def _route(self, slot: SourceSlot, viewer: ViewSession) -> None:
        """Points a viewer's video at the source's feed, or at a transcode it can decode."""
        if viewer.video is None or viewer.codec is None:
            return
        source_codec = slot.video_codec()
        target = None if source_codec in (None, viewer.codec) else viewer.codec
        if viewer.video_feed is not None and viewer.transcode == target:
            return
        feed = slot.feed if target is None else self._transcode(slot, target).feed
        frames = feed.subscribe(
            f"viewer/{viewer.id}/video", self.config.viewer_video_frames, "video"
        )
        old_feed, old_frames, old_target = viewer.video_feed, viewer.video.frames, viewer.transcode
        viewer.video.switch(frames)
        viewer.video_feed, viewer.transcode = feed, target
        if old_feed is not None and old_frames is not None:
            slot.dropped += old_frames.dropped
            old_feed.unsubscribe(old_frames)
        if old_target is not None:
            self._release_transcode(slot, old_target)

    def _transcode(self, slot: SourceSlot, codec: str) -> Transcoder:
        shared = self._registry.transcodes.get((slot.source, codec))
        if shared is None:
            transcoder = Transcoder(slot.feed, codec, self.config.transcode_queue_frames)
            shared = self._registry.transcodes[(slot.source, codec)] = SharedTranscode(transcoder)
        shared.viewers += 1
        return shared.transcoder

    def _release_transcode(self, slot: SourceSlot, codec: str) -> None:
        shared = self._registry.transcodes[(slot.source, codec)]
        shared.viewers -= 1
        if shared.viewers == 0:
            del self._registry.transcodes[(slot.source, codec)]
            self._spawn(shared.transcoder.close())

    async def end_view(self, session_id: str, source: str | None = None) -> None:
        """Ends a viewer session (WHEP DELETE)."""
        viewer = self._registry.viewers.get(session_id)
        if viewer is None or (source is not None and viewer.source != source):
            raise SessionNotFound(f"no viewer session {session_id}")
        self._close_viewer(viewer)

    def _close_viewer(self, viewer: ViewSession) -> None:
        if viewer.closed:
            return
        viewer.closed = True
        slot = self._registry.slots[viewer.source]
        self._registry.viewers.pop(viewer.id, None)
        slot.viewers.pop(viewer.id, None)
        slot.dropped += viewer.dropped()
        if viewer.audio is not None and viewer.audio.frames is not None:
            slot.feed.unsubscribe(viewer.audio.frames)
        if viewer.video_feed is not None and viewer.video is not None:
            if viewer.video.frames is not None:
                viewer.video_feed.unsubscribe(viewer.video.frames)
            if viewer.transcode is not None:
                self._release_transcode(slot, viewer.transcode)
        self._spawn(viewer.pc.close())
        self._emit(partial(self._facts.viewer_count_changed, slot.source, len(slot.viewers)))

    # Upkeep

    def _ensure_running(self) -> None:
        if self._closed:
            raise EngineClosed("the media engine is shutting down")
        if self._watchdog is None:
            self._watchdog = asyncio.create_task(self._watch())
            self._facts_out.start()

    async def _watch(self) -> None:
        interval = min(0.25, self.config.media_timeout / 4)
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            self._check_timeouts(loop.time())

    def _check_timeouts(self, now: float) -> None:
        for slot in list(self._registry.slots.values()):
            if slot.publisher is not None:
                self._check_publisher(slot, slot.publisher, now)
            self._check_uplink(slot, now)
            stream = slot.stream
            if stream and stream.state == "interrupted" and self._past_grace(stream, now):
                if slot.publisher is not None:
                    self._close_publisher(slot.publisher)
                    slot.publisher = None
                self._end_stream(slot, stream.reason)
        for viewer in list(self._registry.viewers.values()):
            if not viewer.connected and now - viewer.created_at > self.config.connect_timeout:
                self._close_viewer(viewer)

    def _check_publisher(self, slot: SourceSlot, session: PublishSession, now: float) -> None:
        timeout = self.config.media_timeout
        if session.state == "connecting":
            if now - session.created_at > self.config.connect_timeout:
                self._publisher_lost(session, "the publisher never sent media")
        elif session.state == "live" and now - session.last_frame_at > timeout:
            session.state, session.started = "stalled", False
            self._interrupt(slot, f"no media for {timeout:g} s")

    def _check_uplink(self, slot: SourceSlot, now: float) -> None:
        """Reports a live source's picture freezing for over a second, and a too narrow uplink."""
        stream, uplink = slot.stream, slot.uplink
        live = stream is not None and stream.state == "live"
        frozen, narrow = live and uplink.frozen(now), live and uplink.narrow(now)
        if stream is None:
            slot.told_frozen = slot.told_narrow = False
            return
        source, session = slot.source, stream.session
        if frozen != slot.told_frozen:
            slot.told_frozen = frozen
            self._emit(partial(self._facts.picture_frozen, source, session, frozen))
        if narrow != slot.told_narrow:
            slot.told_narrow = narrow
            estimate, bitrate = uplink.estimate, uplink.best_bitrate
            self._emit(
                partial(self._facts.uplink_narrow, source, session, narrow, estimate, bitrate)
            )

    def _past_grace(self, stream: Stream, now: float) -> bool:
        return now - stream.interrupted_at > self.config.grace_period

    def _emit(self, fact: Fact) -> None:
        self._facts_out.put(fact)

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _peer_connection(self) -> RTCPeerConnection:
        # An explicit list, even empty: with None aiortc contacts stun.l.google.com.
        return RTCPeerConnection(RTCConfiguration(iceServers=list(self.config.ice_servers)))

    def _forget_if_unused(self, slot: SourceSlot) -> None:
        unused = not slot.feed.consumers and not slot.viewers and slot.feed.frames_in == 0
        if unused and slot.publisher is None and slot.reserved_by is None:
            del self._registry.slots[slot.source]

    async def close(self) -> None:
        """Ends every stream and session, delivers the last facts and stops the engine."""
        if self._closed:
            return
        self._closed = True
        registry = self._registry
        if self._watchdog is not None:
            self._watchdog.cancel()
        for slot in registry.slots.values():
            self._end_stream(slot, "the hub is shutting down")
            slot.publisher = None
        # Mark everything closed first: aiortc fires state changes from inside pc.close(), and an
        # exception in a handler would abort that close half-way (pyee re-raises it).
        for session in registry.publishers.values():
            session.state = "closed"
        for viewer in registry.viewers.values():
            viewer.closed = True
        closing = [session.pc.close() for session in registry.publishers.values()]
        closing += [viewer.pc.close() for viewer in registry.viewers.values()]
        closing += [shared.transcoder.close() for shared in registry.transcodes.values()]
        registry.publishers.clear()
        registry.viewers.clear()
        registry.transcodes.clear()
        await asyncio.gather(*closing, return_exceptions=True)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for slot in registry.slots.values():
            slot.feed.close()
            slot.viewers.clear()
        await self._facts_out.close()
        if self._watchdog is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog

    # Metrics

    def stats(self) -> MediaStats:
        """A snapshot for /metrics: frames, bytes, drops and viewers per source."""
        sources = tuple(self._source_stats(slot) for slot in self._registry.slots.values())
        viewers = tuple(
            ViewerStats(
                session=viewer.id,
                source=viewer.source,
                codec=viewer.codec,
                transcoded=viewer.transcode is not None,
                connected=viewer.connected,
                delivered=sum(queue.delivered for queue in viewer.queues()),
                dropped=viewer.dropped(),
            )
            for viewer in self._registry.viewers.values()
        )
        return MediaStats(sources, len(self._registry.publishers), viewers)

    def _source_stats(self, slot: SourceSlot) -> SourceStats:
        feed = slot.feed
        transcodes = tuple(
            codec for (source, codec) in self._registry.transcodes if source == slot.source
        )
        shared = [self._registry.transcodes[(slot.source, codec)] for codec in transcodes]
        queues = feed.consumers + [q for s in shared for q in s.transcoder.feed.consumers]
        return SourceStats(
            source=slot.source,
            state=slot.state,
            session=slot.stream.session if slot.stream else None,
            codec=feed.video_codec,
            width=feed.width,
            height=feed.height,
            frames_in=feed.frames_in,
            bytes_in=feed.bytes_in,
            viewers=len(slot.viewers),
            consumers=len(feed.consumers),
            dropped=slot.dropped + sum(queue.dropped for queue in queues),
            transcodes=transcodes,
            uplink=self._uplink_stats(slot),
        )

    def _uplink_stats(self, slot: SourceSlot) -> UplinkStats:
        counts, keyframes = slot.uplink, slot.keyframes.counts
        now = asyncio.get_running_loop().time()
        lost = slot.packets_lost + (slot.publisher.packets_lost() if slot.publisher else 0)
        return UplinkStats(
            packets_lost=lost,
            nacks=counts.nacks,
            partial_frames=counts.partial_frames,
            keyframes_wanted=keyframes.wanted,
            keyframes_requested=keyframes.requested,
            keyframes_received=keyframes.received,
            estimate=counts.estimate,
            bitrate=counts.bitrate,
            freezes=counts.freezes,
            longest_freeze=round(counts.longest_freeze, 3),
            frozen=slot.state == "live" and counts.frozen(now),
            narrow=slot.state == "live" and counts.narrow(now),
        )


async def set_answer(pc: RTCPeerConnection, offer: Offer) -> None:
    """Answers the applied offer, as the DTLS server where the offer lets the hub choose."""
    answer = await pc.createAnswer()
    sdp = answer_as_dtls_server(answer.sdp, offer)
    await pc.setLocalDescription(RTCSessionDescription(sdp=sdp, type="answer"))


def never_raising(handler: Callable[[], None]) -> Callable[[], None]:
    """Wraps an aiortc event handler so that its failure is logged, not raised.

    pyee re-raises a handler's exception into whatever emitted the event; inside
    `RTCPeerConnection.close()` that aborts the close and leaves its sockets open.
    """

    def guarded() -> None:
        try:
            handler()
        except Exception:
            logger.exception("a peer connection event handler failed")

    return guarded


def choose_video_codec(offered: tuple[str, ...], source_codec: str | None) -> str | None:
    """The source's codec if the viewer takes it (no transcode); else the viewer's first choice.

    A viewer that arrives before the source is live gets H.264 when it can take it: phones
    publish H.264 through whip.js, so the viewer will most likely need no transcode.
    """
    if not offered:
        return None
    if source_codec in offered:
        return source_codec
    if source_codec is None and "H264" in offered:
        return "H264"
    return offered[0]


def codec_preferences(kind: str, codec: str) -> list[RTCRtpCodecCapability]:
    """aiortc's capabilities for one codec (every H.264 profile it has), plus RTX for video."""
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    chosen = [c for c in capabilities if c.mimeType.lower() == f"{kind}/{codec}".lower()]
    return chosen + [c for c in capabilities if c.mimeType.lower() == "video/rtx"]

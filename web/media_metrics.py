"""The media side's figures for /metrics: per source, per viewer total, per output and sink.

The engine's registries belong to the event loop; /metrics renders in a worker thread, so the
collector asks the loop for a snapshot rather than reading them from under it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from hub.media.ports import MediaStats
from hub.media.program.program import OutputStats


class MediaCollector:
    """A prometheus collector over a `LiveMedia` (see web/live.py)."""

    def __init__(self, live: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.live, self.loop = live, loop

    def _snapshot(self) -> tuple[MediaStats, list[OutputStats], int]:
        future: concurrent.futures.Future[tuple[MediaStats, list[OutputStats], int]]
        future = concurrent.futures.Future()

        def take() -> None:
            live = self.live
            future.set_result(
                (live.engine.stats(), live.outputs.stats(), len(live.facts.recorders))
            )

        self.loop.call_soon_threadsafe(take)
        return future.result(timeout=5)

    def describe(self) -> list[Metric]:
        return []  # registering must not ask the loop for a snapshot: it may be the loop itself

    def collect(self) -> Iterator[Metric]:
        media, outputs, recordings = self._snapshot()
        yield from source_metrics(media)
        yield GaugeMetricFamily("hub_media_publishers", "WHIP sessions", media.publishers)
        yield GaugeMetricFamily("hub_media_recordings", "Recordings being written", recordings)
        yield from output_metrics(outputs)


def source_metrics(media: MediaStats) -> Iterator[Metric]:
    live = GaugeMetricFamily("hub_source_live", "1 while a source is live", labels=["source"])
    frames = CounterMetricFamily("hub_source_frames", "Frames received", labels=["source"])
    data = CounterMetricFamily("hub_source_bytes", "Media bytes received", labels=["source"])
    viewers = GaugeMetricFamily("hub_source_viewers", "WHEP viewers", labels=["source"])
    dropped = CounterMetricFamily(
        "hub_source_dropped_frames", "Frames dropped for slow consumers", labels=["source"]
    )
    for s in media.sources:
        live.add_metric([s.source], 1 if s.state == "live" else 0)
        frames.add_metric([s.source], s.frames_in)
        data.add_metric([s.source], s.bytes_in)
        viewers.add_metric([s.source], s.viewers)
        dropped.add_metric([s.source], s.dropped)
    yield from (live, frames, data, viewers, dropped)
    yield from uplink_metrics(media)


UPLINK_COUNTERS = (
    ("packets_lost", "Video packets that never arrived"),
    ("nacks", "Retransmission requests (NACK) sent to the publisher"),
    ("partial_frames", "Video frames dropped because a part never arrived"),
    ("keyframes_wanted", "Key frames asked for by the relay, viewers, recorders or the receiver"),
    ("keyframes_requested", "Key frame requests (PLI) that reached the publisher"),
    ("keyframes_received", "Whole key frames received"),
    ("freezes", "Gaps over 200 ms between video frames"),
)
UPLINK_GAUGES = (
    ("estimate", "uplink_estimate_bps", "Uplink the hub estimates and tells the publisher (REMB)"),
    ("bitrate", "video_bitrate_bps", "Video bitrate received over the last seconds"),
    ("longest_freeze", "longest_freeze_seconds", "Longest gap between video frames"),
    ("frozen", "frozen", "1 while a live source has sent no video frame for over a second"),
    ("narrow", "uplink_narrow", "1 while the uplink is too narrow for the source's bitrate"),
)


def uplink_metrics(media: MediaStats) -> Iterator[Metric]:
    """Per source: losses, repairs, key frames, the estimated uplink and freezes."""
    labels = ["source"]
    counters = {
        field: CounterMetricFamily(f"hub_source_{field}", words, labels=labels)
        for field, words in UPLINK_COUNTERS
    }
    gauges = {
        field: GaugeMetricFamily(f"hub_source_{name}", words, labels=labels)
        for field, name, words in UPLINK_GAUGES
    }
    for s in media.sources:
        if s.uplink is None:
            continue
        for field, counter in counters.items():
            counter.add_metric([s.source], float(getattr(s.uplink, field)))
        for field, gauge in gauges.items():
            gauge.add_metric([s.source], float(getattr(s.uplink, field)))
    yield from counters.values()
    yield from gauges.values()


def output_metrics(outputs: list[OutputStats]) -> Iterator[Metric]:
    labels = ["output"]
    frames = CounterMetricFamily("hub_output_frames", "Frames encoded", labels=labels)
    skipped = CounterMetricFamily(
        "hub_output_skipped_frames", "Frames never made: the machine fell behind", labels=labels
    )
    late = CounterMetricFamily("hub_output_late_frames", "Frames made late", labels=labels)
    tick = GaugeMetricFamily("hub_output_tick_ms", "Time to make one frame", labels=labels)
    on_air = GaugeMetricFamily(
        "hub_output_on_air", "1 for what an output shows now", labels=["output", "source"]
    )
    sink_up = GaugeMetricFamily(
        "hub_output_sink_up", "1 while a destination takes packets", labels=["output", "sink"]
    )
    sink_dropped = CounterMetricFamily(
        "hub_output_sink_dropped_packets",
        "Packets a destination dropped",
        labels=["output", "sink"],
    )
    for o in outputs:
        frames.add_metric([o.name], o.frames_out)
        skipped.add_metric([o.name], o.frames_skipped)
        late.add_metric([o.name], o.late_frames)
        tick.add_metric([o.name], o.tick_ms)
        on_air.add_metric([o.name, o.on_air or "slate"], 1)
        for sink in o.sinks:
            sink_up.add_metric([o.name, sink.name], 1 if sink.state == "live" else 0)
            sink_dropped.add_metric([o.name, sink.name], sink.dropped)
    yield from (frames, skipped, late, tick, on_air, sink_up, sink_dropped)

"""Clip making: seconds of media cut per second of wall time, stream copy against the 9:16 crop.

Makes a source with PyAV (H.264 at 25 pictures a second, a key frame each second, AAC sound),
then cuts the same stretch of it as the clip maker does (hub/clips/media.py): without a crop
(packets copied from the key frame at or before `in`) and with the centre crop to 9:16
(decoded, cropped, encoded again with libx264 `veryfast`, AAC). Prints one row per way.

    python bench/clips.py [--width 1280 --height 720] [--source 60] [--clip 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.clips.media import cut_copy, cut_crop, probe  # noqa: E402
from tests.clip_media import make_video  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--source", type=float, default=60.0, help="seconds of source")
    parser.add_argument("--clip", type=float, default=30.0, help="seconds to cut")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = make_video(
            Path(folder) / "source.mp4",
            seconds=args.source,
            width=args.width,
            height=args.height,
        )
        start = round((args.source - args.clip) / 2, 1) + 0.5
        end = start + args.clip
        print(
            f"source {args.width}x{args.height} {args.source:.0f} s, "
            f"clip {start:.1f}-{end:.1f} s, {args.runs} runs each"
        )
        print(f"{'way':<6} {'median s':>9} {'media s/s':>10} {'clip s':>7} {'picture':>10}")
        for name, cut in (("copy", cut_copy), ("crop", cut_crop)):
            times = []
            target = Path(folder) / f"{name}.mp4"
            made = 0.0
            for _ in range(args.runs):
                began = time.perf_counter()
                made = cut(source, target, start, end, lambda _: None)
                times.append(time.perf_counter() - began)
            found = probe(target)
            took = statistics.median(times)
            print(
                f"{name:<6} {took:>9.3f} {args.clip / took:>10.1f} {made:>7.2f} "
                f"{found.width}x{found.height:>4}"
            )


if __name__ == "__main__":
    main()

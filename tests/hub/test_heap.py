"""The collector of a hub process: settled after start-up, and its pauses recorded."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub import heap


@pytest.mark.usefixtures("collector_restored")
def test_settle_freezes_what_start_up_built_and_spaces_young_collections() -> None:
    long_lived = [object() for _ in range(1000)]
    heap.settle()
    assert gc.get_freeze_count() >= len(long_lived)
    assert gc.get_threshold() == (heap.YOUNG, heap.MIDDLE, heap.OLD)
    frozen = gc.get_freeze_count()
    gc.collect()
    assert gc.get_freeze_count() == frozen  # a full collection leaves the frozen part alone


def test_watched_records_each_collection_until_the_block_ends() -> None:
    with heap.watched() as pauses:
        gc.collect()
        gc.collect(0)
        assert pauses in gc.callbacks
    assert pauses not in gc.callbacks
    assert pauses.collections[2] >= 1
    assert pauses.collections[0] >= 1
    assert pauses.seconds[2] > 0
    assert 0 < pauses.longest[2] <= pauses.seconds[2]
    counted = list(pauses.collections)
    gc.collect()
    assert pauses.collections == counted  # no longer watching


ARENAS_USED = """
import ctypes, sys, tempfile, threading
from hub import heap

if sys.argv[1] == "limited":
    assert heap.limit_arenas()
start = threading.Barrier(8)


def allocate() -> None:
    start.wait()  # all eight alive at once: none can take over a finished thread's heap
    kept = [bytearray(8192) for _ in range(200)]  # past pymalloc: malloc itself
    del kept


threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile() as report:
    stream = ctypes.c_void_p(libc.fopen(report.name.encode(), b"w"))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(open(report.name).read().count("<heap nr="))
"""


def arenas_used(how: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", ARENAS_USED, how], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_threads_share_a_few_malloc_arenas_once_limited() -> None:
    assert arenas_used("limited") <= heap.ARENAS
    assert arenas_used("default") > heap.ARENAS  # each new thread took a heap of its own


def resident_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def test_trim_gives_the_holes_between_live_blocks_back() -> None:
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # 125 MiB from malloc's heap
    del blocks[::2]  # 62 MiB of holes, each between two live blocks: the heap cannot shrink
    holding = resident_bytes()
    assert heap.trim()
    assert holding - resident_bytes() > 40 * 1024 * 1024
    del blocks

"""The relay sets long-lived objects aside from Python's collector (realtime/collector.py): garbage in
reference cycles among them is still freed, by the full collection."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def test_cycles_set_aside_are_freed_by_the_full_collection_and_the_rest_by_reference_counting():
    # In a process of its own, as the relay runs: freezing this test process would keep its garbage.
    script = textwrap.dedent("""
        import asyncio, gc, weakref
        from realtime import collector

        class Node:
            pass

        def cycle():
            a, b = Node(), Node()
            a.other, b.other = b, a
            return weakref.ref(a)

        async def main():
            kept = cycle()
            plain = Node()
            gone = weakref.ref(plain)
            task = asyncio.create_task(collector.keep_collections_short(freeze_s=0.01, full_s=3600))
            await asyncio.sleep(0.1)
            assert gc.get_freeze_count() > 0, "nothing was set aside"
            del plain
            assert gone() is None, "reference counting still frees what was set aside"
            gc.collect()
            assert kept() is not None, "a cycle set aside waits for the full collection"
            assert collector.full_collection() > 0
            assert kept() is None, "the full collection frees it"
            task.cancel()
            print("ok")

        asyncio.run(main())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_full_collection_comes_round_on_its_own():
    script = textwrap.dedent("""
        import asyncio, gc, weakref
        from realtime import collector

        class Node:
            pass

        async def main():
            a, b = Node(), Node()
            a.other, b.other = b, a
            kept = weakref.ref(a)
            del a, b
            task = asyncio.create_task(collector.keep_collections_short(freeze_s=0.01, full_s=0.2))
            await asyncio.sleep(0.05)  # set aside before the collector saw it as garbage
            for _ in range(200):
                if kept() is None:
                    break
                await asyncio.sleep(0.02)
            task.cancel()
            print("freed" if kept() is None else "kept")

        gc.disable()  # only the relay's own full collection may free it here
        asyncio.run(main())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "freed"


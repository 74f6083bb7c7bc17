"""Group commit: what arrives while a batch is handled is handled together, next."""

from __future__ import annotations

import asyncio

import pytest

from core.dialogue.batching import GroupCommit


class Recorder:
    """A batch handler that notes each batch and can be held at its start."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: list[str]) -> list[str | BaseException]:
        self.batches.append(items)
        await self.release.wait()
        return [ValueError(item) if item.startswith("bad") else item.upper() for item in items]


async def test_an_item_alone_is_handled_at_once_in_a_batch_of_its_own() -> None:
    handler = Recorder()
    assert await GroupCommit(handler).submit("a") == "A"
    assert handler.batches == [["a"]]


async def test_items_that_arrive_during_a_batch_are_handled_together_next() -> None:
    handler = Recorder()
    together = GroupCommit(handler)
    handler.release.clear()
    first = asyncio.create_task(together.submit("a"))
    await asyncio.sleep(0)  # "a" is being handled
    later = [asyncio.create_task(together.submit(item)) for item in "bcd"]
    await asyncio.sleep(0)
    handler.release.set()
    assert await asyncio.gather(first, *later) == ["A", "B", "C", "D"]
    assert handler.batches == [["a"], ["b", "c", "d"]]


async def test_a_batch_holds_at_most_max_batch_items() -> None:
    handler = Recorder()
    together = GroupCommit(handler, max_batch=2)
    handler.release.clear()
    tasks = [asyncio.create_task(together.submit(item)) for item in "abcde"]
    await asyncio.sleep(0)
    handler.release.set()
    await asyncio.gather(*tasks)
    assert handler.batches == [["a", "b"], ["c", "d"], ["e"]]


async def test_the_error_of_one_item_reaches_its_caller_only() -> None:
    handler = Recorder()
    together = GroupCommit(handler)
    handler.release.clear()
    tasks = [asyncio.create_task(together.submit(item)) for item in ("a", "bad", "c")]
    await asyncio.sleep(0)
    handler.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == "A" and results[2] == "C"
    assert isinstance(results[1], ValueError)


async def test_a_caller_that_gives_up_does_not_cut_the_batch_short() -> None:
    handler = Recorder()
    together = GroupCommit(handler)
    handler.release.clear()
    impatient = asyncio.create_task(together.submit("a"))
    patient = asyncio.create_task(together.submit("b"))
    await asyncio.sleep(0)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    handler.release.set()
    assert await patient == "B"
    await together.wait_idle()
    assert handler.batches == [["a", "b"]]


def is_record(item: str) -> bool:
    return item.startswith("record")


async def test_light_items_all_join_the_next_batch_beyond_max_batch() -> None:
    handler = Recorder()
    together = GroupCommit(handler, max_batch=2, light=is_record)
    handler.release.clear()
    first = asyncio.create_task(together.submit("a"))
    await asyncio.sleep(0)  # "a" is being handled
    queued = ["b", "c", "d", "record-1", "record-2"]
    tasks = [asyncio.create_task(together.submit(item)) for item in queued]
    await asyncio.sleep(0)
    handler.release.set()
    await asyncio.gather(first, *tasks)
    # The records do not wait behind "d", which the batch has no room for.
    assert handler.batches == [["a"], ["b", "c", "record-1", "record-2"], ["d"]]

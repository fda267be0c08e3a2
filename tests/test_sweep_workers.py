"""The sweep's pool workers: their garbage-collector setting, and only theirs."""

from __future__ import annotations

import concurrent.futures as cf
import gc

from deterrence.sweeps._workers import FULL_COLLECTION_EVERY, init_pool_worker


def test_a_pool_worker_makes_full_collections_rarer_and_the_caller_keeps_its_own() -> None:
    before = gc.get_threshold()
    with cf.ProcessPoolExecutor(max_workers=1, initializer=init_pool_worker) as pool:
        young, middle, full = pool.submit(gc.get_threshold).result()
    assert (young, middle) == before[:2]
    assert full == max(before[2], FULL_COLLECTION_EVERY) > before[2]
    assert gc.get_threshold() == before

"""A booted worker freezes what it holds out of the collector's walks and collects its young
objects less often (workers.process.garbage), and every worker process gets it."""

import gc
from typing import Any, cast

from workers.broker import broker
from workers.process.garbage import OLDER_THRESHOLDS, YOUNG_THRESHOLD, QuietCollector


def test_a_booted_worker_freezes_its_heap_and_collects_the_young_less_often() -> None:
    before = gc.get_threshold()
    try:
        QuietCollector().after_worker_boot(cast(Any, broker), cast(Any, None))
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_workers_broker_has_it() -> None:
    assert QuietCollector in {type(middleware) for middleware in broker.middleware}

"""Work that cannot be done yet: its message is sent again to come back later.

Not a failure: no retry is spent, and nothing is lost, as the message is queued again before
the delivery that raised this is acknowledged (workers/actors.py, `come_back_in`). It is the
one way work comes back later: a chunk waiting for its account's limit, a planner waiting for
another's lease, a webhook delivery waiting to be tried again.
"""


class ComeBackLater(Exception):
    def __init__(self, wait_ms: int, why: str) -> None:
        super().__init__(f"{why}; back in {wait_ms} ms")
        self.wait_ms = max(0, wait_ms)

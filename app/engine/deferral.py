"""Work that cannot be done yet: its message is sent again to come back later.

Not a failure: no retry is spent, and nothing is lost, as the message is queued again before
the delivery that raised this is acknowledged (workers/pacing.py).
"""


class ComeBackLater(Exception):
    def __init__(self, wait_ms: int, why: str) -> None:
        super().__init__(f"{why}; back in {wait_ms} ms")
        self.wait_ms = max(0, wait_ms)

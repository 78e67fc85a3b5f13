"""A clock that tests move by hand, for code that takes an injectable ``clock``."""


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

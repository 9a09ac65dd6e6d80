"""A progress bar over audio minutes, with calls counted beside it."""
from __future__ import annotations

from collections import Counter

from tqdm import tqdm

from callqa.services.worker import Outcome, Progress


class ProgressBar:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.calls = 0
        self.audio_s = 0.0
        self.statuses: Counter[str] = Counter()
        self._bar: tqdm | None = None

    def progress(self) -> Progress:
        return Progress(on_start=self._start, on_outcome=self._advance)

    def _start(self, calls: int, audio_s: float) -> None:
        self.calls = calls
        if self.enabled:
            self._bar = tqdm(total=round(audio_s / 60, 2), unit="audio min", unit_scale=False,
                             bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} audio min "
                                        "[{elapsed}<{remaining}] {postfix}")
            self._bar.set_postfix_str(f"calls 0/{calls}")

    def _advance(self, outcome: Outcome) -> None:
        self.statuses[outcome.status] += 1
        self.audio_s += outcome.audio_s
        if self._bar is not None:
            self._bar.update(round(outcome.audio_s / 60, 2))
            done = sum(self.statuses.values())
            self._bar.set_postfix_str(f"calls {done}/{max(self.calls, done)}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def summary(self) -> str:
        done = sum(self.statuses.values())
        detail = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
        return f"processed {done} calls, {self.audio_s / 60:.1f} audio min" + (
            f" ({detail})" if detail else "")

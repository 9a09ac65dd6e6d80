"""The calibration example the web and browser tests share: the lead (admin) picks John
Carter's two calls and two reviewers, who score every item of both as below."""
from __future__ import annotations

CALLS = ("cen025", "cen028")
ITEMS = ("greeting", "introduction", "thanks", "goodbye", "anything_else", "forbidden_phrases",
         "resolution_check")
# The machine: everything passed but cen028's anything_else and both calls' resolution_check
# (see the sample calls' verdicts). Both reviewers fail those too; the supervisor also fails
# cen025's thanks, the spare cen028's goodbye.
MACHINE_FAILED = {("cen028", "anything_else"), ("cen025", "resolution_check"),
                  ("cen028", "resolution_check")}
FAILED = {"supervisor": {("cen025", "thanks"), *MACHINE_FAILED},
          "spare": {("cen028", "goodbye"), *MACHINE_FAILED}}


def verdicts(failed: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(call, item): "failed" for those in `failed`, else "passed", for every item of CALLS."""
    return {(call, item): "failed" if (call, item) in failed else "passed"
            for call in CALLS for item in ITEMS}

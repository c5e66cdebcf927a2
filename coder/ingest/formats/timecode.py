"""Times as the tools write them ("0:34", "00:01:23,450", "0:0:4.720", "00:01:23-4") read as seconds,
and written back as the one form coder keeps: `HH:MM:SS`."""

from __future__ import annotations

import re

#: Hours optional; minutes and seconds of one or two digits (old Teams writes "0:0:4.720");
#: a fraction after ".", "," or, in f4/f5, "-".
TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,-]\d{1,3})?"
_PARTS = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2})(?:[.,-](\d{1,3}))?$")


def seconds(time: str) -> float:
    """Seconds from the start for a time such as "1:02:03.5" or "02:03" (minutes and seconds)."""
    match = _PARTS.match(time.strip())
    if match is None:
        raise ValueError(f"not a time: {time!r}")
    hours, minutes, secs, fraction = match.groups()
    whole = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    return whole + (float(f"0.{fraction}") if fraction else 0.0)


def clock(at: float) -> str:
    """`HH:MM:SS`, the fraction dropped: a turn's start is shown and exported to the second."""
    whole = int(at)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def as_clock(time: str) -> str:
    """A time as the tool wrote it, as `HH:MM:SS`."""
    return clock(seconds(time))

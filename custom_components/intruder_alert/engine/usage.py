"""Counting API calls, per operation and per day; the cost sensor prices only the billed ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
import threading

# Operations Rekognition bills per call: its image APIs. Group 1 (face search and storage):
# AssociateFaces, CompareFaces, DisassociateFaces, IndexFaces, SearchFacesByImage, SearchFaces,
# SearchUsersByImage, SearchUsers. Group 2 (analysis): DetectFaces and the other Detect* calls.
# Managing collections, users and faces (CreateUser, DeleteUser, DeleteFaces, ListFaces,
# ListUsers, DescribeCollection, ...) is not billed per call, and STS and S3 calls are not
# Rekognition's.
BILLED_OPERATIONS = frozenset(
    {
        "AssociateFaces",
        "CompareFaces",
        "DisassociateFaces",
        "IndexFaces",
        "SearchFacesByImage",
        "SearchFaces",
        "SearchUsersByImage",
        "SearchUsers",
        "DetectFaces",
        "DetectLabels",
        "DetectModerationLabels",
        "DetectProtectiveEquipment",
        "DetectText",
        "RecognizeCelebrities",
    }
)


class ApiUsage:
    """Thread-safe call counter; boto3 calls run on executor threads."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        """Start with no calls counted."""
        self._today = today
        self._lock = threading.Lock()
        self._day = today()
        self._today_calls: Counter[str] = Counter()
        self._total_calls: Counter[str] = Counter()
        # Calls of today that AWS refused before doing anything: counted, not billed.
        self._today_refused: Counter[str] = Counter()

    def record(self, operation: str, *, billed: bool = True) -> None:
        """Count one call of ``operation`` that has ended; ``billed`` False if AWS refused it.

        Counted in one step when the call ends, so a reading never shows a refused call as
        billed (a call still on its way is not counted yet).
        """
        with self._lock:
            self._roll_day()
            self._today_calls[operation] += 1
            self._total_calls[operation] += 1
            if not billed:
                self._today_refused[operation] += 1

    def _roll_day(self) -> None:
        today = self._today()
        if today != self._day:
            self._day = today
            self._today_calls.clear()
            self._today_refused.clear()

    def today(self) -> dict[str, int]:
        """Calls per operation since local midnight."""
        with self._lock:
            self._roll_day()
            return dict(self._today_calls)

    def total(self) -> dict[str, int]:
        """Calls per operation since the account was loaded."""
        with self._lock:
            return dict(self._total_calls)

    def billed_today(self) -> int:
        """How many of today's calls Rekognition bills (``BILLED_OPERATIONS``, not refused)."""
        with self._lock:
            self._roll_day()
            return sum(
                n - self._today_refused[op]
                for op, n in self._today_calls.items()
                if op in BILLED_OPERATIONS
            )

"""When the next token refresh may start: at most 5 in any 10 minutes (Zoho throttles past 10)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync_engine.zoho.auth.token_keeping import REFRESH_WINDOW, REFRESHES_PER_WINDOW, refresh_allowed_at

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_our_limit_is_below_zohos_ten_per_ten_minutes():
    assert REFRESHES_PER_WINDOW < 10 and REFRESH_WINDOW == timedelta(minutes=10)


def test_under_the_limit_a_refresh_may_start_now():
    assert refresh_allowed_at([], NOW) is None
    assert refresh_allowed_at(minutes_ago(1, 2, 3, 4), NOW) is None


def test_at_the_limit_the_next_waits_until_the_oldest_leaves_the_window():
    assert refresh_allowed_at(minutes_ago(9, 7, 5, 3, 1), NOW) == NOW + timedelta(minutes=1)


def test_refreshes_older_than_the_window_do_not_count():
    assert refresh_allowed_at(minutes_ago(30, 20, 11, 10, 3, 2), NOW) is None


def test_more_than_the_limit_already_made_waits_for_enough_of_them_to_leave():
    made = minutes_ago(9.5, 9, 8, 6, 4, 2, 1)  # seven (another process, before it counted ours)
    assert refresh_allowed_at(made, NOW) == NOW - timedelta(minutes=8) + REFRESH_WINDOW  # then four remain

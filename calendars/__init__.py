"""iCalendar feeds: pure functions from sessions to bytes, served with ETags and a small cache."""

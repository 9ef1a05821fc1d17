"""Views of time tracking, one module per area (my time, the timer, managers, reports)."""

"""Pages for ``make bench``."""

PAGES = [
    {"name": "my reminders", "path": "/reminders/", "user": "admin"},
]

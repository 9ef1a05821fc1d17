from __future__ import annotations

import pytest

from apps.common.pdf import BASE_URL, _static_path, safe_url_fetcher


def test_fetcher_serves_only_our_static_files() -> None:
    assert _static_path(BASE_URL + "static/css/timetracking-pdf.css") is not None
    assert _static_path(BASE_URL + "static/../workmate/settings.py") is None
    assert _static_path("https://example.com/static/css/app.css") is None
    assert _static_path("file:///etc/passwd") is None
    assert _static_path(BASE_URL + "media/secret.pdf") is None


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"])
def test_fetcher_refuses_other_urls(url: str) -> None:
    with pytest.raises(ValueError):
        safe_url_fetcher().fetch(url)


def test_fetcher_returns_static_file() -> None:
    response = safe_url_fetcher().fetch(BASE_URL + "static/css/timetracking-pdf.css")
    assert b"@page" in response.read()

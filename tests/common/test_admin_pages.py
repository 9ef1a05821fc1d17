"""Every admin list page of the project's models opens for an administrator."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.urls import reverse

APPS = {app.rsplit(".", 1)[-1] for app in settings.DOMAIN_APPS}


@pytest.mark.django_db
def test_every_admin_list_page_opens(client_for, admin):
    client = client_for(admin)
    registered = [m for m in admin_site._registry if m._meta.app_label in APPS]
    assert len(registered) > 20
    for model in registered:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, follow=True)  # singletons redirect to their one record
        assert response.status_code == 200, url

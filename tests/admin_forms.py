"""Posting the Django admin's change forms in tests, as a browser would."""

from __future__ import annotations

from typing import Any


def admin_unchanged_post(client: Any, url: str) -> dict[str, Any]:
    """What the admin change page at ``url`` posts back when nothing is touched: the form's
    values, every inline's management form and each existing inline row with its values (a
    ticked checkbox as "on"; unticked boxes and empty values are left out, as browsers do)."""
    page = client.get(url)
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.initial_forms:
            data[form.add_prefix("id")] = form.instance.pk
            data[form.add_prefix(formset.fk.name)] = formset.instance.pk
            for name in form.fields:
                value = form.initial.get(name)
                if name in {"id", formset.fk.name, "DELETE"} or value in (None, False):
                    continue
                data[form.add_prefix(name)] = "on" if value is True else value
    return data

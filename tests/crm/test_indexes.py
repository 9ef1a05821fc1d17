"""Every filter and sort column of the list pages leads an index."""

from __future__ import annotations

import pytest
from django.db import models

from apps.crm.filters import CustomerFilter
from apps.crm.models import Customer
from apps.projects.filters import ProjectFilter
from apps.projects.models import Project


def _indexed_columns(model: type[models.Model]) -> set[str]:
    columns = {
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "db_index", False)
        or getattr(field, "unique", False)
        or isinstance(field, models.ForeignKey)
    }
    for index in model._meta.indexes:
        if index.fields:
            columns.add(index.fields[0].lstrip("-"))
        for expression in index.expressions:  # Upper("city"), Lower("email")
            columns.add(expression.source_expressions[0].name)
    return columns


@pytest.mark.parametrize(
    ("filterset", "model", "extra"),
    [
        (CustomerFilter, Customer, {"q": "search_text"}),
        (ProjectFilter, Project, {"q": "title", "overdue": "deadline"}),
    ],
)
def test_filter_and_sort_columns_are_indexed(filterset, model, extra):
    indexed = _indexed_columns(model)
    wanted = set()
    for name, declared in filterset.base_filters.items():
        if name == "ordering":
            wanted.update(field.lstrip("-") for field in declared.param_map.values())
        elif name in extra:
            wanted.add(extra[name])
        elif name == "customer" and model is Project:
            wanted.add("customer")
        else:
            wanted.add(declared.field_name)
    wanted.discard("search_text")  # trigram GIN index, created by migration crm 0002 (PostgreSQL)
    wanted.discard("title")  # trigram GIN index on UPPER(title), migration projects 0002
    assert wanted <= indexed, wanted - indexed

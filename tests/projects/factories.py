from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.projects.models import Project
from apps.projects.services import project_create
from tests.crm.factories import CustomerFactory


class ProjectFactory(DjangoModelFactory[Project]):
    """``ProjectFactory(members=[employee])`` adds members (with their object permissions)."""

    class Meta:
        model = Project

    title = factory.Faker("catch_phrase", locale="de_DE")
    customer = factory.SubFactory(CustomerFactory)
    status = Project.Status.IN_PROGRESS
    hourly_rate = Decimal("95.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return project_create(actor=None, **kwargs)

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from apps.employees.models import Department, Employee, Role
from apps.employees.services import employee_create


def role_named(name: str) -> Role:
    """One of the default roles created by the data migration."""
    return Role.objects.get(name=name)


class RoleFactory(DjangoModelFactory[Role]):
    class Meta:
        model = Role

    name = factory.Sequence(lambda n: f"Rolle {n}")
    permissions = factory.LazyFunction(list)


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Abteilung {n}")
    code = factory.Sequence(lambda n: f"A{n}")


class EmployeeFactory(DjangoModelFactory[Employee]):
    """Employees are created through the service (codes from the sequence, audited)."""

    class Meta:
        model = Employee

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = "correct horse battery"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return employee_create(actor=None, **kwargs)

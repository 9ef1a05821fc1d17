from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.employees.models import Department, Employee


def employees_for_user(user: Any) -> QuerySet[Employee]:
    """The directory: every signed-in employee sees colleagues (name, contact, department)."""
    return Employee.objects.select_related("department", "role").order_by(
        "last_name", "first_name", "id"
    )


def employee_profiles_for_user(user: Any) -> QuerySet[Employee]:
    """One employee's page: the directory's rows plus the manager (shown on the page)."""
    return employees_for_user(user).select_related("reports_to")


def employee_search(qs: QuerySet[Employee], term: str) -> QuerySet[Employee]:
    for word in term.split()[:5]:
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(code__icontains=word)
            | Q(position__icontains=word)
        )
    return qs


def employee_get_for_user(user: Any, pk: int) -> Employee:
    return employees_for_user(user).select_related("reports_to").get(pk=pk)


def departments_with_counts() -> QuerySet[Department]:
    return (
        Department.objects.select_related("manager")
        .annotate(
            active_count=Count("employees", filter=~Q(employees__status=Employee.Status.INACTIVE))
        )
        .order_by("name", "id")
    )

"""Benchmark pages of the platform (``make bench``, see bench/run.py): the employee directory,
departments, the audit log and the start page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse


def _employee_list_filtered() -> str:
    from apps.employees.models import Department

    department = (
        Department.objects.annotate(size=Count("employees")).order_by("-size", "pk").first()
    )
    query = {"q": "er", "status": "active"}
    if department:
        query["department"] = str(department.pk)
    return reverse("employees:employee_list") + "?" + urlencode(query)


def _employee_detail() -> str:
    from apps.employees.models import Employee

    # A manager with reports: the heaviest detail page.
    employee = (
        Employee.objects.annotate(n=Count("reports")).order_by("-n", "pk").first()
        or Employee.objects.order_by("pk").first()
    )
    return reverse("employees:employee_detail", args=[employee.pk])


def _department_detail() -> str:
    from apps.employees.models import Department

    department = Department.objects.annotate(size=Count("employees")).order_by("-size").first()
    return reverse("employees:department_detail", args=[department.pk])


PAGES = [
    {"name": "start page", "path": lambda: reverse("dashboards:home"), "user": "admin"},
    {"name": "employee list", "path": lambda: reverse("employees:employee_list"), "user": "admin"},
    {"name": "employee list, filtered + search", "path": _employee_list_filtered, "user": "admin"},
    {
        "name": "employee list, page 5 (Mitarbeiter)",
        "path": lambda: reverse("employees:employee_list") + "?page=5",
        "user": "member",
    },
    {
        "name": "employee list, htmx fragment",
        "path": _employee_list_filtered,
        "user": "admin",
        "headers": {"HX-Request": "true", "HX-Target": "employee-results"},
    },
    {"name": "employee detail", "path": _employee_detail, "user": "admin"},
    {"name": "own profile", "path": lambda: reverse("employees:profile"), "user": "member"},
    {
        "name": "department list",
        "path": lambda: reverse("employees:department_list"),
        "user": "admin",
    },
    {"name": "department detail", "path": _department_detail, "user": "admin"},
    {"name": "audit log", "path": lambda: reverse("audit:audit_list"), "user": "admin"},
]

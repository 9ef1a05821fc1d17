from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.attachments import CarriesAttachments
from apps.common.models import TimeStampedModel


class Project(CarriesAttachments, TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        ON_HOLD = "on_hold", _("on hold")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")
        CRITICAL = "critical", _("critical")

    class Rounding(models.IntegerChoices):
        NONE = 0, _("no rounding")
        MIN_5 = 5, _("5 minutes")
        MIN_15 = 15, _("15 minutes")
        MIN_30 = 30, _("30 minutes")

    number = models.CharField(_("project number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    department = models.ForeignKey(
        "employees.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_projects",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="ProjectMember",
        related_name="projects",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    budget_amount = models.DecimalField(
        _("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_hours = models.DecimalField(
        _("budget (hours)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (EUR)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    billing_rounding = models.PositiveSmallIntegerField(
        _("billing rounding"), choices=Rounding.choices, default=Rounding.NONE
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        permissions = [("manage_members", _("Can manage project members"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="projects_project_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="projects_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="projects_customer_idx"),
            models.Index(fields=["department", "-created_at"], name="projects_department_idx"),
            models.Index(fields=["manager", "-created_at"], name="projects_manager_idx"),
            models.Index(fields=["deadline"], name="projects_deadline_idx"),
            models.Index(fields=["title", "id"], name="projects_title_idx"),
            models.Index(fields=["end_date"], name="projects_end_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.deadline
            and self.deadline < timezone.localdate()
            and self.status not in (self.Status.COMPLETED, self.Status.CANCELLED)
        )

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(fields=["project", "employee"], name="projects_member_unique")
        ]
        indexes = [models.Index(fields=["employee", "project"], name="projects_member_emp_idx")]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.project}"

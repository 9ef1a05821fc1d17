from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.common.attachments import CarriesAttachments
from apps.common.models import TimeStampedModel
from apps.employees.permission_patterns import validate_patterns


class Role(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=0,
        help_text=_("When the identity provider maps several roles, the highest priority wins."),
    )
    idp_role_key = models.CharField(
        _("identity provider role key"),
        max_length=100,
        blank=True,
        help_text=_("The Zitadel project role key that grants this role, e.g. “buchhaltung”."),
    )
    is_default = models.BooleanField(
        _("default role"),
        default=False,
        help_text=_("Given to employees whose sign-in carries no mapped role."),
    )
    permissions = models.JSONField(
        _("permission patterns"),
        default=list,
        blank=True,
        help_text=_(
            "One pattern per line: * (everything), backoffice.* (CRM, projects, time, invoices, "
            "finance, chat), core.* (employees, documents, reminders, dashboards), crm.* (one "
            "module), crm.view_* (all view permissions of a module) or an exact permission such "
            "as invoices.issue_invoice."
        ),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["-priority", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["idp_role_key"],
                condition=~models.Q(idp_role_key=""),
                name="employees_role_unique_idp_key",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="employees_role_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.permissions, list) or not all(
            isinstance(p, str) for p in self.permissions
        ):
            raise ValidationError({"permissions": _("Permissions must be a list of patterns.")})
        try:
            validate_patterns(self.permissions)
        except ValidationError as error:
            raise ValidationError({"permissions": error.messages}) from None


class Department(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True)
    manager = models.ForeignKey(
        "employees.Employee",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("employees:department_detail", args=[self.pk])


class EmployeeManager(BaseUserManager["Employee"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Employee:
        from apps.employees.services import employee_create

        return employee_create(actor=None, email=email, password=password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Employee:
        fields.setdefault("first_name", "Admin")
        fields.setdefault("last_name", "")
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> Employee:
        return self.get(email__iexact=username)


class Employee(CarriesAttachments, AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    """A person of the company and the user model. Never deleted: deactivated."""

    class EmploymentType(models.TextChoices):
        FULLTIME = "fulltime", _("full-time")
        PARTTIME = "parttime", _("part-time")
        INTERN = "intern", _("intern")
        EXTERNAL = "external", _("external")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ON_LEAVE = "on_leave", _("on leave")
        INACTIVE = "inactive", _("inactive")

    class Language(models.TextChoices):
        DE = "de", _("German")
        EN = "en", _("English")

    class Theme(models.TextChoices):
        SYSTEM = "system", _("as system")
        LIGHT = "light", _("light")
        DARK = "dark", _("dark")

    code = models.CharField(_("employee code"), max_length=20, unique=True, editable=False)
    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    employment_type = models.CharField(
        _("employment type"),
        max_length=16,
        choices=EmploymentType.choices,
        default=EmploymentType.FULLTIME,
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.DE
    )
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices, default=Theme.SYSTEM)
    oidc_sub = models.CharField(
        _("identity provider subject"), max_length=255, null=True, blank=True, unique=True
    )
    is_staff = models.BooleanField(
        _("admin panel access"),
        default=False,
        help_text=_("May open the admin panel (what it shows there still follows the role)."),
    )

    objects = EmployeeManager()

    # True from set_unusable_password() until the password is saved, as Django's own
    # ``_password`` is for set_password(): the password hook in apps.audit.signals audits both.
    _password_pending = False

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="employees_employee_unique_email"),
            models.CheckConstraint(
                condition=models.Q(termination_date__isnull=True)
                | models.Q(hire_date__isnull=True)
                | models.Q(termination_date__gte=models.F("hire_date")),
                name="employees_employee_termination_after_hire",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "last_name", "first_name"], name="employee_status_name_idx"
            ),
            models.Index(fields=["department", "last_name"], name="employee_dept_name_idx"),
            models.Index(fields=["role", "last_name"], name="employee_role_name_idx"),
            models.Index(fields=["last_name", "first_name", "id"], name="employee_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Inactive employees cannot sign in; existing sessions end on their next request."""
        return self.status != self.Status.INACTIVE

    @property
    def initials(self) -> str:
        return ((self.first_name[:1] or "") + (self.last_name[:1] or "")).upper() or "?"

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_pending = True

    def get_short_name(self) -> str:
        return self.first_name

    def get_full_name(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("employees:employee_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.termination_date and self.hire_date and self.termination_date < self.hire_date:
            raise ValidationError(
                {"termination_date": _("The termination date cannot be before the hire date.")}
            )

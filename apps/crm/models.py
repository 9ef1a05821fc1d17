from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.common.attachments import CarriesAttachments
from apps.common.models import TimeStampedModel
from apps.common.validators import validate_vat_id
from apps.crm.validators import validate_leitweg_id


class Customer(CarriesAttachments, TimeStampedModel):
    class Type(models.TextChoices):
        B2B = "b2b", _("business (B2B)")
        B2C = "b2c", _("consumer (B2C)")

    class Status(models.TextChoices):
        LEAD = "lead", _("lead")
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        BLOCKED = "blocked", _("blocked")

    class Stage(models.TextChoices):
        NEW_LEAD = "new_lead", _("new lead")
        QUALIFIED = "qualified", _("qualified")
        PROPOSAL = "proposal", _("proposal")
        NEGOTIATION = "negotiation", _("negotiation")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    class VatTreatment(models.TextChoices):
        DOMESTIC = "domestic", _("domestic")
        EU_REVERSE_CHARGE = "eu_reverse_charge", _("EU reverse charge")
        THIRD_COUNTRY = "third_country", _("third country")

    number = models.CharField(_("customer number"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=3, choices=Type.choices, default=Type.B2B)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.LEAD
    )
    stage = models.CharField(
        _("pipeline stage"), max_length=12, choices=Stage.choices, default=Stage.NEW_LEAD
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    zip_code = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    vat_id = models.CharField(
        _("VAT ID (USt-IdNr.)"), max_length=20, blank=True, validators=[validate_vat_id]
    )
    tax_number = models.CharField(_("tax number"), max_length=30, blank=True)
    leitweg_id = models.CharField(
        _("Leitweg-ID"), max_length=46, blank=True, validators=[validate_leitweg_id]
    )
    vat_treatment = models.CharField(
        _("VAT treatment"),
        max_length=20,
        choices=VatTreatment.choices,
        default=VatTreatment.DOMESTIC,
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the company default."),
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
    )
    notes = models.TextField(_("notes"), blank=True)
    # Name, number, e-mail, city and contact names, case- and accent-folded (crm.search.fold), kept
    # up to date by the services; a trigram GIN index on PostgreSQL makes "%muller%" fast.
    search_text = models.TextField(_("search text"), blank=True, editable=False, db_default="")

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "name"], name="crm_customer_status_idx"),
            models.Index(fields=["type", "name"], name="crm_customer_type_idx"),
            models.Index(fields=["stage", "name"], name="crm_customer_stage_idx"),
            models.Index(fields=["account_manager", "name"], name="crm_customer_manager_idx"),
            models.Index(fields=["city", "name"], name="crm_customer_city_idx"),
            models.Index(fields=["name", "id"], name="crm_customer_name_idx"),
            models.Index(Upper("city"), name="crm_customer_city_upper_idx"),
            models.Index(Lower("email"), name="crm_customer_email_idx"),
            models.Index(fields=["vat_id"], name="crm_customer_vat_idx"),
            # The pipeline board's cards: per stage the latest changed leads and active customers
            # (the statuses the board shows, views/pipeline.py).
            models.Index(
                fields=["stage", "-updated_at", "-id"],
                name="crm_customer_pipeline_idx",
                condition=models.Q(status__in=["lead", "active"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("crm:customer_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.LEAD, self.Status.ACTIVE)


class Contact(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=50, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "last_name", "first_name", "id"]
        indexes = [models.Index(Lower("email"), name="crm_contact_email_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_primary=True),
                name="crm_contact_one_primary_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Activity(TimeStampedModel):
    class Type(models.TextChoices):
        CALL = "call", _("call")
        EMAIL = "email", _("e-mail")
        MEETING = "meeting", _("meeting")
        NOTE = "note", _("note")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.NOTE)
    text = models.TextField(_("text"))
    occurred_at = models.DateTimeField(_("when"))
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="crm_activities",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="crm_activity_customer_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.text[:50]}"


class CustomerImport(TimeStampedModel):
    """A confirmed CSV import, run by a task (creating 10,000 customers takes minutes).

    The upload waits here (not in the session) until the task has run; then the file is dropped
    and the outcome kept: the summary, and the first rows as the result page lists them.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("running")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("file content"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Progress, written after each committed chunk: of the rows to create, how many are done.
    rows_total = models.PositiveIntegerField(_("rows to create"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("crm:customer_import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

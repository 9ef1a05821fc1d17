"""Quotes, invoices, cancellation invoices, their lines and payments (SPEC §11).

Money is ``Decimal``; every amount is computed by ``apps.invoices.calculation`` (one place), so the
page, the PDF and the e-invoice XML show the same figures by construction. Issued documents
(number assigned) are never changed through the services, the forms or the admin (GoBD); only the
internal notes stay editable.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.attachments import CarriesAttachments
from apps.common.models import TimeStampedModel

ZERO = Decimal("0.00")


class DocumentType(models.TextChoices):
    QUOTE = "quote", _("quote")
    INVOICE = "invoice", _("invoice")
    CANCELLATION = "cancellation", _("cancellation invoice")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("issued")
    PARTIAL = "partial", _("partially paid")
    PAID = "paid", _("paid")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (InvoiceStatus.SENT, InvoiceStatus.PARTIAL)


class VatCategory(models.TextChoices):
    """EN 16931 VAT category codes (UNTDID 5305) used by the company.

    The company sells services, and WorkmateOS has no concept of goods (no product catalogue, no
    goods flag on a line). So a customer outside the EU gets "O" (not subject to VAT): for a
    business customer the place of supply is the customer's seat abroad (§ 3a (2) UStG), and EN
    16931 expresses that with category O (BR-O-01..14: no VAT rate, no VAT IDs in the XML, no
    other category on the same invoice). "G" (tax-free export of goods, § 4 Nr. 1a with § 6
    UStG) is for goods only: it is no longer offered for new lines and is kept solely so that
    documents issued with it stay readable and reproducible (GoBD). Cancelling such an invoice
    mirrors its lines and keeps G.
    """

    STANDARD = "S", _("standard rate")
    REVERSE_CHARGE = "AE", _("reverse charge (§ 13b UStG)")
    EXEMPT = "E", _("exempt (§ 19 UStG small business)")
    NOT_SUBJECT = "O", _("not taxable in Germany (§ 3a UStG, customer outside the EU)")
    EXPORT = "G", _("export outside the EU (tax-free)")  # legacy, see above


# Categories that new or edited lines may use (G is legacy only, see VatCategory).
LINE_CATEGORIES = frozenset(
    {
        VatCategory.STANDARD,
        VatCategory.REVERSE_CHARGE,
        VatCategory.EXEMPT,
        VatCategory.NOT_SUBJECT,
    }
)


class InvoiceQuerySet(models.QuerySet["Invoice"]):
    def issued(self) -> InvoiceQuerySet:
        return self.exclude(status=InvoiceStatus.DRAFT)

    def open(self) -> InvoiceQuerySet:
        return self.filter(document_type=DocumentType.INVOICE, status__in=OPEN_STATUSES)

    def overdue(self, *, today=None) -> InvoiceQuerySet:  # type: ignore[no-untyped-def]
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)


class Invoice(CarriesAttachments, TimeStampedModel):
    document_type = models.CharField(
        _("document type"), max_length=12, choices=DocumentType.choices, default="invoice"
    )
    number = models.CharField(_("number"), max_length=32, null=True, blank=True, editable=False)
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    language = models.CharField(
        _("document language"),
        max_length=2,
        choices=[("de", _("German")), ("en", _("English"))],
        default="de",
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    service_date = models.DateField(_("service date"), null=True, blank=True)
    service_period_start = models.DateField(_("service period from"), null=True, blank=True)
    service_period_end = models.DateField(_("service period to"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    header_text = models.TextField(_("introductory text"), blank=True)
    footer_text = models.TextField(_("closing text"), blank=True)
    notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Never printed; editable after issuing.")
    )
    timesheet_appendix = models.BooleanField(
        _("timesheet appendix (Leistungsnachweis)"),
        default=False,
        help_text=_("Lists the billed time entries on an extra page of the PDF."),
    )
    buyer_reference = models.CharField(
        _("buyer reference / order number"), max_length=100, blank=True
    )

    # Frozen at issue: names, addresses, tax IDs, bank, so later edits never change the document.
    seller_data = models.JSONField(_("seller data (frozen)"), default=dict, blank=True)
    buyer_data = models.JSONField(_("buyer data (frozen)"), default=dict, blank=True)

    source_quote = models.ForeignKey(
        "self",
        verbose_name=_("from quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="converted_invoices",
    )
    cancels = models.ForeignKey(
        "self",
        verbose_name=_("cancels invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancellations",
    )

    # Totals: kept current for drafts, fixed at issue (fast lists; same calculation everywhere).
    net_total = models.DecimalField(_("net"), max_digits=14, decimal_places=2, default=ZERO)
    vat_total = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=ZERO)
    gross_total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=ZERO)
    paid_total = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=ZERO)

    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    overdue_since = models.DateField(
        _("flagged overdue on"),
        null=True,
        blank=True,
        help_text=_("Set by manage.py mark_overdue_invoices."),
    )

    # The e-invoice XML (Factur-X EN 16931 and XRechnung, CII) is generated inside the issuing
    # transaction from the frozen data; the PDF/A-3 (with the Factur-X XML embedded) is rendered
    # once afterwards by a background task.
    facturx_xml = models.TextField(_("Factur-X XML"), blank=True, editable=False)
    xrechnung_xml = models.TextField(_("XRechnung XML"), blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/", blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        permissions = [
            ("issue_invoice", _("Can issue invoices")),
            ("cancel_invoice", _("Can cancel invoices")),
            ("record_payment", _("Can record payments")),
            ("send_invoice", _("Can send invoices")),
            ("export_invoice", _("Can export invoices")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(number__isnull=False),
                name="invoices_invoice_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(issue_date__isnull=True)
                | models.Q(due_date__gte=models.F("issue_date")),
                name="invoices_invoice_due_not_before_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(service_period_start__isnull=True)
                | models.Q(service_period_end__isnull=True)
                | models.Q(service_period_end__gte=models.F("service_period_start")),
                name="invoices_invoice_service_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(number__isnull=False) & models.Q(issue_date__isnull=False)),
                name="invoices_invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(document_type="cancellation") | models.Q(cancels__isnull=False),
                name="invoices_invoice_cancellation_references_original",
            ),
            models.UniqueConstraint(
                fields=["cancels"],
                condition=models.Q(cancels__isnull=False),
                name="invoices_invoice_one_cancellation_per_invoice",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_total__gte=0), name="invoices_invoice_paid_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="invoices_status_due_idx"),
            models.Index(fields=["customer", "-issue_date"], name="invoices_customer_idx"),
            models.Index(fields=["project", "-issue_date"], name="invoices_project_idx"),
            models.Index(fields=["document_type", "-issue_date"], name="invoices_type_idx"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft %(type)s #%(id)s")) % {
            "type": self.get_document_type_display(),
            "id": self.pk,
        }

    def get_absolute_url(self) -> str:
        return reverse("invoices:invoice_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_issued(self) -> bool:
        return self.status != InvoiceStatus.DRAFT

    @property
    def is_quote(self) -> bool:
        return self.document_type == DocumentType.QUOTE

    @property
    def is_cancellation(self) -> bool:
        return self.document_type == DocumentType.CANCELLATION

    @property
    def open_amount(self) -> Decimal:
        if self.document_type != DocumentType.INVOICE or self.status not in OPEN_STATUSES:
            return ZERO
        return self.gross_total - self.paid_total

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.document_type == DocumentType.INVOICE
            and self.status in OPEN_STATUSES
            and self.due_date
            and self.due_date < timezone.localdate()
            and self.open_amount > 0
        )

    @property
    def pdf_ready(self) -> bool:
        return bool(self.pdf)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"))
    description = models.TextField(_("description"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, default="Stunden")
    unit_price = models.DecimalField(_("unit price (net)"), max_digits=12, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=ZERO
    )
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2)
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    line_net = models.DecimalField(_("net amount"), max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "id"]
        constraints = [
            # > 0 on quotes and invoices (checked by the services and forms); a cancellation
            # invoice carries the negated quantities of the original.
            models.CheckConstraint(
                condition=~models.Q(quantity=0), name="invoices_invoiceline_quantity_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0),
                name="invoices_invoiceline_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0) & models.Q(discount_percent__lte=100),
                name="invoices_invoiceline_discount_range",
            ),
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0) & models.Q(vat_rate__lte=100),
                name="invoices_invoiceline_vat_rate_range",
            ),
            models.CheckConstraint(
                condition=models.Q(vat_category="S") | models.Q(vat_rate=0),
                name="invoices_invoiceline_zero_rate_unless_standard",
            ),
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoices_invoiceline_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description[:60]}"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("bank transfer")
    SEPA = "sepa", _("SEPA direct debit")
    CASH = "cash", _("cash")
    CARD = "card", _("card")
    PAYPAL = "paypal", _("PayPal")
    OTHER = "other", _("other")


class Payment(TimeStampedModel):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    date = models.DateField(_("payment date"))
    method = models.CharField(
        _("method"), max_length=20, choices=PaymentMethod.choices, default="bank_transfer"
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="invoices_payment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} € ({self.date:%d.%m.%Y})"


class DunningLevel(models.IntegerChoices):
    REMINDER = 1, _("payment reminder")
    DUNNING = 2, _("dunning letter")
    FINAL = 3, _("final dunning letter")


class DunningLetter(TimeStampedModel):
    """One letter per invoice and level (at most one), with the figures as of its date."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="dunning_letters"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=DunningLevel.choices)
    letter_date = models.DateField(_("date"))
    deadline = models.DateField(_("payment deadline"))
    open_amount = models.DecimalField(_("open amount"), max_digits=14, decimal_places=2)
    fee = models.DecimalField(_("dunning fee"), max_digits=10, decimal_places=2, default=ZERO)
    flat_fee = models.DecimalField(
        _("flat fee (§ 288 (5) BGB)"), max_digits=10, decimal_places=2, default=ZERO
    )
    interest_rate = models.DecimalField(
        _("interest rate % p.a."), max_digits=5, decimal_places=2, default=ZERO
    )
    interest_days = models.PositiveIntegerField(_("interest days"), default=0)
    interest = models.DecimalField(_("interest"), max_digits=12, decimal_places=2, default=ZERO)
    total_claim = models.DecimalField(_("total claim"), max_digits=14, decimal_places=2)
    pdf = models.FileField(_("PDF"), upload_to="dunning/%Y/", blank=True, editable=False)
    # Set once, when the letter was e-mailed (at most once: apps.invoices.dunning). Empty: not
    # e-mailed (yet) - the customer had no e-mail address, so the letter is for print.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.EmailField(_("e-mailed to"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dunning letter")
        verbose_name_plural = _("dunning letters")
        ordering = ["invoice", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "level"], name="invoices_dunningletter_one_per_level"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1) & models.Q(level__lte=3),
                name="invoices_dunningletter_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("letter_date")),
                name="invoices_dunningletter_deadline_after_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.invoice}"


class InvoiceEmailStatus(models.TextChoices):
    QUEUED = "queued", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class InvoiceEmail(TimeStampedModel):
    """One e-mail of an issued document (PDF + XRechnung XML) to the customer.

    The page only queues it; a task sends it (apps.invoices.mailing) at most once: the task locks
    the row and sends only while it is ``queued``. A failure is kept with its error text, shown
    on the invoice and can be queued again. At most one e-mail per invoice waits at a time.
    """

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="emails"
    )
    to = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvoiceEmailStatus.choices,
        default=InvoiceEmailStatus.QUEUED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("invoice e-mail")
        verbose_name_plural = _("invoice e-mails")
        ordering = ["invoice", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(status="queued"),
                name="invoices_invoiceemail_one_queued_per_invoice",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="invoices_invoiceemail_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} → {', '.join(self.to)}"

    @property
    def recipients(self) -> str:
        return ", ".join(self.to)

"""Company settings: one row, edited in the admin; invoices, letters and rules read it."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.common.validators import validate_bic, validate_iban, validate_tax_number, validate_vat_id


class Bundesland(models.TextChoices):
    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


class CompanySettings(models.Model):
    """The singleton (pk = 1). Read it through ``apps.company.selectors.company_get()``."""

    name = models.CharField(_("company name"), max_length=200, default="Meine Firma")
    legal_form = models.CharField(_("legal form"), max_length=50, blank=True, default="GmbH")
    street = models.CharField(_("street"), max_length=200, blank=True)
    zip_code = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    tax_number = models.CharField(
        _("tax number (Steuernummer)"), max_length=30, blank=True, validators=[validate_tax_number]
    )
    vat_id = models.CharField(
        _("VAT ID (USt-IdNr.)"), max_length=20, blank=True, validators=[validate_vat_id]
    )
    register_court = models.CharField(_("register court"), max_length=100, blank=True)
    register_number = models.CharField(_("register number"), max_length=50, blank=True)
    managing_directors = models.CharField(_("managing directors"), max_length=300, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    logo = models.ImageField(_("logo"), upload_to="company/", blank=True)
    email_sender = models.EmailField(_("e-mail sender"), blank=True)

    employee_prefix = models.CharField(_("employee code prefix"), max_length=10, default="KIT")
    customer_prefix = models.CharField(_("customer number prefix"), max_length=10, default="KD")
    project_prefix = models.CharField(_("project number prefix"), max_length=10, default="PRJ")
    invoice_prefix = models.CharField(_("invoice number prefix"), max_length=10, default="RE")
    quote_prefix = models.CharField(_("quote number prefix"), max_length=10, default="AN")
    cancellation_prefix = models.CharField(
        _("cancellation number prefix"), max_length=10, default="ST"
    )

    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    default_vat_rate = models.DecimalField(
        _("default VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    small_business = models.BooleanField(
        _("small business (§19 UStG)"),
        default=False,
        help_text=_("Invoices are issued without VAT and carry the §19 UStG note."),
    )

    # Dunning (Mahnwesen, used by apps.invoices): fees, deadlines, §288 BGB interest.
    dunning_grace_days = models.PositiveSmallIntegerField(
        _("days after the due date before the first reminder"),
        default=7,
        validators=[MaxValueValidator(365)],
    )
    dunning_deadline_days = models.PositiveSmallIntegerField(
        _("payment deadline of a dunning letter (days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    dunning_fee_level1 = models.DecimalField(
        _("fee payment reminder (level 1)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal(0))],
    )
    dunning_fee_level2 = models.DecimalField(
        _("fee dunning letter (level 2)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(Decimal(0))],
    )
    dunning_fee_level3 = models.DecimalField(
        _("fee final dunning letter (level 3)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal(0))],
    )
    dunning_interest_enabled = models.BooleanField(
        _("charge default interest (§ 288 BGB)"), default=False
    )
    dunning_b2b_flat_fee = models.BooleanField(
        _("charge the 40 € flat fee to businesses (§ 288 (5) BGB)"), default=False
    )
    base_interest_rate = models.DecimalField(
        _("base rate (Basiszinssatz, %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.27"),
        help_text=_("Published by the Bundesbank every 1 January and 1 July."),
    )
    base_interest_rate_valid_from = models.DateField(
        _("base rate valid from"), null=True, blank=True
    )

    # Working-time policy (ArbZG defaults; adjustable).
    hours_per_day = models.DecimalField(
        _("target hours per day"), max_digits=4, decimal_places=2, default=Decimal("8.00")
    )
    working_days_per_week = models.PositiveSmallIntegerField(
        _("working days per week"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
    )
    break_after_6h_minutes = models.PositiveSmallIntegerField(
        _("break after 6 hours (minutes)"), default=30
    )
    break_after_9h_minutes = models.PositiveSmallIntegerField(
        _("break after 9 hours (minutes)"), default=45
    )
    max_hours_per_day = models.DecimalField(
        _("maximum hours per day"), max_digits=4, decimal_places=2, default=Decimal("10.00")
    )
    min_rest_hours = models.DecimalField(
        _("minimum rest between days (hours)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("11.00"),
    )
    vacation_days_per_year = models.PositiveSmallIntegerField(
        _("vacation days per year"), default=30
    )
    bundesland = models.CharField(
        _("federal state (public holidays)"), max_length=2, choices=Bundesland.choices, default="NW"
    )

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="company_companysettings_singleton"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Company settings"))

    def clean(self) -> None:
        if self.small_business and self.default_vat_rate:
            # A Kleinunternehmer charges no VAT; a default rate would only confuse invoices.
            raise ValidationError(
                {
                    "default_vat_rate": _(
                        "A small business (§19 UStG) charges no VAT: set the rate to 0."
                    )
                }
            )

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street, f"{self.zip_code} {self.city}".strip()) if line]

    @property
    def full_name(self) -> str:
        return (
            f"{self.name} {self.legal_form}".strip()
            if self.legal_form and self.legal_form not in self.name
            else self.name
        )

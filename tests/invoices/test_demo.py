from io import StringIO

import pytest

from apps.invoices import demo
from apps.invoices.models import Invoice
from tests.invoices.factories import company_ready, customer_ready

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_seed_is_idempotent(django_capture_on_commit_callbacks):
    company_ready()
    customer_ready()
    out = StringIO()
    demo.seed(size="small", stdout=out)
    count = Invoice.objects.count()
    assert count >= 12
    assert Invoice.objects.filter(status="paid").exists()
    assert Invoice.objects.filter(status="partial").exists()
    assert Invoice.objects.filter(document_type="quote").exclude(status="draft").exists()
    demo.seed(size="small", stdout=out)
    assert Invoice.objects.count() == count

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from apps.crm.models import Contact, Customer
from apps.crm.services import contact_create, customer_create


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    name = factory.Faker("company", locale="de_DE")
    email = factory.Sequence(lambda n: f"kunde{n}@example.com")
    street = factory.Faker("street_address", locale="de_DE")
    zip_code = factory.Faker("postcode", locale="de_DE")
    city = factory.Faker("city", locale="de_DE")
    status = Customer.Status.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return customer_create(actor=None, **kwargs)


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"kontakt{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contact_create(actor=None, **kwargs)

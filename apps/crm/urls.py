from django.urls import path

from apps.crm.views import contacts, customers, imports, pipeline

app_name = "crm"

urlpatterns = [
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/new/", customers.customer_create, name="customer_create"),
    path("customers/export/", customers.customer_export, name="customer_export"),
    path("customers/export/xlsx/", customers.customer_export_xlsx, name="customer_export_xlsx"),
    path("customers/lookup/", customers.customer_lookup, name="customer_lookup"),
    path("customers/import/", imports.customer_import, name="customer_import"),
    path(
        "customers/import/<int:pk>/",
        imports.customer_import_detail,
        name="customer_import_detail",
    ),
    path(
        "customers/import/confirm/",
        imports.customer_import_confirm,
        name="customer_import_confirm",
    ),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path(
        "customers/<int:pk>/deactivate/",
        customers.customer_deactivate,
        name="customer_deactivate",
    ),
    path("customers/<int:pk>/delete/", customers.customer_delete, name="customer_delete"),
    path("customers/<int:pk>/contacts/new/", contacts.contact_create, name="contact_create"),
    path("customers/<int:pk>/activities/new/", contacts.activity_create, name="activity_create"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/primary/", contacts.contact_make_primary, name="contact_make_primary"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete, name="contact_delete"),
    path("pipeline/", pipeline.pipeline, name="pipeline"),
    path("pipeline/<int:pk>/move/", pipeline.pipeline_move, name="pipeline_move"),
]

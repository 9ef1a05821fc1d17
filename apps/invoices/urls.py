from django.urls import path

from apps.invoices import views

app_name = "invoices"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("export/xlsx/", views.invoice_export_xlsx, name="invoice_export_xlsx"),
    path("export/<str:fmt>/", views.invoice_export, name="invoice_export"),
    path("new/", views.invoice_create, name="invoice_create"),
    path("from-time/", views.invoice_from_time, name="invoice_from_time"),
    path("<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("<int:pk>/edit/", views.invoice_edit, name="invoice_edit"),
    path("<int:pk>/delete/", views.invoice_delete, name="invoice_delete"),
    path("<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("<int:pk>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("<int:pk>/convert/", views.quote_convert, name="quote_convert"),
    path("<int:pk>/notes/", views.invoice_notes, name="invoice_notes"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("<int:pk>/xml/", views.invoice_xml, name="invoice_xml"),
    path("<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("<int:pk>/send/retry/", views.invoice_send_retry, name="invoice_send_retry"),
    path("<int:pk>/mark-sent/", views.invoice_mark_sent, name="invoice_mark_sent"),
    path("<int:pk>/payments/", views.payment_create, name="payment_create"),
    path("payments/<int:pk>/delete/", views.payment_delete, name="payment_delete"),
    path("<int:pk>/dunning/", views.dunning_create, name="dunning_create"),
    path("dunning/<int:pk>/send/", views.dunning_send, name="dunning_send"),
    path("dunning/<int:pk>/pdf/", views.dunning_pdf, name="dunning_pdf"),
]

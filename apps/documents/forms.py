from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.documents.models import Document
from apps.employees.models import Employee


class UploadOptionsForm(forms.Form):
    """The non-file fields of an upload (the files themselves are checked by the service)."""

    category = forms.ChoiceField(
        label=_("Category"), choices=Document.Category.choices, initial=Document.Category.OTHER
    )
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class DocumentEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Document.Category.choices)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class ShareForm(forms.Form):
    employee = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=Employee.objects.exclude(status=Employee.Status.INACTIVE).order_by(
            "last_name", "first_name", "id"
        ),
    )


class LinkForm(forms.Form):
    document = forms.IntegerField(min_value=1)

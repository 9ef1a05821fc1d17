from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.chat.services import MAX_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        error_messages={"required": _("Please write a message.")},
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("body") and not data.get("attachment") and not self.errors:
            raise forms.ValidationError(_("Please write a message."))
        return data

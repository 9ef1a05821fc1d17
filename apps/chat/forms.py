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
        error_messages={"required": _("Please write a message.")},
    )

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.reminders.models import Reminder
from apps.reminders.services import SNOOZE_DAYS


class ReminderForm(forms.Form):
    """Create and edit. Native date/time inputs need ISO values, whatever the locale's format."""

    title = forms.CharField(label=_("Title"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Reminder.Priority.choices, initial=Reminder.Priority.MEDIUM
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SnoozeForm(forms.Form):
    days = forms.ChoiceField(
        choices=[(key, key) for key in SNOOZE_DAYS],
    )

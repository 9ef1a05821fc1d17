from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.employees.models import Employee, Role
from apps.employees.permission_patterns import validate_patterns


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("E-mail address or password is wrong."),
        "inactive": _("Your account is deactivated. Please contact your administrator."),
        "disabled": _("Sign-in with a password is switched off. Please use single sign-on."),
    }

    def clean(self) -> dict[str, Any]:
        if not settings.LOCAL_LOGIN_ENABLED and not settings.LOCAL_LOGIN_BREAK_GLASS:
            raise forms.ValidationError(self.error_messages["disabled"], code="disabled")
        try:
            return super().clean()
        except forms.ValidationError:
            # Tell an inactive employee why, but only when the password was right.
            email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            user = get_user_model().objects.filter(email__iexact=email or "").first()
            if user is not None and not user.is_active and user.check_password(password or ""):
                raise forms.ValidationError(
                    self.error_messages["inactive"], code="inactive"
                ) from None
            raise


class EmployeeForm(forms.ModelForm):
    class Meta:
        model = Employee
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "position",
            "department",
            "role",
            "reports_to",
            "employment_type",
            "hire_date",
            "termination_date",
            "status",
        ]
        widgets = {
            "hire_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "termination_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].queryset = Employee.objects.exclude(
            status=Employee.Status.INACTIVE
        ).exclude(pk=self.instance.pk)

    def _post_clean(self) -> None:
        # Validation of the whole model happens in the service; the form checks fields only.
        pass


class ProfileForm(forms.ModelForm):
    """What every employee may change about themselves."""

    class Meta:
        model = Employee
        fields = ["phone", "language", "theme"]

    def _post_clean(self) -> None:
        pass


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(choices=Employee.Language.choices, required=False)
    theme = forms.ChoiceField(choices=Employee.Theme.choices, required=False)


class RoleAdminForm(forms.ModelForm):
    """Patterns edited as text, one per line, validated against the installed permissions."""

    permissions = forms.CharField(
        label=_("Permission patterns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=Role._meta.get_field("permissions").help_text,
    )

    class Meta:
        model = Role
        fields = ["name", "description", "priority", "idp_role_key", "is_default", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["permissions"] = "\n".join(self.instance.permissions)

    def validate_constraints(self) -> None:
        # Choosing a new default role takes the flag from the previous default (role_save), so
        # the one-default constraint is not checked against the old default here.
        exclude = self._get_validation_exclusions()
        if self.instance.is_default:
            exclude.add("is_default")
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)

    def clean_permissions(self) -> list[str]:
        raw = self.cleaned_data.get("permissions") or ""
        patterns = [line.strip() for line in raw.replace(",", "\n").split() if line.strip()]
        validate_patterns(patterns)
        return list(dict.fromkeys(patterns))

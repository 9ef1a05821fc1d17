"""The default roles of SPEC §2 (editable afterwards in the admin)."""

from django.db import migrations

COMMON = ["dashboards.*", "employees.view_employee", "employees.view_department"]

DEFAULT_ROLES = [
    ("Admin", "Alles, auch Systemeinstellungen.", 100, "admin", False, ["*"]),
    ("Geschäftsführung", "Alle Kern- und Backoffice-Module, Audit-Log lesen.", 90,
     "geschaeftsfuehrung", False, ["core.*", "backoffice.*", "audit.view_auditentry"]),
    ("Buchhaltung", "Rechnungen und Finanzen; CRM, Projekte und Zeiten lesen.", 70, "buchhaltung",
     False, ["invoices.*", "finance.*", "crm.view_*", "projects.view_*", "timetracking.view_*",
             "documents.view_*", *COMMON]),
    ("Projektleitung", "CRM, Projekte, Zeiten inkl. Freigabe; Rechnungen lesen.", 60,
     "projektleitung", False, ["crm.*", "projects.*", "timetracking.*", "invoices.view_*",
                               "documents.view_*", "chat.*", *COMMON]),
    ("Marketing", "CRM.", 30, "marketing", False, ["crm.*", *COMMON]),
    ("Mitarbeiter", "Eigene Zeiten und Erinnerungen, Dokumente lesen, Chat in eigenen Projekten, "
     "CRM lesen.", 20, "mitarbeiter", True, ["crm.view_*", "documents.view_*", *COMMON]),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("employees", "Role")
    for name, description, priority, key, is_default, permissions in DEFAULT_ROLES:
        Role.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "priority": priority,
                "idp_role_key": key,
                "is_default": is_default,
                "permissions": permissions,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("employees", "0001_initial")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

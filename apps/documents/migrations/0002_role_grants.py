"""Default-role grants for documents: project leads and accounting may upload (SPEC §2 gives every
role read access through documents.view_*; uploading is needed for contracts and receipts)."""

from django.db import migrations

GRANTS = {
    "Projektleitung": ["documents.add_document"],
    "Buchhaltung": ["documents.add_document"],
}


def grant(apps, schema_editor):
    Role = apps.get_model("employees", "Role")
    for name, patterns in GRANTS.items():
        role = Role.objects.filter(name=name).first()
        if role is None:
            continue
        missing = [p for p in patterns if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("employees", "Role")
    for name, patterns in GRANTS.items():
        role = Role.objects.filter(name=name).first()
        if role is not None:
            role.permissions = [p for p in role.permissions if p not in patterns]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("employees", "0002_default_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""Default-role grants for time tracking (SPEC §2): every Mitarbeiter tracks own time."""

from django.db import migrations

GRANTS = {"Mitarbeiter": ["timetracking.add_timeentry"]}


def grant(apps, schema_editor):
    Role = apps.get_model("employees", "Role")
    for name, patterns in GRANTS.items():
        for role in Role.objects.filter(name=name):
            missing = [p for p in patterns if p not in role.permissions]
            if missing:
                role.permissions = [*role.permissions, *missing]
                role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("employees", "Role")
    for name, patterns in GRANTS.items():
        for role in Role.objects.filter(name=name):
            role.permissions = [p for p in role.permissions if p not in patterns]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("timetracking", "0002_no_overlap_on_postgresql"),
        ("employees", "0002_default_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

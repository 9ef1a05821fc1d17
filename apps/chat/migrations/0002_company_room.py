from django.db import migrations


def create_company_room(apps, schema_editor):
    ChatRoom = apps.get_model("chat", "ChatRoom")
    if not ChatRoom.objects.filter(kind="company").exists():
        ChatRoom.objects.create(kind="company", name="")


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [migrations.RunPython(create_company_room, migrations.RunPython.noop)]

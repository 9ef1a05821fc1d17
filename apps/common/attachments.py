"""How a model opts in to documents and reminders (two lines in a later module):

    from apps.common.attachments import CarriesAttachments

    class Invoice(CarriesAttachments, TimeStampedModel): ...

and in its detail template::

    {% include "documents/_panels.html" with object=invoice %}

The panels are loaded by htmx from views keyed by content type and object id; a user sees them only
if ``can(user, "<app>.view_<model>", obj)``. Only models with ``carries_attachments = True`` accept
attachments, so nobody can hang files on arbitrary rows (roles, audit entries ...).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models


class KeptGenericRelation(GenericRelation):
    """A GenericRelation whose rows survive the deletion of the record they point to.

    Django's GenericRelation deletes the related rows in cascade; documents and reminders must not
    silently disappear with a deleted customer (retention duties), so their links stay and are
    shown as "(deleted)".
    """

    def bulk_related_objects(self, objs: Any, using: str = "default") -> Any:
        return self.remote_field.model._base_manager.db_manager(using).none()


class CarriesAttachments(models.Model):
    """Abstract base: the model can carry documents (via links) and reminders."""

    carries_attachments = True

    document_links = KeptGenericRelation(
        "documents.DocumentLink", content_type_field="content_type", object_id_field="object_id"
    )
    reminders = KeptGenericRelation(
        "reminders.Reminder", content_type_field="content_type", object_id_field="object_id"
    )

    class Meta:
        abstract = True

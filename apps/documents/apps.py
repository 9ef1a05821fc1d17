from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem

OWNER_PERMS = frozenset(
    {
        "documents.view_document",
        "documents.change_document",
        "documents.delete_document",
    }
)


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    verbose_name = _("Documents")
    nav_items = [
        NavItem(
            _("Documents"), "documents:document_list", perm="documents.view_document", order=500
        ),
    ]

    def ready(self) -> None:
        from apps.common.permissions import register_owner_rule
        from apps.documents.models import Document

        # The owner of a document may see, change (share, link) and delete it.
        register_owner_rule(
            Document, lambda user, perm, obj: perm in OWNER_PERMS and obj.owner_id == user.pk
        )

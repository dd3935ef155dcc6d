from lxml import etree

from invoices import fatturapa


def parsed_valid_xml(invoice):
    """The invoice's stored XML, checked against the v1.2.3 schema, as an lxml tree."""
    xml = invoice.xml_content.encode()
    fatturapa.validate(xml)
    return etree.fromstring(xml)


def text(tree, path):
    return tree.findtext(path)

"""XML Schemas of the GeoReport v2 answers, written from the standard's documented elements
(wiki.open311.org/GeoReport_v2), to validate intake's XML with ``xmlschema``.

The standard publishes no XSD: each answer's elements, their order and types are taken from its
descriptions and examples. Elements the standard marks optional may be left out or empty; an empty
element stands for "no value" (``expected_datetime`` before a deadline is known).
"""

from __future__ import annotations

import io
from functools import cache

import xmlschema

_TYPES = """
  <xs:simpleType name="empty">
    <xs:restriction base="xs:string"><xs:length value="0"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="maybeDateTime"><xs:union memberTypes="xs:dateTime empty"/></xs:simpleType>
  <xs:simpleType name="maybeDecimal"><xs:union memberTypes="xs:decimal empty"/></xs:simpleType>
  <xs:simpleType name="withOffset">
    <xs:restriction base="xs:dateTime"><xs:explicitTimezone value="required"/></xs:restriction>
  </xs:simpleType>
"""


def _schema(body: str) -> str:
    return (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">'
        f"{_TYPES}{body}</xs:schema>"
    )


SCHEMAS = {
    # GET services
    "services": """
  <xs:element name="services"><xs:complexType><xs:sequence>
    <xs:element name="service" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="service_code" type="xs:string"/>
      <xs:element name="service_name" type="xs:string"/>
      <xs:element name="description" type="xs:string"/>
      <xs:element name="metadata" type="xs:boolean"/>
      <xs:element name="type">
        <xs:simpleType><xs:restriction base="xs:string">
          <xs:enumeration value="realtime"/><xs:enumeration value="batch"/><xs:enumeration value="blackbox"/>
        </xs:restriction></xs:simpleType>
      </xs:element>
      <xs:element name="keywords" type="xs:string"/>
      <xs:element name="group" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>""",
    # GET services/{service_code}
    "service_definition": """
  <xs:element name="service_definition"><xs:complexType><xs:sequence>
    <xs:element name="service_code" type="xs:string"/>
    <xs:element name="attributes"><xs:complexType><xs:sequence>
      <xs:element name="attribute" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="variable" type="xs:boolean"/>
        <xs:element name="code" type="xs:string"/>
        <xs:element name="datatype">
          <xs:simpleType><xs:restriction base="xs:string">
            <xs:enumeration value="string"/><xs:enumeration value="number"/><xs:enumeration value="datetime"/>
            <xs:enumeration value="text"/><xs:enumeration value="singlevaluelist"/>
            <xs:enumeration value="multivaluelist"/>
          </xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="required" type="xs:boolean"/>
        <xs:element name="datatype_description" type="xs:string"/>
        <xs:element name="order" type="xs:positiveInteger"/>
        <xs:element name="description" type="xs:string"/>
        <xs:element name="values" minOccurs="0"><xs:complexType><xs:sequence>
          <xs:element name="value" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
            <xs:element name="key" type="xs:string"/>
            <xs:element name="name" type="xs:string"/>
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>""",
    # POST requests: an id or a token (both here), a notice and an account id.
    "created": """
  <xs:element name="service_requests"><xs:complexType><xs:sequence>
    <xs:element name="request" minOccurs="1" maxOccurs="1"><xs:complexType><xs:sequence>
      <xs:element name="service_request_id" type="xs:string"/>
      <xs:element name="token" type="xs:string" minOccurs="0"/>
      <xs:element name="service_notice" type="xs:string" minOccurs="0"/>
      <xs:element name="account_id" type="xs:string" minOccurs="0"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>""",
    # GET tokens/{token}
    "token": """
  <xs:element name="service_requests"><xs:complexType><xs:sequence>
    <xs:element name="request" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="service_request_id" type="xs:string"/>
      <xs:element name="token" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>""",
    # GET requests and requests/{id}
    "requests": """
  <xs:element name="service_requests"><xs:complexType><xs:sequence>
    <xs:element name="request" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="service_request_id" type="xs:string"/>
      <xs:element name="status">
        <xs:simpleType><xs:restriction base="xs:string">
          <xs:enumeration value="open"/><xs:enumeration value="closed"/>
        </xs:restriction></xs:simpleType>
      </xs:element>
      <xs:element name="status_notes" type="xs:string" minOccurs="0"/>
      <xs:element name="service_name" type="xs:string" minOccurs="0"/>
      <xs:element name="service_code" type="xs:string" minOccurs="0"/>
      <xs:element name="description" type="xs:string" minOccurs="0"/>
      <xs:element name="agency_responsible" type="xs:string" minOccurs="0"/>
      <xs:element name="service_notice" type="xs:string" minOccurs="0"/>
      <xs:element name="requested_datetime" type="withOffset"/>
      <xs:element name="updated_datetime" type="withOffset" minOccurs="0"/>
      <xs:element name="expected_datetime" type="maybeDateTime" minOccurs="0"/>
      <xs:element name="address" type="xs:string" minOccurs="0"/>
      <xs:element name="address_id" type="xs:string" minOccurs="0"/>
      <xs:element name="zipcode" type="xs:string" minOccurs="0"/>
      <xs:element name="lat" type="maybeDecimal" minOccurs="0"/>
      <xs:element name="long" type="maybeDecimal" minOccurs="0"/>
      <xs:element name="media_url" type="xs:string" minOccurs="0"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>""",
    # Every error
    "errors": """
  <xs:element name="errors"><xs:complexType><xs:sequence>
    <xs:element name="error" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="code" type="xs:integer"/>
      <xs:element name="description" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>""",
}


@cache
def schema(kind: str) -> xmlschema.XMLSchema11:
    # XSD 1.1 for explicitTimezone: a datetime without an offset is refused.
    return xmlschema.XMLSchema11(_schema(SCHEMAS[kind]))


def validate(kind: str, body: bytes | memoryview) -> None:
    """Raise ``xmlschema.XMLSchemaValidationError`` unless ``body`` is a valid ``kind`` answer."""
    schema(kind).validate(io.BytesIO(bytes(body)))

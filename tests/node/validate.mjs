// Validate FHIR R4 resources with Medplum's validator (a second, independent implementation of the R4 rules).
// Input on stdin: a JSON array of resources. Output on stdout: a JSON array, one list of issues per resource
// ({severity, code, expression, details}); an empty list means the resource is valid.
import './websocket_stub.mjs';
import { validateResource } from '@medplum/core';
import { loadR4Definitions } from './definitions.mjs';

loadR4Definitions();
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const resources = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = resources.map((resource) => {
  try {
    return validateResource(resource).map(describe);
  } catch (error) {
    const issues = error?.outcome?.issue ?? [{ severity: 'error', code: 'exception', details: { text: String(error) } }];
    return issues.map(describe);
  }
});
process.stdout.write(JSON.stringify(results));

function describe(issue) {
  return {
    severity: issue.severity,
    code: issue.code,
    expression: (issue.expression ?? []).join(', '),
    details: issue.details?.text ?? '',
  };
}

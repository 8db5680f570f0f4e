// A real FHIR R4 server for the tests: Medplum's FhirRouter over its in-memory repository, served over HTTP on
// 127.0.0.1 only. Usage: node fhir_server.mjs [TOKEN]. Prints "listening <port>" when ready. With TOKEN, every
// request must carry "Authorization: Bearer TOKEN" (as a CDS client's fhirAuthorization grants).
import './websocket_stub.mjs';
import http from 'node:http';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { loadR4Definitions } from './definitions.mjs';

loadR4Definitions();
const token = process.argv[2] ?? '';
const router = new FhirRouter();
const repo = new MemoryRepository();
const log = [];

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/_log') return send(res, 200, log);
  log.push({ method: req.method, url: req.url, authorization: req.headers.authorization ?? '' });
  if (token && req.headers.authorization !== `Bearer ${token}`) {
    return send(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const query = {};
  for (const [key, value] of url.searchParams) {
    query[key] = key in query ? [].concat(query[key], value) : value;
  }
  try {
    const [outcome, resource] = await router.handleRequest(
      {
        method: req.method,
        url: url.pathname + url.search,
        body: text ? JSON.parse(text) : undefined,
        params: {},
        query,
        headers: req.headers,
        config: { transactions: true },
      },
      repo
    );
    send(res, statusOf(outcome), resource ?? outcome);
  } catch (error) {
    send(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: String(error) }] });
  }
});

function statusOf(outcome) {
  const code = outcome?.id;
  const table = { ok: 200, created: 201, 'not-found': 404, gone: 410, 'not-modified': 304, forbidden: 403, unauthorized: 401 };
  if (code && table[code]) return table[code];
  const issue = outcome?.issue?.[0];
  if (!issue || issue.severity === 'information') return 200;
  return issue.code === 'not-found' ? 404 : 400;
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

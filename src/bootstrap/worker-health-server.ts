import { createServer, Server } from 'node:http';
import { INestApplicationContext } from '@nestjs/common';
import { ReadinessService } from '../health/readiness.service';

/** The worker's optional listener: /health/live, /health/ready and /metrics, nothing else. */
export type MetricsRenderer = () => Promise<{ contentType: string; body: string }>;

export function startWorkerHealthServer(
  app: INestApplicationContext,
  port: number,
  renderMetrics?: MetricsRenderer,
): Promise<Server> {
  const readiness = app.get(ReadinessService);
  const server = createServer((request, response) => {
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET')
      return send(405, 'application/json', JSON.stringify({ statusCode: 405, error: 'Method Not Allowed' }));
    if (path === '/health/live')
      return send(200, 'application/json', JSON.stringify({ status: 'ok', info: {}, error: {}, details: {} }));
    if (path === '/health/ready' || path === '/health') {
      readiness
        .readyWithStatus()
        .then(({ status, body }) => send(status, 'application/json', JSON.stringify(body)))
        .catch((error: Error) =>
          send(503, 'application/json', JSON.stringify({ status: 'error', error: { message: error.message } })),
        );
      return;
    }
    if (path === '/metrics' && renderMetrics) {
      renderMetrics()
        .then(({ contentType, body }) => send(200, contentType, body))
        .catch((error: Error) => send(500, 'text/plain', error.message));
      return;
    }
    send(404, 'application/json', JSON.stringify({ statusCode: 404, error: 'Not Found' }));
  });
  return new Promise((resolve) => server.listen(port, () => resolve(server)));
}

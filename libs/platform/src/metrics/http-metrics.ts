import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, register } from 'prom-client';

/** Registers the HTTP duration histogram and `service_info` on a Fastify instance. */
export function instrumentHttp(fastify: FastifyInstance, info: { version: string }): void {
  const duration =
    (register.getSingleMetric('http_server_request_duration_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
  const serviceInfo =
    (register.getSingleMetric('service_info') as Gauge | undefined) ??
    new Gauge({
      name: 'service_info',
      help: 'Always 1; labels carry the build',
      labelNames: ['version', 'node'],
    });
  serviceInfo.set({ version: info.version, node: process.version }, 1);

  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template (not the raw URL) keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/**
 * Prometheus metrics (prom-client) on an HTTP listener of their own: `GET /metrics` in the text exposition format.
 * Off unless `strata.metrics.port` is set (0: any free port). Metrics are collected when scraped, from the
 * broker's own state, so the request path pays nothing for them.
 *
 * Client quotas, as Kafka reports them per quota entity (tags user and client-id, '' where the entity has none):
 *   strata_client_quota_rate{quota,user,client_id}              bytes/s (producer_/consumer_byte_rate) or percent
 *                                                                (request_percentage) over the sampled window
 *   strata_client_quota_limit{quota,user,client_id}             the quota the entity is measured against
 *   strata_client_quota_throttle_time_ms_total{quota,user,client_id}  throttle time handed out
 * The registry is exported for other modules' metrics (the operator issue adds per-topic and per-API ones).
 */
import * as http from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ClientQuotaManager } from '../quota/client-quota-manager';

export interface MetricsSources {
  quotas: ClientQuotaManager;
}

export function createRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  const labelNames = ['quota', 'user', 'client_id'] as const;
  // Registered after the rate gauge below, whose collect() fills them: a scrape collects in registration order.
  const limit = new Gauge({ name: 'strata_client_quota_limit', help: 'Quota the entity is measured against', labelNames, registers: [] });
  const throttle = new Counter({ name: 'strata_client_quota_throttle_time_ms_total', help: 'Throttle time handed out to the entity (ms)', labelNames, registers: [] });
  new Gauge({
    name: 'strata_client_quota_rate',
    help: 'Rate of a quota entity over the sampled window (bytes/s, or percent for request_percentage)',
    labelNames,
    registers: [registry],
    // Run by prom-client at every scrape: refreshes all three from the quota manager (no work on the request path).
    collect() {
      this.reset();
      limit.reset();
      throttle.reset();
      for (const m of sources.quotas.metrics()) {
        const labels = { quota: m.type, user: m.user, client_id: m.clientId };
        this.set(labels, m.rate);
        limit.set(labels, m.quota);
        throttle.inc(labels, m.throttleTimeMs);
      }
    },
  });
  registry.registerMetric(limit);
  registry.registerMetric(throttle);
  return registry;
}

export class MetricsServer {
  private constructor(
    private readonly server: http.Server,
    readonly registry: Registry,
  ) {}

  static async listen(host: string, port: number, registry: Registry): Promise<MetricsServer> {
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return new MetricsServer(server, registry);
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

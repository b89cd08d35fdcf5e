/**
 * Prometheus metrics (prom-client) on an HTTP listener of their own: `GET /metrics` in the text exposition format.
 * Off unless `strata.metrics.port` is set (0: any free port). Everything is read when scraped, from the broker's
 * own state and the plain counters of broker-stats.ts, so the request path pays only those counters.
 *
 *   strata_topic_{bytes,messages}_{in,out}_total{topic}        what producers wrote and fetches returned
 *   strata_requests_total{api}, strata_request_duration_seconds{api}  per API (histogram, waits included)
 *   strata_fetch_purgatory_size, strata_produce_purgatory_size  parked fetches; acks waiting for an fsync
 *   strata_consumer_group_lag{group,topic,partition}            high watermark - committed offset
 *   strata_log_size_bytes, strata_log_segments, strata_log_{start,end}_offset{topic,partition}
 *   strata_log_recovery_seconds, strata_log_recovery_segments_scanned   the load at start
 *   strata_client_quota_rate / _limit / _throttle_time_ms_total{quota,user,client_id}  per quota entity, as Kafka
 *     reports its quota metrics: bytes/s (producer_/consumer_byte_rate) or percent (request_percentage)
 */
import * as http from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ClientQuotaManager } from '../quota/client-quota-manager';
import type { LogManager } from '../storage/log-manager';
import type { GroupCoordinator } from '../group/group-coordinator';
import { apiName, BrokerStats, LATENCY_BUCKETS_S } from './broker-stats';

export interface MetricsSources {
  quotas: ClientQuotaManager;
  stats?: BrokerStats;
  logs?: LogManager;
  groups?: GroupCoordinator;
  fetchPurgatorySize?: () => number;
}

type Labels = Record<string, string | number>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** A metric whose samples a function produces at scrape time (registered as prom-client custom metric). */
function scraped(registry: Registry, name: string, help: string, type: 'gauge' | 'counter' | 'histogram', samples: () => Sample[]): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: samples() }),
    reset: () => {},
  };
  registry.registerMetric(metric as unknown as Gauge);
}

function quotaMetrics(registry: Registry, quotas: ClientQuotaManager): void {
  const labelNames = ['quota', 'user', 'client_id'] as const;
  // Registered after the rate gauge below, whose collect() fills them: a scrape collects in registration order.
  const limit = new Gauge({ name: 'strata_client_quota_limit', help: 'Quota the entity is measured against', labelNames, registers: [] });
  const throttle = new Counter({ name: 'strata_client_quota_throttle_time_ms_total', help: 'Throttle time handed out to the entity (ms)', labelNames, registers: [] });
  new Gauge({
    name: 'strata_client_quota_rate',
    help: 'Rate of a quota entity over the sampled window (bytes/s, or percent for request_percentage)',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      limit.reset();
      throttle.reset();
      for (const m of quotas.metrics()) {
        const labels = { quota: m.type, user: m.user, client_id: m.clientId };
        this.set(labels, m.rate);
        limit.set(labels, m.quota);
        throttle.inc(labels, m.throttleTimeMs);
      }
    },
  });
  registry.registerMetric(limit);
  registry.registerMetric(throttle);
}

function trafficMetrics(registry: Registry, stats: BrokerStats): void {
  const perTopic = (field: 'bytesIn' | 'messagesIn' | 'bytesOut' | 'messagesOut') => () =>
    [...stats.topics].map(([topic, t]) => ({ labels: { topic }, value: t[field] }));
  scraped(registry, 'strata_topic_bytes_in_total', 'Record batch bytes appended by producers', 'counter', perTopic('bytesIn'));
  scraped(registry, 'strata_topic_messages_in_total', 'Records appended by producers', 'counter', perTopic('messagesIn'));
  scraped(registry, 'strata_topic_bytes_out_total', 'Record batch bytes returned by fetches', 'counter', perTopic('bytesOut'));
  scraped(registry, 'strata_topic_messages_out_total', 'Records returned by fetches (whole batches)', 'counter', perTopic('messagesOut'));
  scraped(registry, 'strata_requests_total', 'Requests answered, per API', 'counter', () =>
    [...stats.requests].map(([key, r]) => ({ labels: { api: apiName(key) }, value: r.count })),
  );
  scraped(registry, 'strata_request_duration_seconds', 'Time from a request decoded to its response ready, waits included', 'histogram', () => {
    const out: Sample[] = [];
    for (const [key, r] of stats.requests) {
      const api = apiName(key);
      let cumulative = 0;
      LATENCY_BUCKETS_S.forEach((le, i) => {
        cumulative += r.buckets[i];
        out.push({ metricName: 'strata_request_duration_seconds_bucket', labels: { api, le }, value: cumulative });
      });
      out.push({ metricName: 'strata_request_duration_seconds_bucket', labels: { api, le: '+Inf' }, value: r.count });
      out.push({ metricName: 'strata_request_duration_seconds_sum', labels: { api }, value: r.sumSeconds });
      out.push({ metricName: 'strata_request_duration_seconds_count', labels: { api }, value: r.count });
    }
    return out;
  });
}

function logMetrics(registry: Registry, logs: LogManager): void {
  const perLog = (value: (log: ReturnType<LogManager['all']>[number]['log']) => number) => () =>
    logs.all().map((p) => ({ labels: { topic: p.topic, partition: p.partition }, value: value(p.log) }));
  scraped(registry, 'strata_log_size_bytes', 'Bytes of a partition log on disk', 'gauge', perLog((l) => l.size));
  scraped(registry, 'strata_log_segments', 'Segments of a partition log', 'gauge', perLog((l) => l.segmentCount));
  scraped(registry, 'strata_log_start_offset', 'Log start offset', 'gauge', perLog((l) => l.logStartOffset));
  scraped(registry, 'strata_log_end_offset', 'Log end offset', 'gauge', perLog((l) => l.logEndOffset));
  scraped(registry, 'strata_produce_purgatory_size', 'Produce acknowledgements waiting for their fsync (strata.durable.acks)', 'gauge', () => [
    { labels: {}, value: logs.all().reduce((n, p) => n + p.log.durableWaiterCount, 0) },
  ]);
  scraped(registry, 'strata_log_recovery_seconds', 'Time the logs took to load at start (recovery included)', 'gauge', () => [{ labels: {}, value: logs.loadReport.durationMs / 1000 }]);
  scraped(registry, 'strata_log_recovery_segments_scanned', 'Segments checked batch by batch at start (after an unclean stop)', 'gauge', () => [
    { labels: {}, value: logs.loadReport.segmentsScanned },
  ]);
}

function lagMetrics(registry: Registry, groups: GroupCoordinator, logs: LogManager): void {
  scraped(registry, 'strata_consumer_group_lag', 'High watermark minus the committed offset, per group and partition', 'gauge', () => {
    const out: Sample[] = [];
    const listed = groups.listGroups();
    if (listed.error !== 'NONE') return out;
    for (const g of listed.groups) {
      const fetched = groups.fetchOffsets(g.groupId, null);
      if (fetched.error !== 'NONE') continue;
      for (const o of fetched.offsets) {
        const log = logs.getLog(o.topic, o.partition);
        if (!log || o.offset < 0n) continue;
        out.push({ labels: { group: g.groupId, topic: o.topic, partition: o.partition }, value: Math.max(0, log.highWatermark - Number(o.offset)) });
      }
    }
    return out;
  });
}

export function createRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  quotaMetrics(registry, sources.quotas);
  if (sources.stats) trafficMetrics(registry, sources.stats);
  if (sources.logs) logMetrics(registry, sources.logs);
  if (sources.groups && sources.logs) lagMetrics(registry, sources.groups, sources.logs);
  const purgatory = sources.fetchPurgatorySize;
  if (purgatory) scraped(registry, 'strata_fetch_purgatory_size', 'Fetches parked until data arrives or max_wait_ms passes', 'gauge', () => [{ labels: {}, value: purgatory() }]);
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

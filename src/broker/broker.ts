/**
 * Broker: one Strata node. Opens the topic metadata and the partition logs under log.dirs, listens on the first
 * listener, and serves each request through the router table (one handler per API). The same class runs as the
 * standalone process (`strata start`) and in-process for embedding and tests:
 *
 *   const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir });
 *   broker.port; await broker.close();
 *
 * Requests of a connection are served one at a time, in order (server/connection.ts). A request whose header or
 * body does not decode, or whose API version the broker does not serve, closes that connection, as Kafka does;
 * except ApiVersions, answered with UNSUPPORTED_VERSION and the supported ranges so clients retry lower.
 */
import * as path from 'node:path';
import { BrokerConfig, brokerConfigFrom } from '../config/broker-config';
import { logConfigFrom, LogConfig } from '../config/log-config';
import { ApiKey } from '../protocol/api-key';
import { DeclaredApiKey, RequestOf } from '../protocol/apis';
import { decodeRequest, encodeResponse } from '../protocol/api-codec';
import { decodeRequestHeader, type RequestHeader } from '../protocol/header';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaProtocolError } from '../protocol/protocol-error';
import { createLogger, Logger } from '../observability/logger';
import { LogManager } from '../storage/log-manager';
import type { Log } from '../storage/log';
import { SocketServer } from '../server/socket-server';
import type { ConnectionInfo } from '../server/connection';
import type { BrokerContext } from './broker-context';
import { FetchPurgatory } from './fetch-purgatory';
import type { Route } from './handler';
import { TopicInfo, TopicStore } from './topic-store';
import { apiVersionsBody, apiVersionsRoute } from './handlers/api-versions';
import { metadataRoute } from './handlers/metadata';
import { produceGroup, produceRoute } from './handlers/produce';
import { fetchRoute } from './handlers/fetch';
import { listOffsetsRoute } from './handlers/list-offsets';
import { createTopicsRoute } from './handlers/create-topics';
import { deleteTopicsRoute } from './handlers/delete-topics';
import { describeConfigsRoute } from './handlers/describe-configs';
import { alterConfigsRoute } from './handlers/alter-configs';
import { incrementalAlterConfigsRoute } from './handlers/incremental-alter-configs';
import { createPartitionsRoute } from './handlers/create-partitions';
import { deleteRecordsRoute } from './handlers/delete-records';
import { groupRoutes } from './handlers/group-routes';
import { GroupCoordinator } from '../group/group-coordinator';
import { ProducerIdManager } from '../txn/producer-id-manager';
import { ANONYMOUS_USER, ClientQuotaManager } from '../quota/client-quota-manager';
import { createRegistry, MetricsServer } from '../observability/metrics-server';
import { BrokerStats } from '../observability/broker-stats';
import { recoveryProgressLogger } from '../observability/recovery-progress';
import { TRANSACTION_STATE_TOPIC, TransactionCoordinator } from '../txn/transaction-coordinator';
import { txnRoutes } from './handlers/txn-routes';
import { alterClientQuotasRoute } from './handlers/alter-client-quotas';
import { describeClientQuotasRoute } from './handlers/describe-client-quotas';

/** Committed offsets and group metadata live in partition 0 of this internal topic, kept forever (compaction is
 * the coordinator's own rewrite of the log). */
export const OFFSETS_TOPIC = '__consumer_offsets';

export interface BrokerStartOptions {
  logger?: Logger;
}

export class Broker implements BrokerContext {
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly logs: LogManager;
  readonly topics: TopicStore;
  readonly purgatory = new FetchPurgatory();
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIdManager;
  readonly txns: TransactionCoordinator;
  readonly quotas: ClientQuotaManager;
  private readonly routes = new Map<number, Route>();
  private server: SocketServer | undefined;
  private metricsServer: MetricsServer | undefined;
  readonly stats = new BrokerStats();
  private _endpoint = { host: '127.0.0.1', port: 0 };
  private closing: Promise<void> | undefined;

  private constructor(config: BrokerConfig, log: Logger) {
    this.config = config;
    this.log = log;
    this.topics = TopicStore.open(config.logDir, config.nodeId);
    this.producerIds = ProducerIdManager.open(config.logDir);
    const unlimited = (v: number) => (v >= Number.MAX_SAFE_INTEGER ? Infinity : v);
    this.quotas = new ClientQuotaManager({
      samples: config.quotaWindowNum,
      windowMs: config.quotaWindowSizeSeconds * 1000,
      producerDefault: unlimited(config.quotaProducerDefault),
      consumerDefault: unlimited(config.quotaConsumerDefault),
    });
    this.quotas.persistTo(path.join(config.logDir, 'client-quotas.json'));
    this.quotas.onThrottleStart = (m) => log.info('client throttled', { quota: m.type, user: m.user, clientId: m.clientId, rate: m.rate, limit: m.quota, throttleTimeMs: m.throttleTimeMs });
    this.logs = LogManager.open({
      dir: config.logDir,
      defaults: config.log,
      configFor: (topic) => this.topicLogConfig(this.topics.get(topic)?.configs ?? {}),
      onProgress: recoveryProgressLogger(log),
    });
    this.reconcileLogs();
    if (!this.topics.get(OFFSETS_TOPIC)) {
      // Kafka's offsets.topic.segment.bytes: 100 MiB, so the coordinator's rewrite can drop old segments soon.
      this.createTopic(OFFSETS_TOPIC, 1, { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) });
    }
    this.groups = new GroupCoordinator({
      offsetsLog: this.logs.getLog(OFFSETS_TOPIC, 0)!,
      config: {
        groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
        groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
        groupMaxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
        groupMaxSize: config.groupMaxSize,
        offsetsRetentionMs: config.offsetsRetentionMs,
      },
      logger: log,
      onAppend: () => this.notifyAppend(OFFSETS_TOPIC, 0),
    });
    this.groups.load();
    this.txns = new TransactionCoordinator({
      stateLog: (create) => {
        if (create && !this.topics.get(TRANSACTION_STATE_TOPIC)) {
          // Kafka's transaction.state.log.segment.bytes: 100 MiB.
          this.createTopic(TRANSACTION_STATE_TOPIC, 1, { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) });
        }
        return this.logs.getLog(TRANSACTION_STATE_TOPIC, 0);
      },
      producerIds: this.producerIds,
      partitionLog: (topic, partition) => this.partitionLog(topic, partition),
      offsetsPartition: { topic: OFFSETS_TOPIC, partition: 0 },
      onOffsetsMarker: (producerId, commit) => this.groups.completeTxnOffsets(producerId, commit),
      onAppend: (topic, partition) => this.notifyAppend(topic, partition),
      config: {
        transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
        transactionalIdExpirationMs: config.transactionalIdExpirationMs,
        abortTimedOutIntervalMs: config.transactionAbortTimedOutIntervalMs,
        removeExpiredIntervalMs: config.transactionRemoveExpiredIntervalMs,
      },
      logger: log,
    });
    this.txns.load();
    const routes: Route[] = [
      ...groupRoutes,
      apiVersionsRoute(() => [...this.routes.values()]) as Route,
      metadataRoute as Route,
      produceRoute as Route,
      fetchRoute as Route,
      listOffsetsRoute as Route,
      createTopicsRoute as Route,
      deleteTopicsRoute as Route,
      describeConfigsRoute as Route,
      alterConfigsRoute as Route,
      incrementalAlterConfigsRoute as Route,
      createPartitionsRoute as Route,
      deleteRecordsRoute as Route,
      ...txnRoutes,
      describeClientQuotasRoute as Route,
      alterClientQuotasRoute as Route,
    ];
    for (const r of routes) this.routes.set(r.apiKey, r);
  }

  /** Starts a broker from a BrokerConfig or from Kafka properties (`{ 'log.dirs': ..., listeners: ... }`). */
  static async start(config: BrokerConfig | Record<string, string | number | boolean>, options: BrokerStartOptions = {}): Promise<Broker> {
    const resolved = 'listeners' in config && Array.isArray(config.listeners) ? (config as BrokerConfig) : brokerConfigFrom(config as Record<string, string>);
    const log = options.logger ?? createLogger('strata');
    const broker = new Broker(resolved, log);
    try {
      const listener = resolved.listeners[0];
      broker.server = await SocketServer.listen({
        host: listener.host,
        port: listener.port,
        requestMaxBytes: resolved.socketRequestMaxBytes,
        handler: (frame, connection) => broker.dispatch(frame, connection),
        ...(resolved.produceCoalesce ? { produceRunHandler: (frames: readonly Buffer[], connection: ConnectionInfo) => broker.dispatchProduceRun(frames, connection) } : {}),
        log,
      });
      if (resolved.metricsPort >= 0) broker.metricsServer = await MetricsServer.listen(resolved.metricsHost, resolved.metricsPort, createRegistry({ quotas: broker.quotas, stats: broker.stats, logs: broker.logs, groups: broker.groups, fetchPurgatorySize: () => broker.purgatory.size }));
    } catch (err) {
      await broker.server?.close();
      broker.txns.close();
      broker.groups.close();
      broker.logs.close();
      throw err;
    }
    const advertised = resolved.advertisedListeners[0];
    broker._endpoint = {
      host: advertised.host || '127.0.0.1',
      port: advertised.port === 0 || resolved.advertisedListeners === resolved.listeners ? broker.server.port : advertised.port,
    };
    broker.txns.startScheduler();
    broker.logs.startScheduler({
      retentionCheckIntervalMs: resolved.logRetentionCheckIntervalMs,
      producerIdExpirationMs: resolved.producerIdExpirationMs,
      producerIdExpirationCheckIntervalMs: resolved.producerIdExpirationCheckIntervalMs,
    });
    log.info('broker started', {
      nodeId: resolved.nodeId,
      host: listener(resolved).host,
      port: broker.server.port,
      logDir: path.resolve(resolved.logDir),
      clusterId: broker.topics.clusterId,
      topics: broker.topics.list().length,
      recovery: broker.logs.loadReport,
      ...(broker.metricsServer ? { metricsPort: broker.metricsServer.port } : {}),
    });
    return broker;
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  /** The port of the Prometheus /metrics listener, or 0 when strata.metrics.port is not set. */
  get metricsPort(): number {
    return this.metricsServer?.port ?? 0;
  }

  get endpoint(): { host: string; port: number } {
    return this._endpoint;
  }

  /** Serves one request frame; null means no response (Produce with acks=0). */
  dispatch(frame: Buffer, connection: ConnectionInfo): Promise<Buffer[] | null> | Buffer[] | null {
    const header = decodeRequestHeader(frame);
    const route = this.routes.get(header.apiKey);
    if (!route || header.apiVersion < route.minVersion || header.apiVersion > route.maxVersion) {
      if (header.apiKey === ApiKey.ApiVersions) {
        // Kafka's rule: a v0-shaped body with our ranges, so the client can pick a version we serve.
        return encodeResponse(ApiKey.ApiVersions, 0, header.correlationId, apiVersionsBody([...this.routes.values()], ErrorCode.UNSUPPORTED_VERSION));
      }
      throw new KafkaProtocolError('UNSUPPORTED_VERSION', `API ${header.apiKey} v${header.apiVersion} is not served`);
    }
    const key = header.apiKey as DeclaredApiKey;
    const receivedMs = performance.now();
    // request_percentage (KIP-124): the time this request keeps the event loop busy (decode, handler, encode; not
    // its waits), and the connection's own time framing and writing since the last request (Kafka's network
    // thread time), count against the client's quota. The clock is read here only when some request quota is set.
    const startedMs = this.quotas.enforces('request_percentage') ? receivedMs : -1;
    const request = decodeRequest(key, header.apiVersion, frame, header.headerBytes);
    const encode = (body: unknown) => {
      this.stats.request(key, (performance.now() - receivedMs) / 1000);
      return body === null ? null : encodeResponse(key, header.apiVersion, header.correlationId, body as never);
    };
    // Synchronous handlers (most) are answered in this turn, without a promise per request.
    const body = route.handle(request as never, { header, connection, broker: this });
    if (startedMs < 0) {
      connection.busyMs = 0; // not charged: a request quota set later starts from its own requests
      return body instanceof Promise ? body.then(encode) : encode(body);
    }
    if (!(body instanceof Promise)) return this.encodeMeasured(encode, body, startedMs, 0, header.clientId, connection);
    const syncMs = performance.now() - startedMs;
    return body.then((b) => this.encodeMeasured(encode, b, performance.now(), syncMs, header.clientId, connection));
  }

  /**
   * Serves Produce frames that arrived together on one connection (queued behind each other) in one pass: each
   * partition's record sets from all of them appended with one write (handlers/produce.ts produceGroup). Returns
   * the responses of the first `consumed` frames, in order; it stops before a frame that is not a Produce request
   * it can decode, which the connection then serves alone through dispatch() (with its error, as there).
   */
  dispatchProduceRun(frames: readonly Buffer[], connection: ConnectionInfo): { results: Array<Promise<Buffer[] | null> | Buffer[] | null>; consumed: number } {
    const route = this.routes.get(ApiKey.Produce)!;
    const receivedMs = performance.now();
    const headers: RequestHeader[] = [];
    const requests: RequestOf<typeof ApiKey.Produce>[] = [];
    for (const frame of frames) {
      try {
        const header = decodeRequestHeader(frame);
        if (header.apiKey !== ApiKey.Produce || header.apiVersion < route.minVersion || header.apiVersion > route.maxVersion) break;
        requests.push(decodeRequest(ApiKey.Produce, header.apiVersion, frame, header.headerBytes) as RequestOf<typeof ApiKey.Produce>);
        headers.push(header);
      } catch {
        break;
      }
    }
    if (requests.length < 2) return { results: [], consumed: 0 };
    const bodies = produceGroup(requests, headers.map((header) => ({ header, connection, broker: this })));
    const measured = this.quotas.enforces('request_percentage');
    if (!measured) connection.busyMs = 0;
    // request_percentage: the pass's time is shared evenly among its requests.
    const syncShareMs = (performance.now() - receivedMs) / requests.length;
    const results = bodies.map((body, i) => {
      const header = headers[i];
      const encode = (b: unknown) => {
        this.stats.request(ApiKey.Produce, (performance.now() - receivedMs) / 1000);
        return b === null ? null : encodeResponse(ApiKey.Produce, header.apiVersion, header.correlationId, b as never);
      };
      if (!measured) return body instanceof Promise ? body.then(encode) : encode(body);
      if (!(body instanceof Promise)) return this.encodeMeasured(encode, body, performance.now(), syncShareMs, header.clientId, connection);
      return body.then((b) => this.encodeMeasured(encode, b, performance.now(), syncShareMs, header.clientId, connection));
    });
    return { results, consumed: requests.length };
  }

  /**
   * Encodes a response and records the request's handling time (`earlierMs` plus the time since `fromMs`) against
   * request_percentage; over the quota, the response carries the larger of this throttle and the one its handler
   * set (byte-rate quotas), and the connection is muted for it (KIP-219). Versions without throttle_time_ms
   * encode no such field; the mute applies all the same, as in Kafka.
   */
  private encodeMeasured(
    encode: (body: unknown) => Buffer[] | null,
    body: unknown,
    fromMs: number,
    earlierMs: number,
    clientId: string | null,
    connection: ConnectionInfo,
  ): Buffer[] | null {
    const percent = ((earlierMs + performance.now() - fromMs + connection.busyMs) / 1000) * 100;
    connection.busyMs = 0;
    const { throttleTimeMs } = this.quotas.record(ANONYMOUS_USER, clientId ?? '', 'request_percentage', percent);
    if (throttleTimeMs > 0) {
      if (body !== null && typeof body === 'object') {
        const b = body as { throttleTimeMs?: number };
        b.throttleTimeMs = Math.max(b.throttleTimeMs ?? 0, throttleTimeMs);
      }
      connection.mutedUntilMs = Math.max(connection.mutedUntilMs, Date.now() + throttleTimeMs);
    }
    return encode(body);
  }

  private topicLogConfig(configs: Record<string, string>): LogConfig {
    return logConfigFrom(configs, 'topic', this.config.log);
  }

  /** Every partition of every topic has a log, and no log outlives its topic (a crash between the two steps). */
  private reconcileLogs(): void {
    for (const t of this.topics.list()) {
      for (let p = 0; p < t.partitions; p++) this.logs.getOrCreateLog(t.name, p, this.topicLogConfig(t.configs));
    }
    for (const p of this.logs.all()) {
      const t = this.topics.get(p.topic);
      if (!t || p.partition >= t.partitions) {
        this.log.warn('deleting a log without a topic', { topic: p.topic, partition: p.partition });
        this.logs.deleteLog(p.topic, p.partition);
      }
    }
  }

  partitionLog(topic: string, partition: number): Log | undefined {
    return this.logs.getLog(topic, partition);
  }

  createTopic(name: string, partitions: number, configs: Record<string, string> = {}): TopicInfo {
    const info = this.topics.create(name, partitions, configs);
    const logConfig = this.topicLogConfig(configs);
    for (let p = 0; p < partitions; p++) this.logs.getOrCreateLog(name, p, logConfig);
    this.log.info('topic created', { topic: name, partitions, configs });
    return info;
  }

  deleteTopic(name: string): void {
    const info = this.topics.delete(name);
    for (let p = 0; p < info.partitions; p++) {
      if (this.logs.getLog(name, p)) this.logs.deleteLog(name, p);
    }
    this.log.info('topic deleted', { topic: name });
  }

  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const info = this.topics.setConfigs(name, configs);
    const logConfig = this.topicLogConfig(info.configs);
    for (let p = 0; p < info.partitions; p++) this.logs.getLog(name, p)?.updateConfig(logConfig);
    this.log.info('topic configs altered', { topic: name, configs });
  }

  addPartitions(name: string, total: number): void {
    const before = this.topics.get(name)?.partitions ?? 0;
    const info = this.topics.setPartitions(name, total);
    const logConfig = this.topicLogConfig(info.configs);
    for (let p = before; p < total; p++) this.logs.getOrCreateLog(name, p, logConfig);
    this.log.info('partitions added', { topic: name, from: before, to: total });
  }

  notifyAppend(topic: string, partition: number): void {
    this.purgatory.notify(`${topic}-${partition}`);
  }

  /** Stops accepting, answers parked fetches, then flushes and closes every log (a clean shutdown). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.purgatory.releaseAll();
      await this.server?.close();
      await this.metricsServer?.close();
      this.txns.close();
      this.groups.close();
      this.logs.close();
      this.log.info('broker stopped', {});
    })();
    return this.closing;
  }
}

function listener(config: BrokerConfig) {
  return config.listeners[0];
}

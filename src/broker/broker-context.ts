/**
 * The broker's state as handlers see it: configuration, topic metadata, partition logs and the fetch purgatory.
 * Handlers reach files only through LogManager and TopicStore.
 */
import type { BrokerConfig } from '../config/broker-config';
import type { GroupCoordinator } from '../group/group-coordinator';
import type { Logger } from '../observability/logger';
import type { LogManager } from '../storage/log-manager';
import type { Log } from '../storage/log';
import type { ProducerIdManager } from '../txn/producer-id-manager';
import type { TransactionCoordinator } from '../txn/transaction-coordinator';
import type { ClientQuotaManager } from '../quota/client-quota-manager';
import type { FetchPurgatory } from './fetch-purgatory';
import type { BrokerStats } from '../observability/broker-stats';
import type { TopicStore, TopicInfo } from './topic-store';

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly logs: LogManager;
  readonly topics: TopicStore;
  readonly purgatory: FetchPurgatory;
  /** Consumer groups and committed offsets (partition 0 of __consumer_offsets). */
  readonly groups: GroupCoordinator;
  /** Producer ids for InitProducerId, never reused. */
  readonly producerIds: ProducerIdManager;
  /** Transactional ids, their transactions and markers (partition 0 of __transaction_state). */
  readonly txns: TransactionCoordinator;
  /** Client quotas (KIP-13/55/124/219). */
  readonly quotas: ClientQuotaManager;
  /** Counters for /metrics: traffic per topic, requests per API. */
  readonly stats: BrokerStats;
  /** The advertised endpoint of this broker (from advertised.listeners and the bound port). */
  readonly endpoint: { host: string; port: number };
  /** The log of a partition, or undefined if the topic or partition does not exist. */
  partitionLog(topic: string, partition: number): Log | undefined;
  /** Creates a topic and its partition logs (CreateTopics, auto-creation). */
  createTopic(name: string, partitions: number, configs?: Record<string, string>): TopicInfo;
  deleteTopic(name: string): void;
  /** Replaces a topic's config overrides (validated by the caller) and applies them to its logs. */
  setTopicConfigs(name: string, configs: Record<string, string>): void;
  /** Grows a topic to `total` partitions. */
  addPartitions(name: string, total: number): void;
  /** Signals fetches parked on this partition that data arrived. */
  notifyAppend(topic: string, partition: number): void;
}

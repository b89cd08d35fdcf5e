/**
 * The little administration a benchmark needs, over the Kafka protocol (any Kafka-compatible broker): make sure
 * the topic exists (CreateTopics with the partition count asked, the broker's replication default), learn its
 * partition count (Metadata), and read each partition's earliest or latest offset (ListOffsets).
 * A refusal is a KafkaError with the broker's error name.
 */
import { KafkaError } from '../errors/kafka-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode, errorCodeInfo } from '../protocol/error-codes';
import type { Transport } from '../client/transport';

const METADATA_VERSION = 9;
/** v5: flexible, Kafka 2.4+; -1 replication factor (the broker's default) needs v4+. */
const CREATE_TOPICS_VERSION = 5;
const LIST_OFFSETS_VERSION = 4;
/** How long a topic just created may take to show in Metadata with its leaders (a Kafka cluster's propagation). */
const METADATA_WAIT_MS = 10_000;
const METADATA_RETRY_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function refused(code: number, message: string | null | undefined, what: string): KafkaError {
  return new KafkaError(code, `${what}: ${message || errorCodeInfo(code)?.description || 'refused'}`);
}

/** The topic's partition count, or null when the broker does not know it. */
export async function topicPartitionCount(transport: Transport, topic: string): Promise<number | null> {
  const res = await transport.request(ApiKey.Metadata, METADATA_VERSION, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  const t = res.topics.find((x) => x.name === topic);
  if (t === undefined || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return null;
  if (t.errorCode !== ErrorCode.NONE) throw refused(t.errorCode, null, `topic ${topic}`);
  return t.partitions.length;
}

/**
 * Creates the topic with `partitions` partitions (-1: the broker's num.partitions) unless it exists; resolves with
 * its partition count once Metadata shows it with every partition led (an existing topic keeps its own count).
 */
export async function ensureTopic(transport: Transport, topic: string, partitions: number): Promise<{ partitions: number; created: boolean }> {
  const existing = await topicPartitionCount(transport, topic);
  if (existing !== null && existing > 0) return { partitions: existing, created: false };
  const res = await transport.request(ApiKey.CreateTopics, CREATE_TOPICS_VERSION, {
    topics: [{ name: topic, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const t = res.topics.find((x) => x.name === topic);
  const code = t?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw refused(code, t?.errorMessage, `cannot create topic ${topic}`);
  const deadline = Date.now() + METADATA_WAIT_MS;
  for (;;) {
    const meta = await transport.request(ApiKey.Metadata, METADATA_VERSION, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const m = meta.topics.find((x) => x.name === topic);
    if (m !== undefined && m.errorCode === ErrorCode.NONE && m.partitions.length > 0 && m.partitions.every((p) => p.errorCode === ErrorCode.NONE && p.leaderId >= 0)) {
      return { partitions: m.partitions.length, created: code === ErrorCode.NONE };
    }
    if (Date.now() >= deadline) throw refused(m?.errorCode || ErrorCode.LEADER_NOT_AVAILABLE, null, `topic ${topic} has no leaders after ${METADATA_WAIT_MS} ms`);
    await sleep(METADATA_RETRY_MS);
  }
}

/** Each partition's earliest (log start) or latest (high watermark) offset, partitions 0..count-1. */
export async function partitionOffsets(transport: Transport, topic: string, count: number, which: 'earliest' | 'latest'): Promise<number[]> {
  const res = await transport.request(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: which === 'earliest' ? -2n : -1n })) }],
  });
  const out = new Array<number>(count).fill(-1);
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw refused(p.errorCode, null, `${topic}-${p.partitionIndex}: ListOffsets`);
      if (p.partitionIndex >= 0 && p.partitionIndex < count) out[p.partitionIndex] = Number(p.offset);
    }
  }
  const missing = out.indexOf(-1);
  if (missing >= 0) throw refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, `${topic}-${missing}: no offset`);
  return out;
}

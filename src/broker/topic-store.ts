/**
 * Topic metadata of a single-node cluster: names, ids, partition counts and topic-level config overrides,
 * persisted in `<log.dirs>/strata-topics.json` (written atomically: temp file, fsync, rename, directory fsync),
 * and the cluster id in `meta.properties` as Kafka keeps it.
 *
 *   { "version": 1, "topics": [ { "name": "orders", "id": "<uuid>", "partitions": 3, "configs": { ... } } ] }
 *
 * Invariants: names follow Kafka's rules (see validateTopicName); partition counts only grow; the file always
 * holds a complete, parseable state. JS thread only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { KafkaError } from '../errors/kafka-error';
import { writeFileAtomically } from '../storage/atomic-file';

export interface TopicInfo {
  name: string;
  /** Topic id (UUID) as Kafka assigns one per topic. */
  id: string;
  partitions: number;
  configs: Record<string, string>;
  internal: boolean;
}

interface TopicFile {
  version: 1;
  topics: TopicInfo[];
}

export const TOPICS_FILE = 'strata-topics.json';
export const META_PROPERTIES = 'meta.properties';
const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME = 249;
export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

/** Kafka's topic name rules; throws INVALID_TOPIC_EXCEPTION. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new KafkaError('INVALID_TOPIC_EXCEPTION', 'topic name is empty');
  if (name === '.' || name === '..') throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic name "${name}" is illegal`);
  if (name.length > MAX_NAME) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic name is longer than ${MAX_NAME} characters`);
  if (!LEGAL.test(name)) {
    throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`);
  }
}

/** Kafka's cluster id: 16 random bytes, URL-safe base64 without padding (22 characters). */
function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export class TopicStore {
  private readonly topics = new Map<string, TopicInfo>();
  readonly clusterId: string;

  private constructor(
    private readonly dir: string,
    clusterId: string,
  ) {
    this.clusterId = clusterId;
  }

  static open(dir: string, nodeId: number): TopicStore {
    fs.mkdirSync(dir, { recursive: true });
    const metaPath = path.join(dir, META_PROPERTIES);
    let clusterId: string | undefined;
    if (fs.existsSync(metaPath)) {
      const m = /^cluster\.id=(.+)$/m.exec(fs.readFileSync(metaPath, 'utf8'));
      clusterId = m?.[1].trim();
    }
    if (!clusterId) {
      clusterId = newClusterId();
      writeFileAtomically(metaPath, `#Written by Strata\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
    }
    const store = new TopicStore(dir, clusterId);
    const file = path.join(dir, TOPICS_FILE);
    if (fs.existsSync(file)) {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as TopicFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.topics)) throw new Error(`${file}: unknown format`);
      for (const t of parsed.topics) store.topics.set(t.name, { ...t, internal: INTERNAL_TOPICS.has(t.name) });
    }
    return store;
  }

  /**
   * Makes `next` (the state with one topic replaced, or removed when undefined) durable, then adopts it: if the
   * write fails, memory still matches the disk.
   */
  private commit(name: string, next: TopicInfo | undefined): void {
    const topics = [...this.topics.values()].filter((t) => t.name !== name);
    if (next) topics.push(next);
    const body: TopicFile = { version: 1, topics };
    writeFileAtomically(path.join(this.dir, TOPICS_FILE), JSON.stringify(body, null, 1) + '\n');
    if (next) this.topics.set(name, next);
    else this.topics.delete(name);
  }

  get(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  byId(id: string): TopicInfo | undefined {
    for (const t of this.topics.values()) if (t.id === id) return t;
    return undefined;
  }

  list(): TopicInfo[] {
    return [...this.topics.values()];
  }

  create(name: string, partitions: number, configs: Record<string, string> = {}): TopicInfo {
    validateTopicName(name);
    if (this.topics.has(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic "${name}" already exists`);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 100_000) {
      throw new KafkaError('INVALID_PARTITIONS', `number of partitions must be in [1, 100000], not ${partitions}`);
    }
    const info: TopicInfo = { name, id: randomUUID(), partitions, configs: { ...configs }, internal: INTERNAL_TOPICS.has(name) };
    this.commit(name, info);
    return info;
  }

  delete(name: string): TopicInfo {
    const info = this.topics.get(name);
    if (!info) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
    this.commit(name, undefined);
    return info;
  }

  setPartitions(name: string, total: number): TopicInfo {
    const info = this.topics.get(name);
    if (!info) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
    if (!Number.isInteger(total) || total <= info.partitions || total > 100_000) {
      throw new KafkaError('INVALID_PARTITIONS', `topic "${name}" has ${info.partitions} partitions; the new count must be larger (and at most 100000), not ${total}`);
    }
    const next = { ...info, partitions: total };
    this.commit(name, next);
    return next;
  }

  setConfigs(name: string, configs: Record<string, string>): TopicInfo {
    const info = this.topics.get(name);
    if (!info) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
    const next = { ...info, configs: { ...configs } };
    this.commit(name, next);
    return next;
  }
}

/**
 * Counters the request path updates, kept as plain numbers so that counting costs a map lookup and an add: bytes
 * and messages in and out per topic, and per API the request count and a latency histogram (fixed buckets, in
 * seconds). The metrics registry (metrics-server.ts) reads them when scraped.
 */
import { ApiKey } from '../protocol/api-key';

export interface TopicTraffic {
  bytesIn: number;
  messagesIn: number;
  bytesOut: number;
  messagesOut: number;
}

/** Upper bounds of the latency buckets, seconds (100 µs to 30 s: Fetch long polls wait up to max_wait_ms). */
export const LATENCY_BUCKETS_S: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class RequestLatency {
  /** Non-cumulative counts per bucket; the last slot counts what exceeds every bound (+Inf). */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_S.length + 1);
  count = 0;
  sumSeconds = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_S.length && seconds > LATENCY_BUCKETS_S[i]) i++;
    this.buckets[i]++;
    this.count++;
    this.sumSeconds += seconds;
  }
}

export class BrokerStats {
  readonly topics = new Map<string, TopicTraffic>();
  /** By API key. */
  readonly requests = new Map<number, RequestLatency>();

  traffic(topic: string): TopicTraffic {
    let t = this.topics.get(topic);
    if (t === undefined) this.topics.set(topic, (t = { bytesIn: 0, messagesIn: 0, bytesOut: 0, messagesOut: 0 }));
    return t;
  }

  /** A request of `apiKey` answered `seconds` after it was decoded (waits included, as Kafka's TotalTimeMs). */
  request(apiKey: number, seconds: number): void {
    let r = this.requests.get(apiKey);
    if (r === undefined) this.requests.set(apiKey, (r = new RequestLatency()));
    r.observe(seconds);
  }
}

export function apiName(apiKey: number): string {
  return ApiKey[apiKey] ?? String(apiKey);
}

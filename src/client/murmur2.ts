/**
 * Kafka's default partitioner for keyed records: murmur2 (Kafka's Utils.murmur2, seed 0x9747b28c) of the key
 * bytes, made positive, modulo the partition count, so keys land where Java, librdkafka (consistent_random's keyed
 * case with murmur2_random) and kafkajs's DefaultPartitioner put them.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of data[start, end) (default: all of it). */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = SEED ^ length;
  const whole = start + (length & ~3);
  for (let i = start; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2] << 16;
  if (tail >= 2) h ^= data[whole + 1] << 8;
  if (tail >= 1) {
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a key. */
export function partitionForKey(key: Uint8Array | string, partitionCount: number): number {
  return toPositive(murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key)) % partitionCount;
}

/** Kafka's Utils.toPositive: the sign bit cleared (not Math.abs, which differs for negative hashes). */
export function toPositive(hash: number): number {
  return hash & 0x7fffffff;
}

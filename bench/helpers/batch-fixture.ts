/**
 * One realistic record batch v2 for the storage benchmarks: as many records of `valueBytes` (null key, no
 * headers, incompressible values) as fit in `batchBytesMax`, built by the protocol codec (encodeRecordBatch)
 * when it is available, else by the test helper rawBatch (a correct header + CRC over an opaque payload).
 */
import { encodeRecordBatch, KafkaRecordInput } from '../../src/protocol/records/record-batch';
import { rawBatch } from '../../test/helpers/batches';

export interface BatchFixture {
  batch: Buffer;
  recordCount: number;
  valueBytes: number;
  builder: 'encodeRecordBatch' | 'rawBatch';
}

const HEADER_BYTES = 61;

/** Deterministic incompressible bytes (xorshift32). */
function randomBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function encode(values: Buffer, valueBytes: number, count: number, timestamp: number): Buffer {
  const records: KafkaRecordInput[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = (i * 7919) % (values.length - valueBytes);
    records[i] = { key: null, value: values.subarray(start, start + valueBytes), timestamp };
  }
  return encodeRecordBatch({ records, baseTimestamp: timestamp, maxTimestamp: timestamp });
}

export function buildBatch(valueBytes: number, batchBytesMax: number, timestamp: number): BatchFixture {
  const values = randomBytes(valueBytes * 64 + 65536, valueBytes * 31 + batchBytesMax);
  try {
    // Records have (nearly) constant size: estimate the count from one encoding, then step to the largest fit.
    let count = Math.max(1, Math.floor((batchBytesMax - HEADER_BYTES) / (valueBytes + 8)));
    let batch = encode(values, valueBytes, count, timestamp);
    for (let i = 0; i < 8 && batch.length > batchBytesMax; i++) {
      const perRecord = (batch.length - HEADER_BYTES) / count;
      count = Math.max(1, Math.floor((batchBytesMax - HEADER_BYTES) / perRecord));
      batch = encode(values, valueBytes, count, timestamp);
    }
    while (batch.length > batchBytesMax && count > 1) batch = encode(values, valueBytes, --count, timestamp);
    for (;;) {
      const bigger = encode(values, valueBytes, count + 1, timestamp);
      if (bigger.length > batchBytesMax) break;
      batch = bigger;
      count++;
    }
    if (batch.length > batchBytesMax || batch.readInt32BE(57) !== count) throw new Error('encodeRecordBatch: unexpected batch');
    return { batch, recordCount: count, valueBytes, builder: 'encodeRecordBatch' };
  } catch (err) {
    // The codec is being written concurrently; the storage layer never parses records, so an opaque payload of
    // the same size measures the same thing.
    process.stderr.write(`encodeRecordBatch unavailable (${(err as Error).message}); using rawBatch\n`);
    const payloadBytes = batchBytesMax - HEADER_BYTES;
    const recordCount = Math.max(1, Math.floor(payloadBytes / (valueBytes + 8)));
    const batch = rawBatch({ recordCount, payloadBytes, baseTimestamp: timestamp, maxTimestamp: timestamp });
    return { batch, recordCount, valueBytes, builder: 'rawBatch' };
  }
}

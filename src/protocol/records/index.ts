/**
 * Kafka record batch v2 (magic 2) codec: varints, compression codecs, batches, the batch iterator and
 * control (transaction marker) records. Pure functions over bytes; no I/O, no state beyond reused scratch.
 */
export * from './varint';
export * from './compression';
export * from './record-batch';
export * from './record-batch-iterator';
export * from './control-record';

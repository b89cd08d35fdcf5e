/** The protocol module plus the record batch encoder, for tests that need both. */
export * from '../../../src/protocol';
export { encodeRecordBatch } from '../../../src/protocol/records';

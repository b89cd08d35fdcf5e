/**
 * `strata dump-log <segment.log>`: the batches of a segment file, like Kafka's kafka-dump-log tool. Reads the
 * file directly (no broker), checks each batch's CRC, and stops at the first byte that is not a whole batch.
 */
import * as fs from 'node:fs';
import { readBatchHeader, decodeRecordBatch, LOG_OVERHEAD, BATCH_HEADER_SIZE, computeBatchCrc } from '../protocol/records/record-batch';
import { CompressionType } from '../protocol/records/compression';

export interface DumpOptions {
  records: boolean;
  json: boolean;
  out: (line: string) => void;
}

export interface DumpSummary {
  batches: number;
  records: number;
  validBytes: number;
  fileBytes: number;
  firstBadPosition: number | null;
}

export function dumpLog(file: string, options: DumpOptions): DumpSummary {
  const data = fs.readFileSync(file);
  const summary: DumpSummary = { batches: 0, records: 0, validBytes: 0, fileBytes: data.length, firstBadPosition: null };
  let position = 0;
  while (position < data.length) {
    if (data.length - position < BATCH_HEADER_SIZE) break;
    let header;
    try {
      header = readBatchHeader(data, position);
    } catch {
      break;
    }
    const size = LOG_OVERHEAD + header.batchLength;
    if (position + size > data.length) break;
    const crcValid = computeBatchCrc(data, position, header.batchLength) === header.crc;
    const row = {
      baseOffset: header.baseOffset.toString(),
      lastOffset: (header.baseOffset + BigInt(header.lastOffsetDelta)).toString(),
      count: header.recordCount,
      position,
      size,
      createTime: header.maxTimestamp,
      compression: CompressionType[header.compression],
      producerId: header.producerId.toString(),
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      isTransactional: header.transactional,
      isControl: header.control,
      crc: header.crc,
      crcValid,
    };
    if (options.json) options.out(JSON.stringify(row));
    else {
      options.out(
        `baseOffset: ${row.baseOffset} lastOffset: ${row.lastOffset} count: ${row.count} position: ${position} ` +
          `size: ${size} maxTimestamp: ${row.createTime} compression: ${row.compression} producerId: ${row.producerId} ` +
          `producerEpoch: ${row.producerEpoch} baseSequence: ${row.baseSequence} isTransactional: ${row.isTransactional} ` +
          `isControl: ${row.isControl} crc: ${row.crc} isValid: ${crcValid}`,
      );
    }
    if (!crcValid) break;
    if (options.records) {
      const batch = decodeRecordBatch(data, position);
      for (const r of batch.records) {
        const line = {
          offset: r.offset.toString(),
          timestamp: r.timestamp,
          key: r.key === null ? null : r.key.toString('utf8'),
          value: r.value === null ? null : r.value.toString('utf8'),
          headers: r.headers.map((h) => `${h.key}:${h.value === null ? 'null' : h.value.toString('utf8')}`),
        };
        options.out(options.json ? JSON.stringify(line) : `| offset: ${line.offset} timestamp: ${line.timestamp} key: ${line.key} value: ${line.value} headers: ${line.headers.join(',')}`);
      }
    }
    summary.batches++;
    summary.records += header.recordCount;
    position += size;
    summary.validBytes = position;
  }
  if (position < data.length) summary.firstBadPosition = position;
  return summary;
}

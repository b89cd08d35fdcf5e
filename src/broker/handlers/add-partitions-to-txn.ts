/**
 * AddPartitionsToTxn (v0-3): the partitions a transactional producer is about to write join its transaction.
 * Unknown partitions fail the whole request (the others OPERATION_NOT_ATTEMPTED), as in Kafka.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';
import { fencedCompatible } from '../error-mapping';

export const addPartitionsToTxnRoute = route(ApiKey.AddPartitionsToTxn, 0, 3, (request, { header, broker }) => {
  const partitions = request.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const results = broker.txns.addPartitions(request.transactionalId, Number(request.producerId), request.producerEpoch, partitions, (topic, partition) => broker.partitionLog(topic, partition) !== undefined);
  const byTopic = new Map<string, Array<{ partitionIndex: number; errorCode: number }>>();
  for (const r of results) {
    let list = byTopic.get(r.topic);
    if (list === undefined) byTopic.set(r.topic, (list = []));
    list.push({ partitionIndex: r.partition, errorCode: fencedCompatible(r.error, header.apiVersion, 2) });
  }
  return { throttleTimeMs: 0, results: [...byTopic].map(([name, results]) => ({ name, results })) };
});

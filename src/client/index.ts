/** Embedded client API: `import { Producer, Consumer, InProcessTransport, WireTransport } from 'strata-broker/client'`. */
export { Producer } from './producer';
export type { CompressionName, ProducerOptions, ProducerRecord, RecordMetadata } from './producer';
export { Consumer } from './consumer';
export type { ConsumerOptions, ConsumerRecord, IsolationLevel } from './consumer';
export { InProcessTransport, WireTransport } from './transport';
export type { Transport } from './transport';
export { murmur2, partitionForKey, toPositive } from './murmur2';

/** strata-broker: the broker, the embedded client and the storage engine. */
export * from './storage/index';
export { Broker } from './broker/broker';
export type { BrokerStartOptions } from './broker/broker';
export * from './client/index';

/**
 * The Kafka wire protocol: declarations of every supported API's request and response (messages/), one generic
 * codec over them (codec.ts), headers and whole frames (header.ts, api-codec.ts), error codes and API keys.
 * Pure: no I/O, no state beyond compiled plans. Record batches live in ./records.
 */
export * from './api-key';
export * from './api-codec';
export * from './apis';
export * from './codec';
export * from './error-codes';
export * from './grammar';
export * from './header';
export * from './protocol-error';
export * from './reader';
export * from './schema';
export * from './writer';
export * from './messages/add-offsets-to-txn';
export * from './messages/add-partitions-to-txn';
export * from './messages/alter-client-quotas';
export * from './messages/alter-configs';
export * from './messages/api-versions';
export * from './messages/create-partitions';
export * from './messages/create-topics';
export * from './messages/delete-groups';
export * from './messages/delete-records';
export * from './messages/delete-topics';
export * from './messages/describe-client-quotas';
export * from './messages/describe-configs';
export * from './messages/describe-groups';
export * from './messages/describe-transactions';
export * from './messages/end-txn';
export * from './messages/fetch';
export * from './messages/find-coordinator';
export * from './messages/heartbeat';
export * from './messages/incremental-alter-configs';
export * from './messages/init-producer-id';
export * from './messages/join-group';
export * from './messages/leave-group';
export * from './messages/list-groups';
export * from './messages/list-offsets';
export * from './messages/list-transactions';
export * from './messages/metadata';
export * from './messages/offset-commit';
export * from './messages/offset-delete';
export * from './messages/offset-fetch';
export * from './messages/produce';
export * from './messages/sasl-authenticate';
export * from './messages/sasl-handshake';
export * from './messages/sync-group';
export * from './messages/txn-offset-commit';

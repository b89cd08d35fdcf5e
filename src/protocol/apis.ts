/**
 * The table of declared APIs: each API key's request and response declarations, its version range and the first
 * flexible version (which selects the request and response header versions, see header.ts).
 */
import assert from 'node:assert';
import { ApiKey } from './api-key';
import { flexibleVersionMin } from './codec';
import { AddOffsetsToTxnRequestSpec, AddOffsetsToTxnResponseSpec } from './messages/add-offsets-to-txn';
import { AddPartitionsToTxnRequestSpec, AddPartitionsToTxnResponseSpec } from './messages/add-partitions-to-txn';
import { AlterClientQuotasRequestSpec, AlterClientQuotasResponseSpec } from './messages/alter-client-quotas';
import { AlterConfigsRequestSpec, AlterConfigsResponseSpec } from './messages/alter-configs';
import {
  IncrementalAlterConfigsRequestSpec,
  IncrementalAlterConfigsResponseSpec,
} from './messages/incremental-alter-configs';
import { ApiVersionsRequestSpec, ApiVersionsResponseSpec } from './messages/api-versions';
import { CreatePartitionsRequestSpec, CreatePartitionsResponseSpec } from './messages/create-partitions';
import { CreateTopicsRequestSpec, CreateTopicsResponseSpec } from './messages/create-topics';
import { DeleteGroupsRequestSpec, DeleteGroupsResponseSpec } from './messages/delete-groups';
import { DeleteRecordsRequestSpec, DeleteRecordsResponseSpec } from './messages/delete-records';
import { DeleteTopicsRequestSpec, DeleteTopicsResponseSpec } from './messages/delete-topics';
import { DescribeClientQuotasRequestSpec, DescribeClientQuotasResponseSpec } from './messages/describe-client-quotas';
import { DescribeConfigsRequestSpec, DescribeConfigsResponseSpec } from './messages/describe-configs';
import { DescribeGroupsRequestSpec, DescribeGroupsResponseSpec } from './messages/describe-groups';
import { DescribeTransactionsRequestSpec, DescribeTransactionsResponseSpec } from './messages/describe-transactions';
import { EndTxnRequestSpec, EndTxnResponseSpec } from './messages/end-txn';
import { FetchRequestSpec, FetchResponseSpec } from './messages/fetch';
import { FindCoordinatorRequestSpec, FindCoordinatorResponseSpec } from './messages/find-coordinator';
import { HeartbeatRequestSpec, HeartbeatResponseSpec } from './messages/heartbeat';
import { InitProducerIdRequestSpec, InitProducerIdResponseSpec } from './messages/init-producer-id';
import { JoinGroupRequestSpec, JoinGroupResponseSpec } from './messages/join-group';
import { LeaveGroupRequestSpec, LeaveGroupResponseSpec } from './messages/leave-group';
import { ListGroupsRequestSpec, ListGroupsResponseSpec } from './messages/list-groups';
import { ListOffsetsRequestSpec, ListOffsetsResponseSpec } from './messages/list-offsets';
import { ListTransactionsRequestSpec, ListTransactionsResponseSpec } from './messages/list-transactions';
import { MetadataRequestSpec, MetadataResponseSpec } from './messages/metadata';
import { OffsetCommitRequestSpec, OffsetCommitResponseSpec } from './messages/offset-commit';
import { OffsetDeleteRequestSpec, OffsetDeleteResponseSpec } from './messages/offset-delete';
import { OffsetFetchRequestSpec, OffsetFetchResponseSpec } from './messages/offset-fetch';
import { ProduceRequestSpec, ProduceResponseSpec } from './messages/produce';
import { SaslAuthenticateRequestSpec, SaslAuthenticateResponseSpec } from './messages/sasl-authenticate';
import { SaslHandshakeRequestSpec, SaslHandshakeResponseSpec } from './messages/sasl-handshake';
import { SyncGroupRequestSpec, SyncGroupResponseSpec } from './messages/sync-group';
import { TxnOffsetCommitRequestSpec, TxnOffsetCommitResponseSpec } from './messages/txn-offset-commit';
import { MessageInput, MessageSpec, MessageValue, parseVersionRange } from './schema';

export const API_SPECS = {
  [ApiKey.Produce]: { request: ProduceRequestSpec, response: ProduceResponseSpec },
  [ApiKey.Fetch]: { request: FetchRequestSpec, response: FetchResponseSpec },
  [ApiKey.ListOffsets]: { request: ListOffsetsRequestSpec, response: ListOffsetsResponseSpec },
  [ApiKey.Metadata]: { request: MetadataRequestSpec, response: MetadataResponseSpec },
  [ApiKey.OffsetCommit]: { request: OffsetCommitRequestSpec, response: OffsetCommitResponseSpec },
  [ApiKey.OffsetFetch]: { request: OffsetFetchRequestSpec, response: OffsetFetchResponseSpec },
  [ApiKey.FindCoordinator]: { request: FindCoordinatorRequestSpec, response: FindCoordinatorResponseSpec },
  [ApiKey.JoinGroup]: { request: JoinGroupRequestSpec, response: JoinGroupResponseSpec },
  [ApiKey.Heartbeat]: { request: HeartbeatRequestSpec, response: HeartbeatResponseSpec },
  [ApiKey.LeaveGroup]: { request: LeaveGroupRequestSpec, response: LeaveGroupResponseSpec },
  [ApiKey.SyncGroup]: { request: SyncGroupRequestSpec, response: SyncGroupResponseSpec },
  [ApiKey.DescribeGroups]: { request: DescribeGroupsRequestSpec, response: DescribeGroupsResponseSpec },
  [ApiKey.ListGroups]: { request: ListGroupsRequestSpec, response: ListGroupsResponseSpec },
  [ApiKey.SaslHandshake]: { request: SaslHandshakeRequestSpec, response: SaslHandshakeResponseSpec },
  [ApiKey.ApiVersions]: { request: ApiVersionsRequestSpec, response: ApiVersionsResponseSpec },
  [ApiKey.CreateTopics]: { request: CreateTopicsRequestSpec, response: CreateTopicsResponseSpec },
  [ApiKey.DeleteTopics]: { request: DeleteTopicsRequestSpec, response: DeleteTopicsResponseSpec },
  [ApiKey.DeleteRecords]: { request: DeleteRecordsRequestSpec, response: DeleteRecordsResponseSpec },
  [ApiKey.InitProducerId]: { request: InitProducerIdRequestSpec, response: InitProducerIdResponseSpec },
  [ApiKey.AddPartitionsToTxn]: { request: AddPartitionsToTxnRequestSpec, response: AddPartitionsToTxnResponseSpec },
  [ApiKey.AddOffsetsToTxn]: { request: AddOffsetsToTxnRequestSpec, response: AddOffsetsToTxnResponseSpec },
  [ApiKey.EndTxn]: { request: EndTxnRequestSpec, response: EndTxnResponseSpec },
  [ApiKey.TxnOffsetCommit]: { request: TxnOffsetCommitRequestSpec, response: TxnOffsetCommitResponseSpec },
  [ApiKey.DescribeConfigs]: { request: DescribeConfigsRequestSpec, response: DescribeConfigsResponseSpec },
  [ApiKey.AlterConfigs]: { request: AlterConfigsRequestSpec, response: AlterConfigsResponseSpec },
  [ApiKey.IncrementalAlterConfigs]: { request: IncrementalAlterConfigsRequestSpec, response: IncrementalAlterConfigsResponseSpec },
  [ApiKey.SaslAuthenticate]: { request: SaslAuthenticateRequestSpec, response: SaslAuthenticateResponseSpec },
  [ApiKey.CreatePartitions]: { request: CreatePartitionsRequestSpec, response: CreatePartitionsResponseSpec },
  [ApiKey.DeleteGroups]: { request: DeleteGroupsRequestSpec, response: DeleteGroupsResponseSpec },
  [ApiKey.OffsetDelete]: { request: OffsetDeleteRequestSpec, response: OffsetDeleteResponseSpec },
  [ApiKey.DescribeClientQuotas]: { request: DescribeClientQuotasRequestSpec, response: DescribeClientQuotasResponseSpec },
  [ApiKey.AlterClientQuotas]: { request: AlterClientQuotasRequestSpec, response: AlterClientQuotasResponseSpec },
  [ApiKey.DescribeTransactions]: { request: DescribeTransactionsRequestSpec, response: DescribeTransactionsResponseSpec },
  [ApiKey.ListTransactions]: { request: ListTransactionsRequestSpec, response: ListTransactionsResponseSpec },
} as const;

type ApiSpecs = typeof API_SPECS;

/** The API keys with declarations. */
export type DeclaredApiKey = keyof ApiSpecs;

/** Decoded request / response bodies, and what their encoders accept, by API key. */
export type RequestOf<K extends DeclaredApiKey> = MessageValue<ApiSpecs[K]['request']>;
export type RequestInputOf<K extends DeclaredApiKey> = MessageInput<ApiSpecs[K]['request']>;
export type ResponseOf<K extends DeclaredApiKey> = MessageValue<ApiSpecs[K]['response']>;
export type ResponseInputOf<K extends DeclaredApiKey> = MessageInput<ApiSpecs[K]['response']>;

export interface ApiDefinition {
  readonly apiKey: DeclaredApiKey;
  /** 'Produce', 'ApiVersions', ... */
  readonly name: string;
  readonly request: MessageSpec;
  readonly response: MessageSpec;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version, Infinity if none. */
  readonly flexibleVersionMin: number;
}

const DEFINITIONS = new Map<number, ApiDefinition>();

for (const [key, { request, response }] of Object.entries(API_SPECS) as [string, ApiSpecs[DeclaredApiKey]][]) {
  const apiKey = Number(key) as DeclaredApiKey;
  const messages: readonly MessageSpec[] = [request, response];
  for (const spec of messages) assert.equal(spec.apiKey, apiKey, `${spec.name}: apiKey`);
  assert.equal(request.validVersions, response.validVersions, `${request.name}: versions differ from the response's`);
  assert.equal(request.flexibleVersions, response.flexibleVersions, `${request.name}: flexible versions differ`);
  const range = parseVersionRange(request.validVersions);
  DEFINITIONS.set(apiKey, {
    apiKey,
    name: ApiKey[apiKey],
    request,
    response,
    minVersion: range.min,
    maxVersion: range.max,
    flexibleVersionMin: flexibleVersionMin(request),
  });
}

/** The declaration of an API key, or undefined if it has none. */
export function apiDefinition(apiKey: number): ApiDefinition | undefined {
  return DEFINITIONS.get(apiKey);
}

export function isDeclaredApiKey(apiKey: number): apiKey is DeclaredApiKey {
  return DEFINITIONS.has(apiKey);
}

/** True if the API key has a declaration covering `apiVersion`. */
export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const definition = DEFINITIONS.get(apiKey);
  return (
    definition !== undefined &&
    Number.isInteger(apiVersion) &&
    apiVersion >= definition.minVersion &&
    apiVersion <= definition.maxVersion
  );
}

/** Every declared API, by ascending key. */
export function declaredApis(): ApiDefinition[] {
  return [...DEFINITIONS.values()].sort((a, b) => a.apiKey - b.apiKey);
}

/**
 * A committed offset as the coordinator keeps it (Kafka's OffsetAndMetadata): what OffsetFetch returns and what
 * an OffsetCommitValue record stores.
 */
export interface CommittedOffset {
  offset: bigint;
  /** -1 when the client sent none. */
  leaderEpoch: number;
  /** '' when the client sent none (Kafka's NoMetadata). */
  metadata: string;
  commitTimestampMs: number;
  /** Only for commits with an explicit retention (OffsetCommit v2-4): expires at this time, whatever the group does. */
  expireTimestampMs: number | null;
}

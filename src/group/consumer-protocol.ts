/**
 * The one piece of the "consumer" embedded protocol the coordinator reads: the topics of a member's subscription
 * (ConsumerProtocolSubscription: version INT16, topics ARRAY of STRING, user_data, ...). Every version starts with
 * the v0 layout, so Kafka parses that prefix whatever the version; so does this. The coordinator uses the topics
 * to refuse OffsetDelete on a subscribed topic and to keep subscribed topics' offsets from expiring.
 */
import { KafkaProtocolError } from '../protocol/protocol-error';
import { Reader } from '../protocol/reader';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The subscribed topics, or null when the metadata does not parse as a consumer subscription. */
export function subscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const reader = new Reader(metadata, 0, metadata.length, 'CORRUPT_MESSAGE');
    const version = reader.readInt16();
    if (version < 0) return null;
    const count = reader.readArrayCount(false, false, 2, 'topics');
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(reader.readString(false, false) as string);
    return topics;
  } catch (error) {
    if (error instanceof KafkaProtocolError) return null;
    throw error;
  }
}

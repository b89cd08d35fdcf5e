/**
 * DeleteTopics: by name (v0-5) or by name or topic id (v6). Internal topics cannot be deleted. The topic leaves
 * the metadata first, then its partition logs are deleted (views already handed out stay readable).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export const deleteTopicsRoute = route(ApiKey.DeleteTopics, 0, 6, (request, { header, broker }) => {
  const wanted =
    header.apiVersion >= 6
      ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
      : request.topicNames.map((name) => ({ name: name as string | null, topicId: ZERO_UUID }));
  return {
    throttleTimeMs: 0,
    responses: wanted.map(({ name, topicId }) => {
      const info = name !== null ? broker.topics.get(name) : topicId !== ZERO_UUID ? broker.topics.byId(topicId) : undefined;
      const out = { name: info?.name ?? name, topicId: info?.id ?? topicId, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
      try {
        if (!info) {
          throw new KafkaError(name === null ? 'UNKNOWN_TOPIC_ID' : 'UNKNOWN_TOPIC_OR_PARTITION', `no topic ${name ?? topicId}`);
        }
        if (info.internal) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `internal topic "${info.name}" cannot be deleted`);
        broker.deleteTopic(info.name);
      } catch (err) {
        out.errorCode = kafkaErrorCode(err, broker.log);
        out.errorMessage = errorMessage(err);
      }
      return out;
    }),
  };
});

/**
 * AlterConfigs (Kafka's non-incremental form): a topic's config set is replaced by the one given, validated by
 * Kafka's names and bounds; log configs take effect on the partition logs at once (new segments get the new
 * segment size). Broker configs are static here (read from properties at start): INVALID_REQUEST. As in Kafka's
 * ConfigAdminManager.preprocess, a resource listed twice in the request (each of them), one naming a config twice
 * and one with a null value are INVALID_REQUEST too, with nothing of it applied; the other resources go on.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { rejectDuplicateConfigNames, rejectDuplicateResource, rejectNullConfigValues, validateTopicConfigs } from '../topic-configs';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';
import { RESOURCE_TOPIC } from './describe-configs';

export const alterConfigsRoute = route(ApiKey.AlterConfigs, 0, 2, (request, { broker }) => ({
  throttleTimeMs: 0,
  responses: request.resources.map((r) => {
    const out = { errorCode: ErrorCode.NONE, errorMessage: null as string | null, resourceType: r.resourceType, resourceName: r.resourceName };
    try {
      rejectDuplicateResource(request.resources, r);
      rejectDuplicateConfigNames(r.configs);
      rejectNullConfigValues(r.configs);
      if (r.resourceType !== RESOURCE_TOPIC) throw new KafkaError('INVALID_REQUEST', 'only topic configs can be altered; broker configs come from its properties');
      if (!broker.topics.get(r.resourceName)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `no topic "${r.resourceName}"`);
      const configs: Record<string, string> = {};
      for (const c of r.configs) configs[c.name] = c.value as string; // no nulls: refused above
      validateTopicConfigs(configs);
      if (!request.validateOnly) broker.setTopicConfigs(r.resourceName, configs);
    } catch (err) {
      out.errorCode = kafkaErrorCode(err, broker.log);
      out.errorMessage = errorMessage(err);
    }
    return out;
  }),
}));

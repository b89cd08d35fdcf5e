"""confluent-kafka-python 1.7.0 (librdkafka) idempotent producer: sends `count` messages to `topic` partition 0 in
small batches and waits for every delivery report. Run through a proxy that loses responses, librdkafka retries
with the same producer id and sequences. Prints one JSON line: delivery errors and the offsets reported."""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic, count, idempotent = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == 'true'
errors = []
offsets = []


def report(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        offsets.append(msg.offset())


producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': idempotent,
    'acks': 'all',
    'linger.ms': 2,
    'batch.num.messages': 5,
    'message.timeout.ms': 60000,
    'retry.backoff.ms': 50,
    'reconnect.backoff.ms': 20,
    'reconnect.backoff.max.ms': 200,
})
for i in range(count):
    producer.produce(topic, value=b'%s-%d' % (topic.encode(), i), partition=0, on_delivery=report)
    if i % 5 == 4:
        producer.poll(0)
        producer.flush(60)
producer.flush(60)
print(json.dumps({'errors': errors, 'offsets': offsets}))

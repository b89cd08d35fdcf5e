"""confluent-kafka-python 1.7.0 (librdkafka): a producer with delivery reports, then a consumer reading the
partition by assignment from the beginning. Prints one JSON line for the test to check."""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap = sys.argv[1]
delivered = []
producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
for i in range(10):
    producer.produce('ck-topic', key=b'k%d' % i, value=b'value-%d' % i, headers=[('n', str(i).encode())],
                     on_delivery=lambda err, msg: delivered.append([str(err), msg.partition(), msg.offset()]))
producer.flush(10)
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ck-assign', 'enable.auto.commit': False})
consumer.assign([TopicPartition('ck-topic', 0, 0)])
consumed = []
for _ in range(100):
    m = consumer.poll(0.2)
    if m is None:
        if len(consumed) >= 10:
            break
        continue
    if m.error():
        continue
    consumed.append([m.offset(), m.key().decode(), m.value().decode(), dict((k, v.decode()) for k, v in m.headers())])
consumer.close()
print(json.dumps({'delivered': delivered, 'consumed': consumed}))

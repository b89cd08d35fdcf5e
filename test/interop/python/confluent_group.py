"""confluent-kafka-python 1.7.0: delivery reports, then a group consumer with manual commits; a second consumer of
the group resumes after the commit. Prints one JSON line for the test to check."""
import json
import sys

from confluent_kafka import Consumer, Producer

bootstrap = sys.argv[1]
delivered = []
producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
for i in range(10):
    producer.produce('ck-group', key=b'k%d' % i, value=b'value-%d' % i, partition=0,
                     on_delivery=lambda err, msg: delivered.append([str(err), msg.partition(), msg.offset()]))
producer.flush(10)

def consume(limit):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ck-g', 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False})
    c.subscribe(['ck-group'])
    got = []
    for _ in range(200):
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        got.append([m.offset(), m.value().decode()])
        if len(got) == limit:
            c.commit(message=m, asynchronous=False)
            break
    c.close()
    return got

first = consume(4)
second = consume(6)
print(json.dumps({'delivered': delivered, 'first': first, 'second': second}))

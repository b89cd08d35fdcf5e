"""kafka-python 2.0.2: a group consumer reads half, commits, closes; a new member of the same group resumes after
the commit. Prints one JSON line for the test to check."""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

bootstrap = sys.argv[1]
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all')
for i in range(10):
    producer.send('py-group', key=b'k%d' % i, value=b'value-%d' % i, partition=0)
producer.flush()

def consume(limit):
    c = KafkaConsumer('py-group', bootstrap_servers=bootstrap, group_id='py-g', auto_offset_reset='earliest',
                      enable_auto_commit=False, consumer_timeout_ms=5000)
    got = []
    for m in c:
        got.append([m.offset, m.value.decode()])
        if len(got) == limit:
            break
    c.commit()
    c.close()
    return got

first = consume(4)
second = consume(6)
print(json.dumps({'first': first, 'second': second}))

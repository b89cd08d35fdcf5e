/**
 * A small Kafka client for the benchmark's set-up steps (create a topic, list the broker's APIs, read the end
 * offsets): one connection, one request at a time, encoded and decoded by the protocol codec.
 */
import { ApiKey } from '../../src/protocol/api-key';
import { decodeResponse, encodeRequest } from '../../src/protocol/api-codec';
import type { DeclaredApiKey, RequestInputOf, ResponseOf } from '../../src/protocol/apis';
import { FramedSocket } from './framed-socket';

export class WireClient {
  private correlationId = 0;
  private waiting: Array<(frame: Buffer) => void> = [];

  private constructor(private socket: FramedSocket) {}

  static async connect(port: number): Promise<WireClient> {
    let client: WireClient | undefined;
    const socket = await FramedSocket.connect(port, (frame) => client!.waiting.shift()?.(Buffer.from(frame)), '127.0.0.1', 1 << 20);
    client = new WireClient(socket);
    return client;
  }

  request<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
    const reply = new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    for (const b of encodeRequest(apiKey, version, ++this.correlationId, 'strata-bench', body)) this.socket.write(b);
    return reply.then((frame) => decodeResponse(apiKey, version, frame).body);
  }

  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    const res = await this.request(ApiKey.CreateTopics, 4, {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor: 1,
          assignments: [],
          configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
        },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    const t = res.topics[0];
    if (!t || t.errorCode !== 0) throw new Error(`CreateTopics ${name}: error ${t?.errorCode} ${t?.errorMessage ?? ''}`);
  }

  /** API key -> highest version the broker serves. */
  async apiVersions(): Promise<Map<number, number>> {
    const res = await this.request(ApiKey.ApiVersions, 0, {});
    return new Map(res.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
  }

  /** Latest offset (log end) of each partition. */
  async endOffsets(topic: string, partitions: number): Promise<number[]> {
    const res = await this.request(ApiKey.ListOffsets, 1, {
      replicaId: -1,
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) }],
    });
    const out = new Array<number>(partitions).fill(-1);
    for (const p of res.topics[0]?.partitions ?? []) {
      if (p.errorCode !== 0) throw new Error(`ListOffsets ${topic}-${p.partitionIndex}: error ${p.errorCode}`);
      out[p.partitionIndex] = Number(p.offset);
    }
    return out;
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Big-endian int64 fields of Kafka's file formats as JS numbers (exact to 2^53, the bound offsets and producer ids
 * stay under here), read and written as hi/lo words: no BigInt allocation.
 */
const TWO_32 = 2 ** 32;

export function writeInt64(buf: Buffer, position: number, value: number): void {
  buf.writeInt32BE(Math.floor(value / TWO_32), position);
  buf.writeUInt32BE(value >>> 0, position + 4);
}

export function readInt64(buf: Buffer, position: number): number {
  return buf.readInt32BE(position) * TWO_32 + buf.readUInt32BE(position + 4);
}

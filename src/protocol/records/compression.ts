/**
 * The compression codecs of Kafka record batches (attributes bits 0-2), applied to the records section of a
 * batch as one block:
 *
 * - 1 gzip: RFC 1952 (one or more members).
 * - 2 snappy: the Java client writes xerial-framed snappy: a 16-byte header (0x82 'SNAPPY' 0x00, version i32 BE,
 *   minimum compatible version i32 BE), then blocks of [length i32 BE][raw snappy block], each block at most
 *   32 KiB uncompressed. librdkafka and sarama write one raw snappy block. `decompress` accepts both (the header
 *   magic tells them apart, as the Java and Python clients do); `compress` writes xerial framing, which every
 *   client reads.
 * - 3 lz4: the LZ4 frame format (KIP-57): magic 0x184D2204, FLG, BD, optional content size and dictionary id,
 *   header checksum, then blocks of [size u32 LE, high bit = stored uncompressed][data][optional checksum],
 *   an end mark 0x00000000 and an optional content checksum. Kafka's Java client writes independent 64 KiB
 *   blocks without checksums, which is what lz4-napi writes for small inputs.
 * - 4 zstd: Zstandard frames (RFC 8878).
 *
 * Decompression is bounded: a batch of a few hundred KiB can otherwise claim (snappy, zstd content size) or
 * expand to (gzip, lz4) gigabytes. The bound is checked before the output is allocated wherever the format
 * declares sizes (snappy lengths, LZ4 block count x block maximum) and while streaming otherwise (gzip, zstd).
 * Malformed input throws StorageError CORRUPT_MESSAGE, output over the bound MESSAGE_TOO_LARGE, a codec id
 * outside 0-4 UNSUPPORTED_COMPRESSION_TYPE.
 */
import assert from 'node:assert';
import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';
import * as zstd from 'zstd-napi';
import * as zstdBinding from 'zstd-napi/binding';
import { StorageError } from '../../errors/storage-error';
import { readUnsignedVarint, VarintResult } from './varint';

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/**
 * Default bound on the decompressed size of one batch's records: 64 MiB. Kafka's default message.max.bytes is
 * ~1 MiB of compressed batch, and even the 100 MiB socket.request.max.bytes ceiling would need an unusual
 * compression ratio to legitimately exceed this; above it, memory use per request becomes the risk.
 */
export const DECOMPRESSED_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;

/** xerial's default block size, also what kafka-python writes: 32 KiB of uncompressed input per block. */
export const SNAPPY_XERIAL_BLOCK_BYTES = 32 * 1024;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
/** BD bits 4-6 = 4..7 select these block maxima. */
const LZ4_BLOCK_BYTES_MAX = [64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

function corrupt(message: string): StorageError {
  return new StorageError(message, { code: 'CORRUPT_MESSAGE' });
}

function tooLarge(type: string, decompressedBytesMax: number): StorageError {
  return new StorageError(`${type} data decompresses to more than ${decompressedBytesMax} bytes`, {
    code: 'MESSAGE_TOO_LARGE',
  });
}

function unsupported(type: number): StorageError {
  return new StorageError(`unsupported compression type ${type}`, { code: 'UNSUPPORTED_COMPRESSION_TYPE' });
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Compresses a records section. `None` returns a Buffer viewing `data` (no copy). Levels are each codec's
 * default, as the Java client's are.
 */
export function compress(type: CompressionType, data: Uint8Array): Buffer {
  const input = asBuffer(data);
  switch (type) {
    case CompressionType.None:
      return input;
    case CompressionType.Gzip:
      return zlib.gzipSync(input);
    case CompressionType.Snappy:
      return compressSnappyXerial(input);
    case CompressionType.Lz4:
      return lz4.compressFrameSync(input);
    case CompressionType.Zstd:
      return zstd.compress(input);
    default:
      throw unsupported(type);
  }
}

/**
 * Decompresses a records section. `None` returns a Buffer viewing `data`. Output larger than
 * `decompressedBytesMax` (an integer >= 1) throws MESSAGE_TOO_LARGE; the bound is enforced before or while
 * allocating, never after.
 */
export function decompress(
  type: CompressionType,
  data: Uint8Array,
  decompressedBytesMax: number = DECOMPRESSED_BYTES_MAX_DEFAULT,
): Buffer {
  assert(
    Number.isInteger(decompressedBytesMax) &&
      decompressedBytesMax >= 1 &&
      decompressedBytesMax <= bufferConstants.MAX_LENGTH,
    `decompressedBytesMax out of range: ${decompressedBytesMax}`,
  );
  const input = asBuffer(data);
  switch (type) {
    case CompressionType.None:
      if (input.length > decompressedBytesMax) throw tooLarge('uncompressed', decompressedBytesMax);
      return input;
    case CompressionType.Gzip:
      return decompressGzip(input, decompressedBytesMax);
    case CompressionType.Snappy:
      return decompressSnappy(input, decompressedBytesMax);
    case CompressionType.Lz4:
      return decompressLz4(input, decompressedBytesMax);
    case CompressionType.Zstd:
      return decompressZstd(input, decompressedBytesMax);
    default:
      throw unsupported(type);
  }
}

function decompressGzip(input: Buffer, decompressedBytesMax: number): Buffer {
  try {
    return zlib.gunzipSync(input, { maxOutputLength: decompressedBytesMax });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge('gzip', decompressedBytesMax);
    }
    throw corrupt(`gzip: ${messageOf(error)}`);
  }
}

function compressSnappyXerial(input: Buffer): Buffer {
  const blockCount = Math.ceil(input.length / SNAPPY_XERIAL_BLOCK_BYTES);
  const parts: Buffer[] = new Array<Buffer>(1 + 2 * blockCount);
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  parts[0] = header;
  let size = XERIAL_HEADER_SIZE;
  for (let index = 0; index < blockCount; index++) {
    const start = index * SNAPPY_XERIAL_BLOCK_BYTES;
    const block = snappy.compressSync(input.subarray(start, start + SNAPPY_XERIAL_BLOCK_BYTES));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts[1 + 2 * index] = length;
    parts[2 + 2 * index] = block;
    size += 4 + block.length;
  }
  return Buffer.concat(parts, size);
}

function isXerialFramed(input: Buffer): boolean {
  return input.length >= XERIAL_HEADER_SIZE && input.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

function decompressSnappy(input: Buffer, decompressedBytesMax: number): Buffer {
  if (!isXerialFramed(input)) return uncompressSnappyBlock(input, decompressedBytesMax);
  // The version fields are not checked: Java's reader only requires the magic, and no other version exists.
  const blocks: Buffer[] = [];
  let size = 0;
  let position = XERIAL_HEADER_SIZE;
  while (position < input.length) {
    if (input.length - position < 4) throw corrupt('snappy: truncated xerial block length');
    const length = input.readInt32BE(position);
    position += 4;
    if (length < 0 || length > input.length - position) {
      throw corrupt(`snappy: xerial block length ${length} exceeds the ${input.length - position} bytes left`);
    }
    const block = uncompressSnappyBlock(input.subarray(position, position + length), decompressedBytesMax - size);
    position += length;
    size += block.length;
    blocks.push(block);
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, size);
}

const snappyPreamble = new VarintResult();

function uncompressSnappyBlock(block: Buffer, decompressedBytesMax: number): Buffer {
  // A raw snappy block starts with its uncompressed length as an unsigned varint; the decoder allocates that
  // much up front, so check it first.
  const declared = readUnsignedVarint(block, 0, block.length, snappyPreamble).value;
  if (declared > decompressedBytesMax) {
    throw new StorageError(`snappy block declares ${declared} bytes, more than the ${decompressedBytesMax} allowed`, {
      code: 'MESSAGE_TOO_LARGE',
    });
  }
  let output: string | Buffer;
  try {
    output = snappy.uncompressSync(block);
  } catch (error) {
    throw corrupt(`snappy: ${messageOf(error)}`);
  }
  assert(Buffer.isBuffer(output));
  return output;
}

interface Lz4FrameRange {
  start: number;
  end: number;
}

/**
 * Walks the frame structure without decompressing: lz4-napi decodes only the first frame, ignores trailing
 * bytes and accepts a frame cut before its end mark, and has no output limit. The walk rejects all of that and
 * bounds the output by (block count x block maximum), which the decoder enforces per block.
 */
function scanLz4Frames(input: Buffer, decompressedBytesMax: number): Lz4FrameRange[] {
  const frames: Lz4FrameRange[] = [];
  let bound = 0;
  let position = 0;
  const need = (count: number, what: string): void => {
    if (input.length - position < count) throw corrupt(`lz4: truncated ${what} at position ${position}`);
  };
  while (position < input.length) {
    const start = position;
    need(4, 'frame magic');
    const magic = input.readUInt32LE(position);
    position += 4;
    if ((magic & LZ4_SKIPPABLE_MAGIC_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
      need(4, 'skippable frame size');
      const skip = input.readUInt32LE(position);
      position += 4;
      need(skip, 'skippable frame');
      position += skip;
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw corrupt(`lz4: bad frame magic 0x${magic.toString(16)}`);
    need(2, 'frame descriptor');
    const flags = input[position]!;
    const blockDescriptor = input[position + 1]!;
    position += 2;
    if (flags >> 6 !== 1) throw corrupt(`lz4: unsupported frame version ${flags >> 6}`);
    const blockChecksum = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const dictionaryId = (flags & 0x01) !== 0;
    const blockSizeId = (blockDescriptor >> 4) & 0x07;
    if (blockSizeId < 4 || (blockDescriptor & 0x8f) !== 0) {
      throw corrupt(`lz4: bad block descriptor 0x${blockDescriptor.toString(16)}`);
    }
    const blockBytesMax = LZ4_BLOCK_BYTES_MAX[blockSizeId - 4]!;
    const headerRest = (contentSize ? 8 : 0) + (dictionaryId ? 4 : 0) + 1;
    need(headerRest, 'frame descriptor');
    position += headerRest;
    for (;;) {
      need(4, 'block size');
      const word = input.readUInt32LE(position);
      position += 4;
      if (word === 0) break;
      const stored = word >= 0x80000000;
      const size = stored ? word - 0x80000000 : word;
      if (size > blockBytesMax) throw corrupt(`lz4: block of ${size} bytes exceeds the frame's ${blockBytesMax}`);
      const span = size + (blockChecksum ? 4 : 0);
      need(span, 'block');
      position += span;
      bound += stored ? size : blockBytesMax;
    }
    if (contentChecksum) {
      need(4, 'content checksum');
      position += 4;
    }
    frames.push({ start, end: position });
  }
  if (bound > decompressedBytesMax) {
    throw new StorageError(`lz4 data may decompress to ${bound} bytes, more than the ${decompressedBytesMax} allowed`, {
      code: 'MESSAGE_TOO_LARGE',
    });
  }
  return frames;
}

function decompressLz4(input: Buffer, decompressedBytesMax: number): Buffer {
  const frames = scanLz4Frames(input, decompressedBytesMax);
  if (frames.length === 0) throw corrupt('lz4: no frame');
  const outputs: Buffer[] = [];
  let size = 0;
  for (const frame of frames) {
    let output: Buffer;
    try {
      output = lz4.decompressFrameSync(input.subarray(frame.start, frame.end));
    } catch (error) {
      throw corrupt(`lz4: ${messageOf(error)}`);
    }
    size += output.length;
    outputs.push(output);
  }
  return outputs.length === 1 ? outputs[0]! : Buffer.concat(outputs, size);
}

let zstdContext: zstdBinding.DCtx | undefined;
const ZSTD_CHUNK_BYTES = zstdBinding.dStreamOutSize();

function decompressZstd(input: Buffer, decompressedBytesMax: number): Buffer {
  if (input.length === 0) throw corrupt('zstd: no frame');
  zstdContext ??= new zstdBinding.DCtx();
  const context = zstdContext;
  // A previous call may have thrown mid-frame.
  context.reset(zstdBinding.ResetDirective.sessionOnly);
  // The frame header usually declares the content size: size the first chunk to it (capped) to decode in one
  // call. The declaration is only a hint; the streaming loop below enforces the bound.
  let declared: number | null = null;
  try {
    declared = zstdBinding.getFrameContentSize(input);
  } catch {
    declared = null;
  }
  let chunkBytes = declared !== null && declared <= decompressedBytesMax ? declared + 1 : ZSTD_CHUNK_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  let remaining = input;
  for (;;) {
    // One byte beyond the bound lets the loop tell "exactly at the bound" from "over it".
    const capacity = Math.max(1, Math.min(chunkBytes, decompressedBytesMax + 1 - size));
    const chunk = Buffer.allocUnsafe(capacity);
    let hint: number;
    let produced: number;
    let consumed: number;
    try {
      [hint, produced, consumed] = context.decompressStream(chunk, remaining);
    } catch (error) {
      context.reset(zstdBinding.ResetDirective.sessionOnly);
      throw corrupt(`zstd: ${messageOf(error)}`);
    }
    size += produced;
    if (size > decompressedBytesMax) {
      context.reset(zstdBinding.ResetDirective.sessionOnly);
      throw tooLarge('zstd', decompressedBytesMax);
    }
    if (produced > 0) chunks.push(chunk.subarray(0, produced));
    remaining = remaining.subarray(consumed);
    // hint 0: a frame ended and everything decoded is flushed; further input would start another frame.
    if (hint === 0 && remaining.length === 0) break;
    if (remaining.length === 0 && produced < capacity) {
      context.reset(zstdBinding.ResetDirective.sessionOnly);
      throw corrupt('zstd: truncated frame');
    }
    if (produced === 0 && consumed === 0) {
      context.reset(zstdBinding.ResetDirective.sessionOnly);
      throw corrupt('zstd: no progress decoding frame');
    }
    chunkBytes = Math.max(ZSTD_CHUNK_BYTES, chunkBytes);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

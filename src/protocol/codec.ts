/**
 * The generic codec: one encoder and one decoder for every message declared with schema.ts, at every version.
 *
 * A (message, version) pair is compiled once, on first use, into a plan: per struct, its fields in declaration
 * order, each with a numeric kind, whether it is on the wire, nullable, compact, tagged, its default and the least
 * number of bytes it can take. Encoding and decoding walk the plan with a switch over the kind: no closures per
 * message, no per-version code.
 *
 * Encoding takes two passes over the value: a sizing pass that validates every value and records string byte
 * lengths and tagged-field sizes in an EncodeContext, then a writing pass into one exactly-sized Buffer (Writer).
 * `records` values (Buffer or list of Buffers) are never copied: they are queued between slices of that Buffer.
 *
 * Decoding yields plain objects holding every declared field (defaults where the version lacks a field, or a
 * tagged field was not sent). `bytes` and `records` are subarrays of the frame.
 */
import assert from 'node:assert';
import { KafkaProtocolError } from './protocol-error';
import { Reader } from './reader';
import {
  DefaultValue,
  FieldSpec,
  inVersionRange,
  MessageInput,
  MessageSpec,
  MessageValue,
  parseVersionRange,
  ZERO_UUID,
} from './schema';
import { sizeOfUnsignedVarint, Writer } from './writer';

const K_BOOL = 0;
const K_INT8 = 1;
const K_INT16 = 2;
const K_UINT16 = 3;
const K_INT32 = 4;
const K_UINT32 = 5;
const K_INT64 = 6;
const K_FLOAT64 = 7;
const K_UUID = 8;
const K_STRING = 9;
const K_BYTES = 10;
const K_RECORDS = 11;
const K_STRUCT = 12;
const K_ARRAY = 13;

const KIND_OF_TYPE: Readonly<Record<string, number>> = {
  bool: K_BOOL,
  int8: K_INT8,
  int16: K_INT16,
  uint16: K_UINT16,
  int32: K_INT32,
  uint32: K_UINT32,
  int64: K_INT64,
  float64: K_FLOAT64,
  uuid: K_UUID,
  string: K_STRING,
  bytes: K_BYTES,
  records: K_RECORDS,
};

/** Bytes taken by the fixed-size kinds, indexed by kind. */
const FIXED_SIZE = [1, 1, 2, 2, 4, 4, 8, 8, 16];

const INT32_MAX = 0x7fffffff;
const INT16_MAX = 0x7fff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const EMPTY_BUFFER = Buffer.alloc(0);
const EMPTY_ARRAY: readonly unknown[] = Object.freeze([]);

type Struct = Record<string, unknown>;

interface FieldPlan {
  readonly name: string;
  /** Where the field sits, for error messages: 'FetchResponse.responses[].partitions[].records'. */
  readonly path: string;
  readonly kind: number;
  /** For arrays of primitives: the plan of one element. */
  readonly element: FieldPlan | null;
  /** For structs and arrays of structs. */
  readonly struct: StructPlan | null;
  /** On the wire in this version, outside the tag buffer. */
  readonly present: boolean;
  /** Tag of a tagged field in this version, else -1. */
  readonly tag: number;
  readonly nullable: boolean;
  readonly compact: boolean;
  /** Default for encoding a missing value and for comparisons; arrays and structs get a fresh copy on decode. */
  readonly defaultValue: unknown;
  /** Least bytes one array element takes (arrays only). */
  readonly elementSizeMin: number;
}

interface StructPlan {
  readonly path: string;
  readonly flexible: boolean;
  /** Every declared field, in declaration order (which is the wire order of the present ones). */
  readonly fields: readonly FieldPlan[];
  /** The present, untagged fields: what an encoder writes, in order. */
  readonly wire: readonly FieldPlan[];
  /** Tagged fields of this version, by ascending tag. */
  readonly tagged: readonly FieldPlan[];
  readonly byTag: ReadonlyMap<number, FieldPlan>;
  /** Least bytes an instance takes on the wire. */
  readonly sizeMin: number;
}

/** A compiled (message, version). */
export interface MessagePlan {
  readonly spec: MessageSpec;
  readonly version: number;
  readonly flexible: boolean;
  readonly root: StructPlan;
}

// ---- Compilation ----

function compileDefault(spec: FieldSpec, kind: number, struct: StructPlan | null): unknown {
  const declared: DefaultValue | undefined = spec.default;
  if (declared !== undefined) {
    if (declared === null) return null;
    switch (kind) {
      case K_INT64:
        assert(typeof declared !== 'boolean', `${spec.name}: bad int64 default`);
        return BigInt(declared);
      case K_BOOL:
        assert(typeof declared === 'boolean', `${spec.name}: bad bool default`);
        return declared;
      case K_STRING:
      case K_UUID:
        assert(typeof declared === 'string', `${spec.name}: bad string default`);
        return declared;
      case K_ARRAY:
      case K_STRUCT:
      case K_BYTES:
      case K_RECORDS:
        assert.fail(`${spec.name}: only null can be declared as the default of ${spec.type}`);
        break;
      default:
        assert(typeof declared === 'number', `${spec.name}: bad numeric default`);
        return declared;
    }
  }
  switch (kind) {
    case K_BOOL:
      return false;
    case K_INT64:
      return 0n;
    case K_UUID:
      return ZERO_UUID;
    case K_STRING:
      return '';
    case K_BYTES:
      return EMPTY_BUFFER;
    case K_RECORDS:
      return null;
    case K_ARRAY:
      return EMPTY_ARRAY;
    case K_STRUCT:
      assert(struct !== null);
      return Object.freeze(defaultStruct(struct));
    default:
      return 0;
  }
}

function fieldSizeMin(kind: number, compact: boolean, nullable: boolean, struct: StructPlan | null): number {
  if (kind < FIXED_SIZE.length) return FIXED_SIZE[kind];
  switch (kind) {
    case K_STRING:
      return compact ? 1 : 2;
    case K_BYTES:
    case K_RECORDS:
    case K_ARRAY:
      return compact ? 1 : 4;
    case K_STRUCT:
      assert(struct !== null);
      return nullable ? 1 : struct.sizeMin;
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, path: string): StructPlan {
  const plans: FieldPlan[] = [];
  const wire: FieldPlan[] = [];
  const tagged: FieldPlan[] = [];
  const byTag = new Map<number, FieldPlan>();
  let sizeMin = flexible ? 1 : 0;
  const names = new Set<string>();
  for (const spec of fields) {
    assert(!names.has(spec.name), `${path}: duplicate field ${spec.name}`);
    names.add(spec.name);
    const fieldPath = `${path}.${spec.name}`;
    const present = inVersionRange(spec.versions, version);
    const isTagged = present && spec.tag !== undefined;
    assert(!isTagged || flexible, `${fieldPath}: tagged field in a non-flexible version ${version}`);
    const nullable = present && inVersionRange(spec.nullableVersions, version);
    let kind: number;
    let struct: StructPlan | null = null;
    let element: FieldPlan | null = null;
    let elementSizeMin = 0;
    if (spec.type === 'struct' || spec.type === '[]struct') {
      assert(spec.fields !== undefined, `${fieldPath}: ${spec.type} without fields`);
      kind = spec.type === 'struct' ? K_STRUCT : K_ARRAY;
      struct = compileStruct(spec.fields, version, flexible, kind === K_ARRAY ? `${fieldPath}[]` : fieldPath);
      elementSizeMin = struct.sizeMin;
    } else if (spec.type.startsWith('[]')) {
      kind = K_ARRAY;
      const elementKind = KIND_OF_TYPE[spec.type.slice(2)];
      assert(elementKind !== undefined && elementKind !== K_RECORDS, `${fieldPath}: bad type ${spec.type}`);
      element = {
        name: spec.name,
        path: `${fieldPath}[]`,
        kind: elementKind,
        element: null,
        struct: null,
        present: true,
        tag: -1,
        nullable: false,
        compact: flexible,
        defaultValue: compileDefault({ name: spec.name, type: 'int8', versions: '0+' }, elementKind, null),
        elementSizeMin: 0,
      };
      elementSizeMin = fieldSizeMin(elementKind, flexible, false, null);
    } else {
      kind = KIND_OF_TYPE[spec.type];
      assert(kind !== undefined, `${fieldPath}: unknown type ${spec.type}`);
    }
    if (kind === K_ARRAY && present) {
      assert(elementSizeMin >= 1, `${fieldPath}: array elements may take 0 bytes in version ${version}`);
    }
    const plan: FieldPlan = {
      name: spec.name,
      path: fieldPath,
      kind,
      element,
      struct,
      present: present && !isTagged,
      tag: isTagged ? (spec.tag as number) : -1,
      nullable,
      compact: flexible,
      defaultValue: compileDefault(spec, kind, struct),
      elementSizeMin,
    };
    plans.push(plan);
    if (isTagged) {
      assert(!byTag.has(plan.tag), `${fieldPath}: duplicate tag ${plan.tag}`);
      byTag.set(plan.tag, plan);
      tagged.push(plan);
    } else if (present) {
      wire.push(plan);
      sizeMin += fieldSizeMin(kind, flexible, nullable, struct);
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  return { path, flexible, fields: plans, wire, tagged, byTag, sizeMin };
}

const planCache = new WeakMap<MessageSpec, Map<number, MessagePlan>>();

/** True if `version` is one of the message's declared versions. */
export function isValidVersion(spec: MessageSpec, version: number): boolean {
  return Number.isInteger(version) && inVersionRange(spec.validVersions, version);
}

/** The compiled plan of a message at a version; throws UNSUPPORTED_VERSION outside `validVersions`. */
export function compileMessage(spec: MessageSpec, version: number): MessagePlan {
  let byVersion = planCache.get(spec);
  if (byVersion === undefined) {
    byVersion = new Map();
    planCache.set(spec, byVersion);
  }
  let plan = byVersion.get(version);
  if (plan === undefined) {
    if (!isValidVersion(spec, version)) {
      throw new KafkaProtocolError(
        'UNSUPPORTED_VERSION',
        `${spec.name} version ${version} is not supported (valid: ${spec.validVersions})`,
      );
    }
    const flexible = inVersionRange(spec.flexibleVersions, version);
    plan = { spec, version, flexible, root: compileStruct(spec.fields, version, flexible, spec.name) };
    byVersion.set(version, plan);
  }
  return plan;
}

/** The lowest flexible version of a message, or Infinity if it has none. */
export function flexibleVersionMin(spec: MessageSpec): number {
  const range = parseVersionRange(spec.flexibleVersions);
  return range.min > range.max ? Infinity : range.min;
}

// ---- Decoding ----

function defaultStruct(plan: StructPlan): Struct {
  const out: Struct = {};
  for (const field of plan.fields) out[field.name] = makeDefault(field);
  return out;
}

function makeDefault(field: FieldPlan): unknown {
  if (field.kind === K_ARRAY) return field.defaultValue === null ? null : [];
  if (field.kind === K_STRUCT) return field.defaultValue === null ? null : defaultStruct(field.struct as StructPlan);
  return field.defaultValue;
}

function decodeStruct(reader: Reader, plan: StructPlan): Struct {
  const out: Struct = {};
  const fields = plan.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    out[field.name] = field.present ? decodeField(reader, field) : makeDefault(field);
  }
  if (plan.flexible) decodeTaggedFields(reader, plan, out);
  return out;
}

function decodeTaggedFields(reader: Reader, plan: StructPlan, out: Struct): void {
  const count = reader.readUnsignedVarint();
  for (let i = 0; i < count; i++) {
    const tag = reader.readUnsignedVarint();
    const size = reader.readUnsignedVarint();
    reader.need(size, `tagged field ${tag} of ${plan.path}`);
    const field = plan.byTag.get(tag);
    const end = reader.position + size;
    if (field !== undefined) {
      const outerEnd = reader.end;
      reader.end = end;
      out[field.name] = decodeField(reader, field);
      reader.end = outerEnd;
    }
    reader.position = end;
  }
}

function decodeField(reader: Reader, field: FieldPlan): unknown {
  switch (field.kind) {
    case K_BOOL:
      return reader.readBoolean();
    case K_INT8:
      return reader.readInt8();
    case K_INT16:
      return reader.readInt16();
    case K_UINT16:
      return reader.readUint16();
    case K_INT32:
      return reader.readInt32();
    case K_UINT32:
      return reader.readUint32();
    case K_INT64:
      return reader.readInt64();
    case K_FLOAT64:
      return reader.readFloat64();
    case K_UUID:
      return reader.readUuid();
    case K_STRING:
      return reader.readString(field.compact, field.nullable);
    case K_BYTES:
    case K_RECORDS:
      return reader.readBytes(field.compact, field.nullable);
    case K_STRUCT:
      if (field.nullable && reader.readInt8() < 0) return null;
      return decodeStruct(reader, field.struct as StructPlan);
    case K_ARRAY: {
      const count = reader.readArrayCount(field.compact, field.nullable, field.elementSizeMin, field.path);
      if (count < 0) return null;
      const out: unknown[] = [];
      if (field.struct !== null) {
        for (let i = 0; i < count; i++) out.push(decodeStruct(reader, field.struct));
      } else {
        const element = field.element as FieldPlan;
        for (let i = 0; i < count; i++) out.push(decodeField(reader, element));
      }
      return out;
    }
    default:
      throw new Error(`unknown kind ${field.kind}`);
  }
}

/** Decodes one message body from `reader` (which must be positioned at its first byte). */
export function decodeWithPlan(plan: MessagePlan, reader: Reader): Struct {
  return decodeStruct(reader, plan.root);
}

/**
 * Decodes a standalone message (no header, no size prefix) from buf[start, end): for the embedded schemas that
 * travel inside other messages' bytes. Throws CORRUPT_MESSAGE on malformed bytes.
 */
export function decodeMessage<M extends MessageSpec>(
  spec: M,
  version: number,
  buf: Buffer,
  start = 0,
  end = buf.length,
): MessageValue<M> {
  const plan = compileMessage(spec, version);
  return decodeStruct(new Reader(buf, start, end, 'CORRUPT_MESSAGE'), plan.root) as MessageValue<M>;
}

// ---- Encoding ----

/**
 * What the sizing pass learned, replayed by the writing pass in the same order: string byte lengths, records
 * sizes, tagged-field counts and sizes. `externalBytes` counts the records bytes that are not copied.
 */
export class EncodeContext {
  readonly lengths: number[] = [];
  cursor = 0;
  externalBytes = 0;

  next(): number {
    return this.lengths[this.cursor++];
  }
}

function invalid(field: FieldPlan | StructPlan, value: unknown, expected: string): KafkaProtocolError {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (Array.isArray(value)) shown = 'an array';
  else if (Buffer.isBuffer(value)) shown = 'a Buffer';
  else if (value !== null && typeof value === 'object') shown = 'an object';
  else shown = String(value);
  return new KafkaProtocolError('INVALID_VALUE', `${field.path}: expected ${expected}, got ${shown}`);
}

function sizeStruct(plan: StructPlan, value: unknown, context: EncodeContext): number {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(plan, value, 'a struct');
  const struct = value as Struct;
  let size = 0;
  const wire = plan.wire;
  for (let i = 0; i < wire.length; i++) {
    const field = wire[i];
    size += sizeField(field, struct[field.name], context);
  }
  if (plan.flexible) size += sizeTaggedFields(plan, struct, context);
  return size;
}

function sizeTaggedFields(plan: StructPlan, struct: Struct, context: EncodeContext): number {
  const countSlot = context.lengths.length;
  context.lengths.push(0);
  let count = 0;
  let size = 0;
  for (const field of plan.tagged) {
    const value = struct[field.name];
    if (value === undefined || isDefault(field, value)) continue;
    const sizeSlot = context.lengths.length;
    context.lengths.push(0);
    const fieldSize = sizeField(field, value, context);
    context.lengths[sizeSlot] = fieldSize;
    size += sizeOfUnsignedVarint(field.tag) + sizeOfUnsignedVarint(fieldSize) + fieldSize;
    count++;
  }
  context.lengths[countSlot] = count;
  return size + sizeOfUnsignedVarint(count);
}

function isDefault(field: FieldPlan, value: unknown): boolean {
  const fallback = field.defaultValue;
  switch (field.kind) {
    case K_ARRAY:
      return fallback === null ? value === null : Array.isArray(value) && value.length === 0;
    case K_STRUCT:
      if (value === null || fallback === null) return value === fallback;
      return isDefaultStruct(field.struct as StructPlan, value);
    case K_BYTES:
      if (value === null || fallback === null) return value === fallback;
      return value instanceof Uint8Array && value.length === 0;
    case K_INT64:
      return typeof value === 'number' ? BigInt(value) === fallback : value === fallback;
    default:
      return value === fallback;
  }
}

function isDefaultStruct(plan: StructPlan, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const struct = value as Struct;
  for (const field of plan.fields) {
    if (!field.present && field.tag < 0) continue;
    const fieldValue = struct[field.name];
    if (fieldValue !== undefined && !isDefault(field, fieldValue)) return false;
  }
  return true;
}

function sizeOfLength(length: number, compact: boolean, wide: boolean): number {
  if (compact) return sizeOfUnsignedVarint(length + 1);
  return wide ? 4 : 2;
}

function sizeField(field: FieldPlan, given: unknown, context: EncodeContext): number {
  const value = given === undefined ? field.defaultValue : given;
  switch (field.kind) {
    case K_BOOL:
      if (typeof value !== 'boolean') throw invalid(field, value, 'a boolean');
      return 1;
    case K_INT8:
      if (typeof value !== 'number' || (value << 24) >> 24 !== value) throw invalid(field, value, 'an int8');
      return 1;
    case K_INT16:
      if (typeof value !== 'number' || (value << 16) >> 16 !== value) throw invalid(field, value, 'an int16');
      return 2;
    case K_UINT16:
      if (typeof value !== 'number' || (value & 0xffff) !== value) throw invalid(field, value, 'a uint16');
      return 2;
    case K_INT32:
      if (typeof value !== 'number' || (value | 0) !== value) throw invalid(field, value, 'an int32');
      return 4;
    case K_UINT32:
      if (typeof value !== 'number' || value >>> 0 !== value) throw invalid(field, value, 'a uint32');
      return 4;
    case K_INT64:
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) throw invalid(field, value, 'an int64');
      } else if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw invalid(field, value, 'an int64 (bigint or safe integer)');
      }
      return 8;
    case K_FLOAT64:
      if (typeof value !== 'number') throw invalid(field, value, 'a float64');
      return 8;
    case K_UUID:
      if (typeof value !== 'string' || !UUID_PATTERN.test(value)) throw invalid(field, value, 'a UUID');
      return 16;
    case K_STRING: {
      if (value === null) {
        if (!field.nullable) throw invalid(field, value, 'a non-null string');
        return field.compact ? 1 : 2;
      }
      if (typeof value !== 'string') throw invalid(field, value, 'a string');
      const length = Buffer.byteLength(value, 'utf8');
      if (!field.compact && length > INT16_MAX) throw invalid(field, value, `at most ${INT16_MAX} bytes of string`);
      context.lengths.push(length);
      return sizeOfLength(length, field.compact, false) + length;
    }
    case K_BYTES: {
      if (value === null) {
        if (!field.nullable) throw invalid(field, value, 'non-null bytes');
        return field.compact ? 1 : 4;
      }
      if (!(value instanceof Uint8Array)) throw invalid(field, value, 'a Buffer');
      return sizeOfLength(value.length, field.compact, true) + value.length;
    }
    case K_RECORDS: {
      if (value === null) {
        if (!field.nullable) throw invalid(field, value, 'non-null records');
        return field.compact ? 1 : 4;
      }
      let length = 0;
      if (value instanceof Uint8Array) {
        length = value.length;
      } else if (Array.isArray(value)) {
        for (const part of value) {
          if (!(part instanceof Uint8Array)) throw invalid(field, part, 'a Buffer in the records list');
          length += part.length;
        }
      } else {
        throw invalid(field, value, 'a Buffer or a list of Buffers');
      }
      if (length > INT32_MAX) throw invalid(field, value, `at most ${INT32_MAX} bytes of records`);
      context.lengths.push(length);
      context.externalBytes += length;
      return sizeOfLength(length, field.compact, true) + length;
    }
    case K_STRUCT:
      if (value === null) {
        if (!field.nullable) throw invalid(field, value, 'a non-null struct');
        return 1;
      }
      return (field.nullable ? 1 : 0) + sizeStruct(field.struct as StructPlan, value, context);
    case K_ARRAY: {
      if (value === null) {
        if (!field.nullable) throw invalid(field, value, 'a non-null array');
        return field.compact ? 1 : 4;
      }
      if (!Array.isArray(value)) throw invalid(field, value, 'an array');
      if (value.length > INT32_MAX) throw invalid(field, value, `at most ${INT32_MAX} elements`);
      let size = sizeOfLength(value.length, field.compact, true);
      if (field.struct !== null) {
        for (let i = 0; i < value.length; i++) size += sizeStruct(field.struct, value[i], context);
      } else {
        const element = field.element as FieldPlan;
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw invalid(element, undefined, 'an element');
          size += sizeField(element, value[i], context);
        }
      }
      return size;
    }
    default:
      throw new Error(`unknown kind ${field.kind}`);
  }
}

function writeStruct(plan: StructPlan, struct: Struct, writer: Writer, context: EncodeContext): void {
  const wire = plan.wire;
  for (let i = 0; i < wire.length; i++) {
    const field = wire[i];
    writeField(field, struct[field.name], writer, context);
  }
  if (!plan.flexible) return;
  const count = context.next();
  writer.writeUnsignedVarint(count);
  if (count === 0) return;
  for (const field of plan.tagged) {
    const value = struct[field.name];
    if (value === undefined || isDefault(field, value)) continue;
    writer.writeUnsignedVarint(field.tag);
    writer.writeUnsignedVarint(context.next());
    writeField(field, value, writer, context);
  }
}

function writeField(field: FieldPlan, given: unknown, writer: Writer, context: EncodeContext): void {
  const value = given === undefined ? field.defaultValue : given;
  switch (field.kind) {
    case K_BOOL:
      writer.writeBoolean(value as boolean);
      return;
    case K_INT8:
      writer.writeInt8(value as number);
      return;
    case K_INT16:
      writer.writeInt16(value as number);
      return;
    case K_UINT16:
      writer.writeUint16(value as number);
      return;
    case K_INT32:
      writer.writeInt32(value as number);
      return;
    case K_UINT32:
      writer.writeUint32(value as number);
      return;
    case K_INT64:
      writer.writeInt64(value as bigint | number);
      return;
    case K_FLOAT64:
      writer.writeFloat64(value as number);
      return;
    case K_UUID:
      writer.writeUuid(value as string);
      return;
    case K_STRING: {
      if (value === null) {
        writer.writeLength(-1, field.compact, false);
        return;
      }
      const length = context.next();
      writer.writeLength(length, field.compact, false);
      writer.writeUtf8(value as string, length);
      return;
    }
    case K_BYTES: {
      if (value === null) {
        writer.writeLength(-1, field.compact, true);
        return;
      }
      const bytes = value as Uint8Array;
      writer.writeLength(bytes.length, field.compact, true);
      writer.writeRaw(bytes);
      return;
    }
    case K_RECORDS: {
      if (value === null) {
        writer.writeLength(-1, field.compact, true);
        return;
      }
      writer.writeLength(context.next(), field.compact, true);
      writer.appendExternal(value as Uint8Array | readonly Uint8Array[]);
      return;
    }
    case K_STRUCT:
      if (field.nullable) {
        if (value === null) {
          writer.writeInt8(-1);
          return;
        }
        writer.writeInt8(1);
      }
      writeStruct(field.struct as StructPlan, value as Struct, writer, context);
      return;
    case K_ARRAY: {
      if (value === null) {
        writer.writeLength(-1, field.compact, true);
        return;
      }
      const array = value as readonly unknown[];
      writer.writeLength(array.length, field.compact, true);
      if (field.struct !== null) {
        for (let i = 0; i < array.length; i++) writeStruct(field.struct, array[i] as Struct, writer, context);
      } else {
        const element = field.element as FieldPlan;
        for (let i = 0; i < array.length; i++) writeField(element, array[i], writer, context);
      }
      return;
    }
    default:
      throw new Error(`unknown kind ${field.kind}`);
  }
}

/**
 * The sizing pass: validates `value` against the plan and returns its total size on the wire (records included).
 * `context.externalBytes` then holds how many of those bytes are records that will not be copied.
 */
export function sizeWithPlan(plan: MessagePlan, value: unknown, context: EncodeContext): number {
  return sizeStruct(plan.root, value, context);
}

/** The writing pass, after sizeWithPlan with the same value and context. */
export function writeWithPlan(plan: MessagePlan, value: unknown, writer: Writer, context: EncodeContext): void {
  writeStruct(plan.root, value as Struct, writer, context);
}

/**
 * Encodes a standalone message (no header, no size prefix) as a list of Buffers (records passed through).
 * Throws INVALID_VALUE for a value that does not fit.
 */
export function encodeMessage<M extends MessageSpec>(spec: M, version: number, value: MessageInput<M>): Buffer[] {
  const plan = compileMessage(spec, version);
  const context = new EncodeContext();
  const size = sizeWithPlan(plan, value, context);
  const writer = new Writer(size - context.externalBytes);
  writeWithPlan(plan, value, writer, context);
  return writer.finish();
}

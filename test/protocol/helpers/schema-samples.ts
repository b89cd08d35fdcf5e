/**
 * Values for the declared messages, derived from the declarations themselves: a test-side model of defaults
 * (written independently of the codec's), deterministic samples with a non-default value in every field present
 * in a version, fast-check arbitraries, and a normal form for comparing decoded values.
 */
import fc from 'fast-check';
import {
  declaredApis,
  FieldSpec,
  inVersionRange,
  MessageSpec,
  parseVersionRange,
  ZERO_UUID,
} from '../../../src/protocol';

export type Struct = Record<string, unknown>;

export interface MessageCase {
  readonly apiKey: number;
  readonly apiName: string;
  readonly kind: 'request' | 'response';
  readonly spec: MessageSpec;
  readonly version: number;
  readonly flexible: boolean;
}

/** Every declared (API, request/response, version). */
export function messageCases(): MessageCase[] {
  const cases: MessageCase[] = [];
  for (const api of declaredApis()) {
    for (let version = api.minVersion; version <= api.maxVersion; version++) {
      for (const kind of ['request', 'response'] as const) {
        const spec = api[kind];
        cases.push({
          apiKey: api.apiKey,
          apiName: api.name,
          kind,
          spec,
          version,
          flexible: inVersionRange(spec.flexibleVersions, version),
        });
      }
    }
  }
  return cases;
}

export function defaultOf(field: FieldSpec, version: number): unknown {
  if (field.default !== undefined) {
    if (field.default === null) return null;
    return field.type === 'int64' ? BigInt(field.default as number) : field.default;
  }
  if (field.type.startsWith('[]')) return [];
  switch (field.type) {
    case 'bool':
      return false;
    case 'int64':
      return 0n;
    case 'uuid':
      return ZERO_UUID;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'struct':
      return defaultStruct(field.fields ?? [], version);
    default:
      return 0;
  }
}

export function defaultStruct(fields: readonly FieldSpec[], version: number): Struct {
  const out: Struct = {};
  for (const field of fields) out[field.name] = defaultOf(field, version);
  return out;
}

// ---- Deterministic samples: every present field differs from its default ----

/** mulberry32: a small seeded PRNG, so samples are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  /** errorCode fields 0 (for client decoders that throw on errors). */
  readonly errorCodesZero?: boolean;
  /** The bytes to put in records fields; random bytes otherwise. */
  readonly records?: (version: number) => Buffer | null;
  /** Elements per array (default 2). */
  readonly arrayLength?: number;
}

function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const WORDS = ['topic', 'grüße', 'é☃', 'group-7', 'x', 'consumer', '日本', 'member'];

function sampleScalar(type: string, fallback: unknown, random: () => number): unknown {
  const differ = <T>(make: () => T): T => {
    for (;;) {
      const value = make();
      if (value !== fallback) return value;
    }
  };
  switch (type) {
    case 'bool':
      return fallback !== true;
    case 'int8':
      return differ(() => randomInt(random, -128, 127));
    case 'int16':
      return differ(() => randomInt(random, -32768, 32767));
    case 'uint16':
      return differ(() => randomInt(random, 1, 65535));
    case 'int32':
      return differ(() => randomInt(random, -2147483648, 2147483647));
    case 'uint32':
      return differ(() => randomInt(random, 1, 4294967295));
    case 'float64':
      return differ(() => (random() - 0.5) * 1e6);
    case 'int64':
      return differ(() => (BigInt(randomInt(random, -2147483648, 2147483647)) << 32n) | BigInt(randomInt(random, 1, 0xffffffff)));
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => randomInt(random, 0, 15).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'string':
      return `${WORDS[randomInt(random, 0, WORDS.length - 1)]}-${randomInt(random, 0, 99999)}`;
    case 'bytes':
    case 'records':
      return Buffer.from(Array.from({ length: randomInt(random, 1, 12) }, () => randomInt(random, 0, 255)));
    default:
      throw new Error(`no sample for ${type}`);
  }
}

function sampleField(field: FieldSpec, version: number, random: () => number, options: SampleOptions): unknown {
  if (options.errorCodesZero === true && field.name === 'errorCode') return 0;
  const length = options.arrayLength ?? 2;
  const fallback = defaultOf(field, version);
  if (field.type === 'struct') return sampleStruct(field.fields ?? [], version, random, options);
  if (field.type === '[]struct') {
    return Array.from({ length }, () => sampleStruct(field.fields ?? [], version, random, options));
  }
  if (field.type.startsWith('[]')) {
    const elementType = field.type.slice(2);
    return Array.from({ length: length + 1 }, () => sampleScalar(elementType, undefined, random));
  }
  if (field.type === 'records' && options.records !== undefined) return options.records(version);
  return sampleScalar(field.type, fallback, random);
}

function sampleStruct(fields: readonly FieldSpec[], version: number, random: () => number, options: SampleOptions): Struct {
  const out: Struct = {};
  for (const field of fields) {
    out[field.name] = inVersionRange(field.versions, version)
      ? sampleField(field, version, random, options)
      : defaultOf(field, version);
  }
  return out;
}

/** A message at `version` whose every present field (tagged ones included) holds a non-default value. */
export function sampleMessage(spec: MessageSpec, version: number, seed = 1, options: SampleOptions = {}): Struct {
  return sampleStruct(spec.fields, version, seededRandom(seed), options);
}

// ---- fast-check arbitraries ----

function scalarArbitrary(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer();
    case 'uint32':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'uuid':
      return fc.uuid();
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 6 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes));
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

function fieldArbitrary(field: FieldSpec, version: number): fc.Arbitrary<unknown> {
  let arbitrary: fc.Arbitrary<unknown>;
  if (field.type === 'struct') {
    arbitrary = structArbitrary(field.fields ?? [], version);
  } else if (field.type === '[]struct') {
    arbitrary = fc.array(structArbitrary(field.fields ?? [], version), { maxLength: 3 });
  } else if (field.type.startsWith('[]')) {
    arbitrary = fc.array(scalarArbitrary(field.type.slice(2)), { maxLength: 4 });
  } else {
    arbitrary = scalarArbitrary(field.type);
  }
  if (inVersionRange(field.nullableVersions, version)) arbitrary = fc.option(arbitrary, { nil: null, freq: 4 });
  return arbitrary;
}

function structArbitrary(fields: readonly FieldSpec[], version: number): fc.Arbitrary<Struct> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) {
    model[field.name] = inVersionRange(field.versions, version)
      ? fieldArbitrary(field, version)
      : fc.constant(null).map(() => defaultOf(field, version));
  }
  return fc.record(model);
}

/** Any valid value of the message at `version` (absent fields hold their defaults). */
export function messageArbitrary(spec: MessageSpec, version: number): fc.Arbitrary<Struct> {
  return structArbitrary(spec.fields, version);
}

// ---- Comparison ----

/** A form tap compares exactly: bigint -> '123n', Buffer -> 'hex:..', -0 -> 0. */
export function normalize(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'number' && Object.is(value, -0)) return 0;
  if (value !== null && typeof value === 'object') {
    const out: Struct = {};
    for (const [key, inner] of Object.entries(value)) out[key] = normalize(inner);
    return out;
  }
  return value;
}

/**
 * The primitives a non-flexible message's wire form is made of, in wire order, as a client's field-by-field
 * decoder reads them: numbers, strings (null), int64 as decimal strings, bytes as 'hex:..', arrays as their
 * count then their elements. `records` as its INT32 size then, if not empty, its bytes (as kafkajs reads a record
 * set).
 */
export function wireLeaves(spec: MessageSpec, version: number, value: Struct): unknown[] {
  const out: unknown[] = [];
  structLeaves(spec.fields, version, value, out);
  return out;
}

function structLeaves(fields: readonly FieldSpec[], version: number, value: Struct, out: unknown[]): void {
  for (const field of fields) {
    if (!inVersionRange(field.versions, version) || field.tag !== undefined) continue;
    const inner = value[field.name];
    if (field.type === 'struct') {
      structLeaves(field.fields ?? [], version, inner as Struct, out);
    } else if (field.type.startsWith('[]')) {
      if (inner === null) {
        out.push(-1);
        continue;
      }
      const array = inner as unknown[];
      out.push(array.length);
      for (const element of array) {
        if (field.type === '[]struct') structLeaves(field.fields ?? [], version, element as Struct, out);
        else out.push(leaf(element));
      }
    } else if (field.type === 'records') {
      const length = inner === null ? -1 : (inner as Buffer).length;
      out.push(length);
      if (length > 0) out.push(leaf(inner));
    } else {
      out.push(leaf(inner));
    }
  }
}

function leaf(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  return value;
}

export function versionsOf(spec: MessageSpec): number[] {
  const range = parseVersionRange(spec.validVersions);
  const versions: number[] = [];
  for (let v = range.min; v <= range.max; v++) versions.push(v);
  return versions;
}

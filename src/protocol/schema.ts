/**
 * The declarative schema of Kafka messages: each API's request and response is declared once, as data, in the
 * shape of Kafka's own message definitions (clients/src/main/resources/common/message/*.json), and one generic
 * codec (codec.ts) encodes and decodes every version of it.
 *
 * A field:
 * - `name`: camelCase of Kafka's field name (`ThrottleTimeMs` -> `throttleTimeMs`); decoded objects use it.
 * - `type`: a primitive (`bool`, `int8`, `int16`, `uint16`, `int32`, `uint32`, `int64`, `float64`, `uuid`,
 *   `string`, `bytes`, `records`), an array of a primitive (`[]int32`, `[]string`, ...), or `struct` /
 *   `[]struct` with nested `fields`. Strings, bytes, records and arrays are COMPACT in flexible versions.
 * - `versions`: the versions in which the field exists: `'3+'`, `'0-2'`, `'5'`. In the other versions it is not
 *   on the wire; decoding yields its default, encoding ignores it.
 * - `nullableVersions`: the versions in which it may be null (strings, bytes, records, arrays, structs).
 * - `default`: the value where the field is absent (and the value a tagged field takes when not sent). Without
 *   one: 0, 0n, false, '', the zero UUID, an empty Buffer, [], a struct of defaults; null for records.
 * - `tag`: the tag of a tagged field (flexible versions only); such a field travels in its struct's TAG_BUFFER
 *   and is only written when it differs from its default. Unknown tags are skipped on decode.
 *
 * A message: `name`, `apiKey`, `type` (request / response), `validVersions` ('0-9') and `flexibleVersions`
 * ('9+' or 'none': the first version with compact encodings and tag buffers).
 *
 * The TypeScript types of decoded values (MessageValue) and of encoder input (MessageInput) are derived from the
 * declarations: int64 decodes as bigint (encoders also take a safe-integer number), bytes and records as Buffer
 * (encoders take records as a Buffer or a list of Buffers, passed through without copying). In MessageInput a
 * field is required only if it exists in every version ('0+'), is not tagged, and has no declared default.
 */

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

export type ArrayElementType = Exclude<PrimitiveType, 'records'>;

export type FieldType = PrimitiveType | `[]${ArrayElementType}` | 'struct' | '[]struct';

export type DefaultValue = number | bigint | string | boolean | null;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly default?: DefaultValue;
  readonly tag?: number;
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  readonly name: string;
  readonly apiKey?: number;
  readonly type: 'request' | 'response' | 'data';
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** An inclusive version range; `max` is Infinity for 'N+'. Empty (min > max) for 'none'. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

const rangeCache = new Map<string, VersionRange>();

/** Parses '3+', '0-2', '5' or 'none'. Throws (an assertion: schemas are code) on anything else. */
export function parseVersionRange(text: string): VersionRange {
  const cached = rangeCache.get(text);
  if (cached !== undefined) return cached;
  let range: VersionRange;
  let match: RegExpExecArray | null;
  if (text === 'none') {
    range = { min: 1, max: 0 };
  } else if ((match = /^(\d+)\+$/.exec(text)) !== null) {
    range = { min: Number(match[1]), max: Infinity };
  } else if ((match = /^(\d+)-(\d+)$/.exec(text)) !== null) {
    range = { min: Number(match[1]), max: Number(match[2]) };
  } else if ((match = /^(\d+)$/.exec(text)) !== null) {
    range = { min: Number(match[1]), max: Number(match[1]) };
  } else {
    throw new Error(`invalid version range '${text}'`);
  }
  if (range.min > range.max && text !== 'none') throw new Error(`empty version range '${text}'`);
  rangeCache.set(text, range);
  return range;
}

export function inVersionRange(text: string | undefined, version: number): boolean {
  if (text === undefined) return false;
  const range = parseVersionRange(text);
  return version >= range.min && version <= range.max;
}

// ---- Types derived from declarations ----

type PrimitiveValue<T> = T extends 'bool'
  ? boolean
  : T extends 'int64'
    ? bigint
    : T extends 'string' | 'uuid'
      ? string
      : T extends 'bytes' | 'records'
        ? Buffer
        : number;

type PrimitiveInput<T> = T extends 'int64'
  ? bigint | number
  : T extends 'records'
    ? Buffer | readonly Buffer[]
    : PrimitiveValue<T>;

type BaseValue<F> = F extends { readonly type: 'struct'; readonly fields: infer S extends readonly FieldSpec[] }
  ? StructValue<S>
  : F extends { readonly type: '[]struct'; readonly fields: infer S extends readonly FieldSpec[] }
    ? StructValue<S>[]
    : F extends { readonly type: `[]${infer P}` }
      ? PrimitiveValue<P>[]
      : F extends { readonly type: infer P }
        ? PrimitiveValue<P>
        : never;

type BaseInput<F> = F extends { readonly type: 'struct'; readonly fields: infer S extends readonly FieldSpec[] }
  ? StructInput<S>
  : F extends { readonly type: '[]struct'; readonly fields: infer S extends readonly FieldSpec[] }
    ? readonly StructInput<S>[]
    : F extends { readonly type: `[]${infer P}` }
      ? readonly PrimitiveInput<P>[]
      : F extends { readonly type: infer P }
        ? PrimitiveInput<P>
        : never;

type OrNull<F, V> = F extends { readonly nullableVersions: string } ? V | null : V;

type IsOptionalInput<F> = F extends { readonly tag: number }
  ? true
  : F extends { readonly default: DefaultValue }
    ? true
    : F extends { readonly versions: '0+' }
      ? false
      : true;

/** A decoded struct: every declared field, with its default where the version lacks it. */
export type StructValue<S extends readonly FieldSpec[]> = {
  -readonly [F in S[number] as F['name']]: OrNull<F, BaseValue<F>>;
};

/** What encoders accept for a struct: see the module comment for which fields are required. */
export type StructInput<S extends readonly FieldSpec[]> = {
  readonly [F in S[number] as IsOptionalInput<F> extends true ? never : F['name']]: OrNull<F, BaseInput<F>>;
} & {
  readonly [F in S[number] as IsOptionalInput<F> extends true ? F['name'] : never]?: OrNull<F, BaseInput<F>>;
};

export type MessageValue<M extends MessageSpec> = StructValue<M['fields']>;
export type MessageInput<M extends MessageSpec> = StructInput<M['fields']>;

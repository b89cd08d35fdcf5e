/**
 * Renders a declared message at one version in the protocol guide's BNF, e.g.
 *
 *   Produce Request (Version: 3) => transactional_id acks timeout_ms [topic_data]
 *     transactional_id => NULLABLE_STRING
 *     ...
 *
 * The guide's grammar is generated from Kafka's message definitions by the same rules (snake_case names, arrays in
 * brackets, TAG_BUFFER for flexible structs, tagged fields only inside TAG_BUFFER), so the grammar rendered from a
 * declaration can be compared line by line with the guide's; the declarations' comments are checked against it.
 */
import { FieldSpec, inVersionRange, MessageSpec } from './schema';

export function snakeCase(name: string): string {
  return name.replace(/([A-Z])/g, '_$1').toLowerCase();
}

function typeName(type: string, compact: boolean, nullable: boolean): string {
  switch (type) {
    case 'bool':
      return 'BOOLEAN';
    case 'string':
    case 'bytes':
      return `${compact ? 'COMPACT_' : ''}${nullable ? 'NULLABLE_' : ''}${type.toUpperCase()}`;
    case 'records':
      return compact ? 'COMPACT_RECORDS' : 'RECORDS';
    default:
      return type.toUpperCase();
  }
}

function wireFields(fields: readonly FieldSpec[], version: number): FieldSpec[] {
  return fields.filter((field) => inVersionRange(field.versions, version) && field.tag === undefined);
}

function fieldList(fields: readonly FieldSpec[], version: number, flexible: boolean): string {
  const names = wireFields(fields, version).map((field) =>
    field.type.startsWith('[]') ? `[${snakeCase(field.name)}]` : snakeCase(field.name),
  );
  if (flexible) names.push('TAG_BUFFER');
  return names.join(' ');
}

function renderFields(
  fields: readonly FieldSpec[],
  version: number,
  flexible: boolean,
  depth: number,
  lines: string[],
): void {
  const indent = '  '.repeat(depth);
  for (const field of wireFields(fields, version)) {
    const name = snakeCase(field.name);
    if (field.type === 'struct' || field.type === '[]struct') {
      const children = field.fields ?? [];
      lines.push(`${indent}${name} => ${fieldList(children, version, flexible)}`);
      renderFields(children, version, flexible, depth + 1, lines);
    } else if (field.type.startsWith('[]')) {
      lines.push(`${indent}${name} => ${typeName(field.type.slice(2), flexible, false)}`);
    } else {
      const nullable = inVersionRange(field.nullableVersions, version);
      lines.push(`${indent}${name} => ${typeName(field.type, flexible, nullable)}`);
    }
  }
}

/** The guide's grammar of `spec` at `version`, one string per line, without trailing spaces. */
export function grammarOf(spec: MessageSpec, version: number): string[] {
  const flexible = inVersionRange(spec.flexibleVersions, version);
  const kind = spec.type === 'request' ? 'Request' : 'Response';
  const apiName = spec.name.endsWith(kind) ? spec.name.slice(0, -kind.length) : spec.name;
  const list = fieldList(spec.fields, version, flexible);
  const lines = [`${apiName} ${kind} (Version: ${version}) =>${list === '' ? '' : ` ${list}`}`];
  renderFields(spec.fields, version, flexible, 1, lines);
  return lines;
}

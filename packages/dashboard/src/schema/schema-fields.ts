/**
 * A job type's input form, worked out from its JSON Schema: one field per
 * property of an object schema, each edited as text, a number, a checkbox or
 * a choice, and anything richer as JSON. The service validates the input
 * strictly against the same schema; this only shapes the form and converts
 * what was typed (a number field gives a number, an empty optional field
 * gives nothing) so that nothing is coerced on the way.
 */

/** The parts of a JSON Schema the form reads. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
  readonly description?: string;
  readonly title?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
}

/** The values a schema allows when it lists them: `enum`, or `anyOf`/`oneOf` of `const`s (TypeBox's union of literals). */
function choicesOf(schema: JsonSchema): readonly unknown[] {
  if (schema.enum && schema.enum.length > 0) return schema.enum;
  const options = schema.anyOf ?? schema.oneOf;
  if (options && options.length > 0 && options.every((option) => option.const !== undefined)) return options.map((option) => option.const);
  return [];
}

export type FieldKind = 'text' | 'url' | 'number' | 'integer' | 'boolean' | 'choice' | 'string-list' | 'json';

export interface SchemaField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly label: string;
  readonly description: string | undefined;
  /** For `choice`: the allowed values (strings, numbers or booleans). */
  readonly choices: readonly unknown[];
  /** What the field starts with, as typed text ('true'/'false' for a checkbox). */
  readonly initial: string;
}

function primaryType(schema: JsonSchema): string | undefined {
  const { type } = schema;
  if (Array.isArray(type)) return type.find((t) => t !== 'null');
  return type as string | undefined;
}

function kindOf(schema: JsonSchema): FieldKind {
  if (choicesOf(schema).length > 0) return 'choice';
  switch (primaryType(schema)) {
    case 'string':
      return schema.format === 'uri' || schema.format === 'url' ? 'url' : 'text';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'array':
      return schema.items && primaryType(schema.items) === 'string' && !schema.items.enum ? 'string-list' : 'json';
    default:
      return 'json';
  }
}

function initialText(kind: FieldKind, schema: JsonSchema): string {
  const value = schema.default;
  if (value === undefined) return kind === 'boolean' ? 'false' : kind === 'choice' ? JSON.stringify(choicesOf(schema)[0]) : '';
  if (kind === 'string-list' && Array.isArray(value)) return value.join(', ');
  if (kind === 'json' || kind === 'choice') return JSON.stringify(value);
  return String(value);
}

/** The fields of an object schema; null when the input is not an object with properties (then the form takes JSON). */
export function schemaFields(schema: JsonSchema | undefined): SchemaField[] | null {
  if (!schema || primaryType(schema) !== 'object' || !schema.properties) return null;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => {
    const kind = kindOf(property);
    return {
      name,
      kind,
      required: required.has(name),
      label: property.title ?? name,
      description: property.description,
      choices: choicesOf(property),
      initial: initialText(kind, property),
    };
  });
}

/** The input to submit from what was typed in each field, or the first problem (a field that is not valid JSON, say). */
export function inputFrom(fields: readonly SchemaField[], values: Readonly<Record<string, string>>): { input: Record<string, unknown> } | { problem: string } {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const text = (values[field.name] ?? field.initial).trim();
    if (field.kind === 'boolean') {
      input[field.name] = text === 'true';
      continue;
    }
    if (text === '') {
      if (field.required) return { problem: `${field.label} is required.` };
      continue; // optional and empty: left out, not sent as ''
    }
    switch (field.kind) {
      case 'number':
      case 'integer': {
        const value = Number(text);
        if (!Number.isFinite(value) || (field.kind === 'integer' && !Number.isInteger(value))) return { problem: `${field.label} must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}.` };
        input[field.name] = value;
        break;
      }
      case 'string-list':
        input[field.name] = text.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case 'choice':
      case 'json':
        try {
          input[field.name] = JSON.parse(text) as unknown;
        } catch {
          return { problem: `${field.label} must be JSON.` };
        }
        break;
      default:
        input[field.name] = text;
    }
  }
  return { input };
}

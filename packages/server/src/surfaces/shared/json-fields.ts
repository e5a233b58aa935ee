import type { JsonObject, JsonValue } from '@tidings/jobs';

/** `value` when it is a JSON object, else an empty one (job input and results are any JSON). */
export function jsonObject(value: JsonValue | undefined): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

export function jsonField(value: JsonValue | undefined, name: string): JsonValue | undefined {
  return jsonObject(value)[name];
}

export function jsonString(value: JsonValue | undefined, name: string): string | null {
  const field = jsonField(value, name);
  return typeof field === 'string' ? field : null;
}

export function jsonNumber(value: JsonValue | undefined, name: string): number | null {
  const field = jsonField(value, name);
  return typeof field === 'number' ? field : null;
}

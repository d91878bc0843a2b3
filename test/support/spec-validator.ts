import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadNeonSpec } from './neon-spec.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule })
  .default ?? addFormatsModule) as typeof addFormatsModule;

type Schema = Record<string, unknown>;

const SPEC_ID = 'neon-spec';

/**
 * OpenAPI 3.0 schema → JSON Schema that ajv understands: `nullable` becomes a union with
 * null, `$ref`s point into the registered spec document, annotations ajv rejects go.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.startsWith('#') ? `${SPEC_ID}${value}` : value;
    else if (
      key === 'example' ||
      key === 'examples' ||
      key === 'discriminator' ||
      key === 'nullable' ||
      key.startsWith('x-')
    )
      continue;
    else if (key === 'properties' && value && typeof value === 'object') {
      // Property names are data, not keywords: keep every one.
      out.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else out[key] = toJsonSchema(value);
  }
  if ((node as Schema).nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

const intIn = (min: number, max: number) => ({
  type: 'number' as const,
  validate: (n: number) => Number.isInteger(n) && n >= min && n <= max,
});

export interface Violation {
  errors: ErrorObject[];
  text: string;
}

/** Validates responses against the response schemas of Neon's OpenAPI spec. */
export class NeonSpecValidator {
  readonly spec = loadNeonSpec() as ReturnType<typeof loadNeonSpec> & {
    paths: Record<string, Record<string, Schema>>;
  };
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('int32', intIn(-(2 ** 31), 2 ** 31 - 1));
    this.ajv.addFormat('int64', intIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    this.ajv.addFormat('uint64', intIn(0, Number.MAX_SAFE_INTEGER));
    this.ajv.addFormat('int', intIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    this.ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ $id: SPEC_ID, components: toJsonSchema(this.spec.components) }, SPEC_ID);
  }

  /** The operation of the spec at this path template and method; throws when the spec lacks it. */
  operation(method: string, template: string): Schema {
    const op = this.spec.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`Neon's spec has no ${method} ${template}`);
    return op;
  }

  private resolveResponse(response: Schema): Schema {
    const ref = response.$ref;
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/responses/', '');
      return this.spec.components.responses[name] as Schema;
    }
    return response;
  }

  /**
   * The JSON schema the spec gives for this status (falling back to `default`), or `null`
   * when the spec declares that status without a body (204), or undefined when it declares
   * neither the status nor a default.
   */
  responseSchema(method: string, template: string, status: number): Schema | null | undefined {
    const responses = this.operation(method, template).responses as Record<string, Schema>;
    const declared = responses[String(status)] ?? responses.default;
    if (!declared) return undefined;
    const response = this.resolveResponse(declared);
    const content = response.content as Record<string, { schema?: Schema }> | undefined;
    return content?.['application/json']?.schema ?? null;
  }

  /** The ajv validator for this response, compiled once. */
  validator(method: string, template: string, status: number): ValidateFunction | null | undefined {
    const key = `${method.toUpperCase()} ${template} ${status}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const schema = this.responseSchema(method, template, status);
    if (!schema) return schema;
    const compiled = this.ajv.compile(toJsonSchema(schema) as Schema);
    this.cache.set(key, compiled);
    return compiled;
  }

  /** True when the spec has this method at this path template. */
  has(method: string, template: string): boolean {
    return Boolean(this.spec.paths[template]?.[method.toLowerCase()]);
  }

  /** Validates against one named schema of the spec's components. */
  checkSchema(name: string, body: unknown): Violation | undefined {
    const validate = this.ajv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
    if (!validate) throw new Error(`Neon's spec has no schema ${name}`);
    if (validate(body)) return undefined;
    const errors = validate.errors ?? [];
    return { errors, text: this.ajv.errorsText(errors, { separator: '\n' }) };
  }

  /** Undefined when `body` is what the spec allows for this response; else what is wrong. */
  check(method: string, template: string, status: number, body: unknown): Violation | undefined {
    const validate = this.validator(method, template, status);
    if (validate === undefined) {
      return {
        errors: [],
        text: `Neon's spec declares no ${status} (and no default) for ${method} ${template}`,
      };
    }
    if (validate === null) {
      return body === undefined
        ? undefined
        : { errors: [], text: `${status} must have no body, got ${JSON.stringify(body)}` };
    }
    if (validate(body)) return undefined;
    const errors = validate.errors ?? [];
    return { errors, text: this.ajv.errorsText(errors, { separator: '\n' }) };
  }
}

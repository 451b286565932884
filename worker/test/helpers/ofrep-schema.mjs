// Validates responses against the OFREP 0.3.0 OpenAPI document in tests/specs/ofrep, with ajv
// (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
//
// One reading is applied, and only to a copy: as written, `evaluationSuccess` requires one of
// booleanFlag/stringFlag/integerFlag/floatFlag/objectFlag/codeDefaultFlag through `oneOf`, but
// codeDefaultFlag is `{ type: object, properties: {} }`, which every response object matches,
// and every integer is also a `number`. So under strict JSON Schema no response carrying a
// `value` validates at all (`strictSchemaErrors()` below proves it in a test). The spec's
// prose says what is meant: codeDefaultFlag is the response *without* a value, and integer and
// float are alternatives. The copy says exactly that and nothing more.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import YAML from "yaml";

export const SPEC_PATH = fileURLToPath(new URL("../../../tests/specs/ofrep/openapi.yaml", import.meta.url));
const spec = YAML.parse(readFileSync(SPEC_PATH, "utf8"));

function compile(components) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: "ofrep.json", components });
  return (name) => ajv.getSchema(`ofrep.json#/components/schemas/${name}`);
}

const patched = structuredClone(spec.components);
patched.schemas.codeDefaultFlag = { ...patched.schemas.codeDefaultFlag, not: { required: ["value"] } };
patched.schemas.floatFlag.properties.value = { ...patched.schemas.floatFlag.properties.value, not: { type: "integer" } };
const schema = compile(patched);
const strict = compile(spec.components);

/** The schema of an operation's response: `("evaluateFlag" | "evaluateFlagsBulk", status)`. */
export function responseSchemaName(operationId, status) {
  for (const item of Object.values(spec.paths)) {
    const op = item.post;
    if (op?.operationId !== operationId) continue;
    const response = op.responses[String(status)];
    assert.ok(response, `${operationId} does not define a ${status} response`);
    const ref = response.content?.["application/json"]?.schema?.$ref;
    return ref?.split("/").pop();
  }
  throw new Error(`no operation ${operationId}`);
}

/**
 * Asserts that `body` is what the spec says `operationId` answers with `status`, including
 * that the status is one the operation defines (a 304 has no body).
 */
export function assertOfrep(operationId, status, body) {
  const name = responseSchemaName(operationId, status);
  if (name === undefined) {
    assert.equal(body, undefined, `${operationId} ${status} has no body in the spec`);
    return;
  }
  const validate = schema(name);
  assert.ok(validate(body), `${operationId} ${status} does not match ${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`);
}

/** Errors of the unmodified schema for `body` (see the note at the top). */
export function strictSchemaErrors(name, body) {
  const validate = strict(name);
  return validate(body) ? [] : validate.errors;
}

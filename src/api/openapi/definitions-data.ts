// Loads the generated definitions (src/api/openapi/definitions.json, see scripts/gen-openapi.ts).
// Imported as JSON so a build copies the file next to the compiled code.
import data from './definitions.json' with { type: 'json' };

/** An OpenAPI schema object as stored in definitions.json ($ref values are bare names). */
export type JSONSchema = Record<string, unknown>;

export const definitions: Readonly<Record<string, JSONSchema>> = (data as unknown as { definitions: Record<string, JSONSchema> }).definitions;

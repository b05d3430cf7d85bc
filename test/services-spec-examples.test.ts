/**
 * Every example in the contract for the operations added with issue 16 (activity, analytics, credits,
 * BYOK, SCIM, observability) decodes: responses with the success schema of the operation's declaration,
 * request bodies with its body fields (the validation accepts what the contract shows; a secret in an
 * example body is a plain string on the wire), and error bodies as error bodies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted, Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import * as Activity from "../src/Activity.ts"
import * as A from "../src/ActivityDomain.ts"
import * as Analytics from "../src/Analytics.ts"
import * as Byok from "../src/Byok.ts"
import * as B from "../src/ByokDomain.ts"
import * as Credits from "../src/Credits.ts"
import { ErrorResponse } from "../src/Domain.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"
import * as Observability from "../src/Observability.ts"
import * as O from "../src/ObservabilityDomain.ts"
import * as Scim from "../src/Scim.ts"
import * as S from "../src/ScimDomain.ts"

const specPath = fileURLToPath(new URL("../spec/openrouter-openapi.yaml", import.meta.url))
const spec = parse(readFileSync(specPath, "utf8")) as {
  paths: Record<string, Record<string, any>>
  components: { schemas: Record<string, any> }
}

type AnySchema = Schema.Schema<any, any>

/** Per operation id: the declaration the client uses. */
const operations: Record<string, AnyDeclaration> = {
  getUserActivity: Activity.operations.list,
  getAnalyticsMeta: Analytics.operations.meta,
  queryAnalytics: Analytics.operations.query,
  getCredits: Credits.operations.get,
  listBYOKKeys: Byok.operations.list,
  createBYOKKey: Byok.operations.create,
  getBYOKKey: Byok.operations.get,
  updateBYOKKey: Byok.operations.update,
  deleteBYOKKey: Byok.operations.delete,
  listScimGroups: Scim.operations.listGroups,
  listScimGroupMappings: Scim.operations.listMappings,
  createScimGroupMapping: Scim.operations.createMapping,
  getScimGroupMapping: Scim.operations.getMapping,
  updateScimGroupMapping: Scim.operations.updateMapping,
  deleteScimGroupMapping: Scim.operations.deleteMapping,
  listObservabilityDestinations: Observability.operations.list,
  createObservabilityDestination: Observability.operations.create,
  getObservabilityDestination: Observability.operations.get,
  updateObservabilityDestination: Observability.operations.update,
  deleteObservabilityDestination: Observability.operations.delete
}

/** Components with examples of their own. */
const components: Record<string, AnySchema> = {
  ActivityItem: A.ActivityItem,
  ActivityResponse: A.ActivityResponse,
  BYOKKey: B.ByokKey,
  CreateBYOKKeyRequest: B.CreateByokKeyRequest,
  UpdateBYOKKeyRequest: B.UpdateByokKeyRequest,
  ListBYOKKeysResponse: B.ListByokKeysResponse,
  ScimGroup: S.ScimGroup,
  ScimGroupMapping: S.ScimGroupMapping,
  CreateScimGroupMappingRequest: S.CreateScimGroupMappingRequest,
  ListScimGroupMappingsResponse: S.ListScimGroupMappingsResponse,
  ListScimGroupsResponse: S.ListScimGroupsResponse,
  ObservabilityLangfuseDestination: O.Destination,
  ObservabilityWebhookDestination: O.Destination,
  ObservabilityS3Destination: O.Destination,
  CreateObservabilityDestinationRequest: O.CreateDestinationRequest,
  UpdateObservabilityDestinationRequest: O.UpdateDestinationRequest,
  ListObservabilityDestinationsResponse: O.ListDestinationsResponse
}

interface Example {
  readonly where: string
  readonly schema: AnySchema
  readonly value: unknown
}

const mediaExamples = (where: string, media: any, schema: AnySchema): Array<Example> => {
  if (!media) return []
  const out: Array<Example> = []
  if (media.example !== undefined) out.push({ where, schema, value: media.example })
  if (media.schema?.example !== undefined) out.push({ where: `${where} schema`, schema, value: media.schema.example })
  return out
}

const examples: Array<Example> = []
const covered = new Set<string>()
for (const [path, methods] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    const declaration = operations[op.operationId]
    if (!declaration) continue
    covered.add(op.operationId)
    const name = `${method.toUpperCase()} ${path}`
    if (Object.keys(declaration.bodyFields).length > 0) {
      examples.push(
        ...mediaExamples(
          `${name} request`,
          op.requestBody?.content?.["application/json"],
          Schema.Struct(declaration.bodyFields) as unknown as AnySchema
        )
      )
    }
    for (const [status, response] of Object.entries<any>(op.responses)) {
      const media = response?.content?.["application/json"]
      examples.push(...mediaExamples(`${name} ${status}`, media, status.startsWith("2") ? declaration.success : ErrorResponse))
    }
  }
}
for (const [name, schema] of Object.entries(components)) {
  const example = spec.components.schemas[name]?.example
  if (example !== undefined) examples.push({ where: `components.${name}`, schema, value: example })
}

describe("spec examples of the activity, analytics, credits, BYOK, SCIM and observability operations", () => {
  it("covers every declared operation", () => {
    expect([...covered].sort()).toEqual(Object.keys(operations).sort())
    expect(examples.filter((e) => !e.where.startsWith("components.")).length).toBeGreaterThan(Object.keys(operations).length * 2)
  })

  for (const { schema, value, where } of examples) {
    it(`${where} decodes`, () => {
      const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })(value)
      if (Either.isLeft(decoded)) throw new Error(String(decoded.left))
    })
  }

  it("an activity row without workspace_id (the default grouping) and with it (groupBy workspace)", () => {
    const row = (examples.find((e) => e.where === "GET /activity 200")!.value as { data: Array<any> }).data[0]
    const decode = Schema.decodeUnknownSync(A.ActivityItem)
    expect(decode(row).workspaceId).toBeUndefined()
    expect(decode({ ...row, workspace_id: "550e8400-e29b-41d4-a716-446655440000" }).workspaceId).toBe("550e8400-e29b-41d4-a716-446655440000")
    const { usage: _, ...withoutUsage } = row
    expect(Either.isLeft(Schema.decodeUnknownEither(A.ActivityItem)(withoutUsage))).toBe(true)
  })
})

describe("secrets in the examples", () => {
  it("a destination's credentials and headers decode Redacted; other config fields stay plain", () => {
    const example = examples.find((e) => e.where === "GET /observability/destinations/{id} 200")!.value as { data: any }
    const decoded = Schema.decodeUnknownSync(O.Destination)({
      ...example.data,
      config: { ...example.data.config, headers: { Authorization: "Bearer abc" } }
    })
    expect(Redacted.isRedacted(decoded.config.secretKey)).toBe(true)
    expect(Redacted.isRedacted((decoded.config.headers as Record<string, unknown>).Authorization)).toBe(true)
    expect(decoded.config.baseUrl).toBe("https://us.cloud.langfuse.com")
    expect(JSON.stringify(decoded)).not.toContain("Bearer abc")
    expect(String(decoded)).not.toContain(example.data.config.secretKey)
  })

  it("a BYOK create body decodes with the key Redacted", () => {
    const example = examples.find((e) => e.where === "POST /byok request")!.value as { key: string }
    const decoded = Schema.decodeUnknownSync(B.CreateByokKeyRequest)(example)
    expect(Redacted.value(decoded.key)).toBe(example.key)
    expect(JSON.stringify(decoded)).not.toContain(example.key)
  })
})

/**
 * Every example in the contract for the key and guardrail operations decodes: responses with the
 * success schema of the operation's declaration, request bodies with its body fields (so our validation
 * accepts what the contract shows), error bodies as error bodies, and the components' own examples.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted, Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { DeletedResponse, ErrorResponse } from "../src/Domain.ts"
import * as Guardrails from "../src/Guardrails.ts"
import * as G from "../src/GuardrailsDomain.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"
import * as Keys from "../src/Keys.ts"
import * as K from "../src/KeysDomain.ts"

const specPath = fileURLToPath(new URL("../spec/openrouter-openapi.yaml", import.meta.url))
const spec = parse(readFileSync(specPath, "utf8")) as {
  paths: Record<string, Record<string, any>>
  components: { schemas: Record<string, any> }
}

type AnySchema = Schema.Schema<any, any>

/** Per operation: the declaration the client uses, and the schema of the `data` inside its success body. */
const operations: Record<string, { declaration: AnyDeclaration; data?: AnySchema }> = {
  getCurrentKey: { declaration: Keys.operations.current, data: K.CurrentKey },
  list: { declaration: Keys.operations.list, data: K.ApiKey },
  createKeys: { declaration: Keys.operations.create, data: K.ApiKey },
  getKey: { declaration: Keys.operations.get, data: K.ApiKey },
  updateKeys: { declaration: Keys.operations.update, data: K.ApiKey },
  deleteKeys: { declaration: Keys.operations.delete },
  listGuardrails: { declaration: Guardrails.operations.list, data: G.Guardrail },
  createGuardrail: { declaration: Guardrails.operations.create, data: G.Guardrail },
  getGuardrail: { declaration: Guardrails.operations.get, data: G.Guardrail },
  updateGuardrail: { declaration: Guardrails.operations.update, data: G.Guardrail },
  deleteGuardrail: { declaration: Guardrails.operations.delete },
  listGuardrailKeyAssignments: { declaration: Guardrails.operations.listKeyAssignments, data: G.KeyAssignment },
  bulkAssignKeysToGuardrail: { declaration: Guardrails.operations.assignKeys },
  bulkUnassignKeysFromGuardrail: { declaration: Guardrails.operations.unassignKeys },
  listGuardrailMemberAssignments: { declaration: Guardrails.operations.listMemberAssignments, data: G.MemberAssignment },
  bulkAssignMembersToGuardrail: { declaration: Guardrails.operations.assignMembers },
  bulkUnassignMembersFromGuardrail: { declaration: Guardrails.operations.unassignMembers },
  listKeyAssignments: { declaration: Guardrails.operations.listAllKeyAssignments, data: G.KeyAssignment },
  listMemberAssignments: { declaration: Guardrails.operations.listAllMemberAssignments, data: G.MemberAssignment }
}

/** The components these operations refer to, by their name in the contract. */
const components: Record<string, AnySchema> = {
  BulkAssignKeysRequest: G.BulkKeyAssignmentsRequest,
  BulkUnassignKeysRequest: G.BulkKeyAssignmentsRequest,
  BulkAssignMembersRequest: G.BulkMemberAssignmentsRequest,
  BulkUnassignMembersRequest: G.BulkMemberAssignmentsRequest,
  BulkAssignKeysResponse: G.AssignedResponse,
  BulkAssignMembersResponse: G.AssignedResponse,
  BulkUnassignKeysResponse: G.UnassignedResponse,
  BulkUnassignMembersResponse: G.UnassignedResponse,
  ContentFilterBuiltinEntry: G.ContentFilterBuiltin,
  ContentFilterEntry: G.ContentFilter,
  CreateGuardrailRequest: G.CreateGuardrailRequest,
  UpdateGuardrailRequest: G.UpdateGuardrailRequest,
  CreateGuardrailResponse: G.GuardrailResponse,
  GetGuardrailResponse: G.GuardrailResponse,
  UpdateGuardrailResponse: G.GuardrailResponse,
  DeleteGuardrailResponse: DeletedResponse,
  Guardrail: G.Guardrail,
  KeyAssignment: G.KeyAssignment,
  MemberAssignment: G.MemberAssignment,
  ListGuardrailsResponse: G.ListGuardrailsResponse,
  ListKeyAssignmentsResponse: G.ListKeyAssignmentsResponse,
  ListMemberAssignmentsResponse: G.ListMemberAssignmentsResponse
}

interface Example {
  readonly where: string
  readonly schema: AnySchema
  readonly value: unknown
}

/** The examples of one JSON media type: the example itself, the schema's, and those of `data` inside it. */
const mediaExamples = (where: string, media: any, body: AnySchema, data?: AnySchema): Array<Example> => {
  if (!media) return []
  const out: Array<Example> = []
  if (media.example !== undefined) out.push({ where, schema: body, value: media.example })
  const schema = media.schema ?? {}
  if (schema.example !== undefined) out.push({ where: `${where} schema`, schema: body, value: schema.example })
  const dataSchema = schema.properties?.data
  if (data && dataSchema?.example !== undefined) {
    out.push({ where: `${where} data`, schema: data, value: dataSchema.example })
  }
  if (data && dataSchema?.items?.example !== undefined) {
    out.push({ where: `${where} data item`, schema: data, value: dataSchema.items.example })
  }
  return out
}

const examples: Array<Example> = []
const covered = new Set<string>()
for (const [path, methods] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    const known = operations[op.operationId]
    if (!known) continue
    covered.add(op.operationId)
    const name = `${method.toUpperCase()} ${path}`
    const request = op.requestBody?.content?.["application/json"]
    const body = known.declaration.bodyFields
    if (Object.keys(body).length > 0) examples.push(...mediaExamples(`${name} request`, request, Schema.Struct(body) as unknown as AnySchema))
    for (const [status, response] of Object.entries<any>(op.responses)) {
      const media = response?.content?.["application/json"]
      examples.push(
        ...(status.startsWith("2")
          ? mediaExamples(`${name} ${status}`, media, known.declaration.success, known.data)
          : mediaExamples(`${name} ${status}`, media, ErrorResponse))
      )
    }
  }
}
for (const [name, schema] of Object.entries(components)) {
  const example = spec.components.schemas[name]?.example
  if (example !== undefined) examples.push({ where: `components.${name}`, schema, value: example })
}

describe("key and guardrail spec examples", () => {
  it("covers all 19 key and guardrail operations and their components", () => {
    expect(covered.size).toBe(19)
    expect(examples.filter((e) => e.where.startsWith("components.")).length).toBe(Object.keys(components).length)
  })

  for (const { schema, value, where } of examples) {
    it(`${where} decodes`, () => {
      const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })(value)
      if (Either.isLeft(decoded)) throw new Error(String(decoded.left))
    })
  }

  it("the created key's secret decodes to Redacted and never prints", () => {
    const created = examples.find((e) => e.where === "POST /keys 201")!
    const secret = (created.value as { key: string }).key
    const decoded = Schema.decodeUnknownSync(K.CreateKeyResponse)(created.value)
    expect(Redacted.value(decoded.key)).toBe(secret)
    for (const shown of [String(decoded), JSON.stringify(decoded), String(decoded.key), JSON.stringify(decoded.key)]) {
      expect(shown).not.toContain(secret)
    }
  })

  it("accepts documented nulls and unknown fields, fails on a missing required field", () => {
    const key = (examples.find((e) => e.where === "GET /keys/{hash} 200")!.value as { data: any }).data
    const decode = Schema.decodeUnknownEither(K.ApiKey)
    const lenient = decode({ ...key, expires_at: null, limit: null, limit_reset: null, brand_new_field: 1 })
    expect(Either.isRight(lenient)).toBe(true)
    const { hash: _, ...withoutHash } = key
    expect(Either.isLeft(decode(withoutHash))).toBe(true)

    const guardrail = (examples.find((e) => e.where === "GET /guardrails/{id} 200")!.value as { data: any }).data
    const legacy = Schema.decodeUnknownEither(G.Guardrail)({ ...guardrail, workspace_id: null })
    expect(Either.isRight(legacy) && legacy.right.workspaceId).toBe(null)
  })
})

describe("request validation", () => {
  const createKey = Schema.decodeUnknownEither(K.CreateKeyRequest)
  const createGuardrail = Schema.decodeUnknownEither(G.CreateGuardrailRequest)
  const assignMembers = Schema.decodeUnknownEither(G.BulkMemberAssignmentsRequest)

  it("expires_at is an ISO date-time with seconds in UTC", () => {
    const at = (expires_at: unknown) => Either.isRight(createKey({ name: "ci", expires_at }))
    expect(at("2027-12-31T23:59:59Z")).toBe(true)
    expect(at("2027-12-31T23:59:59.123Z")).toBe(true)
    expect(at(null)).toBe(true)
    expect(at("2027-12-31T23:59Z")).toBe(false)
    expect(at("2027-12-31")).toBe(false)
    expect(at("2027-12-31T23:59:59+02:00")).toBe(false)
    expect(at("2027-13-45T23:59:59Z")).toBe(false)
  })

  it("limit_reset is daily, weekly, monthly or null; names are not empty; workspace ids are UUIDs", () => {
    expect(Either.isRight(createKey({ name: "ci", limit_reset: null }))).toBe(true)
    expect(Either.isLeft(createKey({ name: "ci", limit_reset: "yearly" }))).toBe(true)
    expect(Either.isLeft(createKey({ name: "" }))).toBe(true)
    expect(Either.isLeft(createKey({ name: "ci", workspace_id: "production" }))).toBe(true)
    expect(Either.isLeft(createGuardrail({ name: "x".repeat(201) }))).toBe(true)
    expect(Either.isLeft(createGuardrail({ name: "ok", description: "x".repeat(1001) }))).toBe(true)
    expect(Either.isLeft(createGuardrail({ name: "ok", allowed_providers: [] }))).toBe(true)
    expect(Either.isRight(createGuardrail({ name: "ok", allowed_providers: null }))).toBe(true)
  })

  it("id lists are not empty and hold no empty id", () => {
    expect(Either.isLeft(assignMembers({ member_user_ids: [] }))).toBe(true)
    expect(Either.isLeft(assignMembers({ member_user_ids: [""] }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(G.BulkKeyAssignmentsRequest)({ key_hashes: [] }))).toBe(true)
  })
})

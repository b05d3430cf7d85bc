/**
 * Every example in the contract for the operations added with issue 16 (activity, analytics, credits,
 * BYOK, SCIM, observability) decodes: responses with the success schema of the operation's declaration,
 * request bodies with its body fields (the validation accepts what the contract shows; a secret in an
 * example body is a plain string on the wire), and error bodies as error bodies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import * as Activity from "../src/Activity.ts"
import * as A from "../src/ActivityDomain.ts"
import * as Analytics from "../src/Analytics.ts"
import * as Credits from "../src/Credits.ts"
import { ErrorResponse } from "../src/Domain.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"

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
  getCredits: Credits.operations.get
}

/** Components with examples of their own. */
const components: Record<string, AnySchema> = {
  ActivityItem: A.ActivityItem,
  ActivityResponse: A.ActivityResponse
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

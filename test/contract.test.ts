/**
 * Every declared operation against the contract file (`spec/openrouter-openapi.yaml`): its method and
 * path exist, its documented error statuses are exactly the contract's, its path, query and body
 * fields carry the contract's wire names, and every operation of the contract is declared.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import type * as AST from "effect/SchemaAST"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import * as Activity from "../src/Activity.ts"
import * as Analytics from "../src/Analytics.ts"
import * as Byok from "../src/Byok.ts"
import * as Credits from "../src/Credits.ts"
import * as Files from "../src/Files.ts"
import * as Guardrails from "../src/Guardrails.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"
import * as Keys from "../src/Keys.ts"
import * as Observability from "../src/Observability.ts"
import * as Organization from "../src/Organization.ts"
import * as Scim from "../src/Scim.ts"
import * as Workspaces from "../src/Workspaces.ts"

interface SpecOperation {
  readonly operationId: string
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }>
  readonly requestBody?: { readonly content: Record<string, { readonly schema: any }> }
  readonly responses: Record<string, unknown>
}
const spec = parse(readFileSync(fileURLToPath(new URL("../spec/openrouter-openapi.yaml", import.meta.url)), "utf8")) as {
  readonly paths: Record<string, Record<string, SpecOperation>>
  readonly components: { readonly schemas: Record<string, any> }
}

/** Every declaration of the client, by its span name. */
export const declarations: ReadonlyArray<AnyDeclaration> = [
  ...Object.values(Workspaces.operations),
  ...Object.values(Organization.operations),
  ...Object.values(Files.declarations),
  ...Object.values(Keys.operations),
  ...Object.values(Guardrails.operations),
  ...Object.values(Activity.operations),
  ...Object.values(Analytics.operations),
  ...Object.values(Credits.operations),
  ...Object.values(Byok.operations),
  ...Object.values(Scim.operations),
  ...Object.values(Observability.operations)
]

/** `/workspaces/{id}/budgets/{interval}` and `/workspaces/:id/budgets/:interval` both become `/workspaces/{}/budgets/{}`. */
const shapeOf = (path: string) => path.replace(/\{[^}]+\}/g, "{}").replace(/:[A-Za-z]+/g, "{}")

const contract = new Map<string, { readonly path: string; readonly operation: SpecOperation }>(
  Object.entries(spec.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => [`${method.toUpperCase()} ${shapeOf(path)}`, { path, operation }] as const)
  )
)

const resolve = (schema: any): any => schema?.$ref ? spec.components.schemas[schema.$ref.split("/").at(-1)] : schema

/** The wire names of a declaration's fields (their encoded side). */
const wireNames = (fields: Schema.Struct.Fields) =>
  (Schema.encodedSchema(Schema.Struct(fields)).ast as AST.TypeLiteral).propertySignatures.map((p: AST.PropertySignature) => String(p.name))

describe("the declarations match the contract", () => {
  for (const declaration of declarations) {
    const key = `${declaration.method} ${shapeOf(declaration.template)}`
    it(`${declaration.name}: ${declaration.method} ${declaration.template}`, () => {
      const found = contract.get(key)
      expect(found, `${key} is not in the contract`).toBeDefined()
      const { operation, path } = found!
      const documented = Object.keys(operation.responses).filter((s) => /^[45]\d\d$/.test(s)).map(Number).sort()
      expect(declaration.errors.map((e) => e.status).sort(), "documented error statuses").toEqual(documented)

      const parameters = operation.parameters ?? []
      const inPath = parameters.filter((p) => p.in === "path").map((p) => p.name)
      expect(Object.keys(declaration.pathFields).length, "path parameters").toBe(inPath.length)
      expect(path.match(/\{[^}]+\}/g)?.length ?? 0).toBe(inPath.length)
      const inQuery = parameters.filter((p) => p.in === "query").map((p) => p.name).sort()
      expect(wireNames(declaration.queryFields).sort(), "query parameters").toEqual(inQuery)

      const body = resolve(operation.requestBody?.content["application/json"]?.schema)
      const bodyFields = Object.keys(declaration.bodyFields)
      if (body === undefined) expect(bodyFields, "no JSON body").toEqual([])
      else {
        const properties = Object.keys(body.properties ?? {}).sort()
        expect(wireNames(declaration.bodyFields).sort(), "body fields").toEqual(properties)
      }
    })
  }

  it("every operation of the contract is declared, once", () => {
    const declared = declarations.map((d) => `${d.method} ${shapeOf(d.template)}`)
    expect(new Set(declared).size, "no route declared twice").toBe(declared.length)
    expect([...contract.keys()].filter((key) => !declared.includes(key)), "undeclared").toEqual([])
    expect(contract.size).toBe(57)
    expect(declared.length).toBe(57)
  })
})

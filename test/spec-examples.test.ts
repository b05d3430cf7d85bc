/**
 * Every example response in the contract for the workspace and organization operations decodes with
 * the schema the client uses for it; error examples decode as error bodies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { ErrorResponse, Workspace } from "../src/Domain.ts"
import * as Organization from "../src/Organization.ts"
import * as Workspaces from "../src/Workspaces.ts"

const specPath = fileURLToPath(new URL("../spec/openrouter-openapi.yaml", import.meta.url))
const spec = parse(readFileSync(specPath, "utf8")) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, any> }>>
}

const byOperationId: Record<string, { readonly decode: (u: unknown) => any }> = {
  listWorkspaces: Workspaces.operations.list,
  createWorkspace: Workspaces.operations.create,
  getWorkspace: Workspaces.operations.get,
  updateWorkspace: Workspaces.operations.update,
  deleteWorkspace: Workspaces.operations.delete,
  listWorkspaceBudgets: Workspaces.operations.listBudgets,
  getWorkspaceBudget: Workspaces.operations.getBudget,
  upsertWorkspaceBudget: Workspaces.operations.setBudget,
  deleteWorkspaceBudget: Workspaces.operations.deleteBudget,
  listWorkspaceMembers: Workspaces.operations.listMembers,
  bulkAddWorkspaceMembers: Workspaces.operations.bulkAddMembers,
  bulkRemoveWorkspaceMembers: Workspaces.operations.bulkRemoveMembers,
  listOrganizationMembers: Organization.operations.listMembers
}

const examples = Object.values(spec.paths).flatMap((ops) =>
  Object.values(ops).flatMap((op) =>
    op.operationId in byOperationId
      ? Object.entries(op.responses).flatMap(([status, response]) => {
        const example = response?.content?.["application/json"]?.example
        return example === undefined ? [] : [{ operationId: op.operationId, status, example }]
      })
      : []
  )
)

describe("spec examples", () => {
  it("covers all 13 workspace and organization operations", () => {
    expect(new Set(examples.map((e) => e.operationId)).size).toBe(13)
  })

  for (const { example, operationId, status } of examples) {
    it.effect(`${operationId} ${status} decodes`, () =>
      (status.startsWith("2")
        ? byOperationId[operationId]!.decode(example)
        : Schema.decodeUnknown(ErrorResponse)(example)) as any)
  }

  it("accepts unknown extra fields and documented nulls, and fails on a missing required field", () => {
    const example = examples.find((e) => e.operationId === "getWorkspace" && e.status === "200")!.example.data
    const decode = Schema.decodeUnknownEither(Workspace)
    const withExtras = decode({ ...example, brand_new_field: 1, description: null, updated_at: null })
    expect(Either.isRight(withExtras)).toBe(true)
    if (Either.isRight(withExtras)) {
      expect(withExtras.right.description).toBeNull()
      expect(withExtras.right.defaultTextModel).toBe(example.default_text_model)
    }
    const { slug: _, ...withoutSlug } = example
    expect(Either.isLeft(decode(withoutSlug))).toBe(true)
  })
})

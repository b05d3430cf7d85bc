/**
 * Library errors speak library (spec fields, options); the CLI says them in flag terms.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { names } from "../src/cli/job-commands.ts"
import { inFlagTerms } from "../src/cli/job-runner.ts"
import { headerLines, initialState } from "../src/cli/progress.ts"
import { ForbiddenResponseError } from "../src/Errors.ts"
import { Counts, Offboarding, Specs } from "../src/jobs/index.ts"

const issueOf = (schema: Parameters<typeof Specs.decode>[0], kind: string, input: unknown) =>
  Effect.flip(Specs.decode(schema, kind)(input)).pipe(Effect.map((error) => String(error.issue)))

describe("job messages", () => {
  it.effect("a spec's refusal names its fields, never a flag", () =>
    Effect.gen(function*() {
      const files = yield* issueOf(Specs.FileCleanupSpec, "file-cleanup", {})
      expect(files).toContain("add a filter (olderThan, name, mimeType, …) or all: true")
      const keys = yield* issueOf(Specs.KeyHygieneSpec, "key-hygiene", { workspaces: ["engineering"] })
      expect(keys).toContain("or allKeys: true")
      const sizes = yield* issueOf(Specs.FileCleanupSpec, "file-cleanup", { minSize: 3, maxSize: 1 })
      expect(sizes).toContain("minSize (3) is larger than maxSize (1)")
      for (const issue of [files, keys, sizes]) expect(issue).not.toMatch(/--[a-z]/)
    }))

  it.effect("the CLI says the same refusals with its flags", () =>
    Effect.gen(function*() {
      const files = yield* issueOf(Specs.FileCleanupSpec, "file-cleanup", {})
      expect(inFlagTerms(names.flags("file-cleanup"), files)).toContain("add a filter (--older-than, --name, --mime, …) or --all")
      const keys = yield* issueOf(Specs.KeyHygieneSpec, "key-hygiene", { workspaces: ["engineering"] })
      expect(inFlagTerms(names.flags("key-hygiene"), keys)).toContain(
        "add one (--orphaned, --expired, --over-limit, --name, --label) or --all-keys"
      )
      const sizes = yield* issueOf(Specs.FileCleanupSpec, "file-cleanup", { minSize: 3, maxSize: 1 })
      expect(inFlagTerms(names.flags("file-cleanup"), sizes)).toContain("--min-size (3) is larger than --max-size (1)")
      // words that are not fields stay as they are
      expect(inFlagTerms(names.flags("file-cleanup"), "the name (a, b) is taken")).toBe("the name (a, b) is taken")
    }))
})

describe("one and many", () => {
  const item = (kind: "user" | "membership" | "key") => ({ kind, outcome: "failed" as const })
  it("counts in one phrase name each unit, singular for one", () => {
    expect(Counts.phrase([item("user")])).toBe("1 user")
    expect(Counts.phrase([item("membership"), item("membership"), item("key")])).toBe("2 memberships and 1 key")
    expect(Counts.phrase([item("membership"), item("key"), item("user")])).toBe("1 membership, 1 key and 1 user")
  })

  it("the progress header: 1 change in 1 operation", () => {
    const state = { ...initialState(0), jobId: "offboarding-x", kind: "offboarding", unit: "changes", items: 1, operations: 1 }
    expect(headerLines(state, undefined, 200)).toEqual(["offboarding-x: 1 change in 1 operation"])
    expect(headerLines({ ...state, items: 2, operations: 0 }, undefined, 200)).toEqual(["offboarding-x: 2 changes in 0 operations"])
  })

  it("the default workspace: 1 membership stays, 2 memberships stay", () => {
    const plan = (stays: Array<string>) =>
      new Offboarding.OffboardingPlan({
        spec: new Specs.OffboardingSpec({ users: stays, workspaces: ["default"] }),
        workspaces: [
          new Offboarding.WorkspacePlan({
            ref: "default",
            slug: "default",
            workspaceId: "w",
            isDefault: true,
            chunks: [],
            unchanged: [],
            stays,
            keys: [],
            unassign: []
          })
        ],
        problems: [],
        calls: 0
      })
    expect(Offboarding.describe(plan(["user_1"]))).toContain("  = default: 1 membership stays (default workspace)")
    expect(Offboarding.describe(plan(["user_1", "user_2"]))).toContain("  = default: 2 memberships stay (default workspace)")
  })
})

describe("the 403 hint", () => {
  it("names the management key as one possibility, without saying this key is an inference key", () => {
    const error = new ForbiddenResponseError({
      operation: "Workspaces.delete",
      method: "DELETE",
      path: "/workspaces/default",
      status: 403,
      serverMessage: "Forbidden"
    } as any)
    expect(error.message).toContain("needs a management key")
    expect(error.message).not.toContain("an inference key is not enough")
  })
})

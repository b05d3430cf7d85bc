/**
 * Library errors speak library (spec fields, options); the CLI says them in flag terms.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { names } from "../src/cli/job-commands.ts"
import { inFlagTerms } from "../src/cli/job-runner.ts"
import { Specs } from "../src/jobs/index.ts"

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

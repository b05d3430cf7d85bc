/**
 * The organisation file: one Schema, read from YAML or JSON, every error with its line and column,
 * and the checks that need no server (duplicates, budgets out of order, unknown people lists).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as OrgSpec from "../src/jobs/OrgSpec.ts"

const issuesOf = (text: string, source?: string) =>
  Effect.map(Effect.flip(OrgSpec.parse(text, source)), (error) => error.issues.map((i) => ({ ...i })))

const file = `version: 1
people:
  data-science: [ada@example.com, grace@example.com]
workspaces:
  engineering:
    name: Engineering
    description: The engineering team
    defaultTextModel: openai/gpt-4o
    budgets: { daily: 25, monthly: 500, lifetime: 5000 }
    members: [linus@example.com, user_2dHFtVJpQ, people:data-science]
    guardrails:
      eu-only:
        limitUsd: 100
        resetInterval: monthly
        allowedProviders: [mistral]
        members: [ada@example.com]
prune:
  members: true
protect: [default, "ops-*"]
`

describe("OrgSpec", () => {
  it.effect("reads the file of the issue: camelCase, people lists, prune, protect", () =>
    Effect.gen(function*() {
      const spec = yield* OrgSpec.parse(file)
      expect(spec.workspaces.engineering!.budgets).toEqual({ daily: 25, monthly: 500, lifetime: 5000 })
      expect(OrgSpec.expand(spec, spec.workspaces.engineering!.members!)).toEqual([
        "linus@example.com",
        "user_2dHFtVJpQ",
        "ada@example.com",
        "grace@example.com"
      ])
      expect(spec.prune).toEqual({ members: true })
      expect(spec.protect).toEqual(["default", "ops-*"])
    }))

  it.effect("JSON is read by the same parser, with lines and columns too", () =>
    Effect.gen(function*() {
      const spec = yield* OrgSpec.parse(JSON.stringify({ version: 1, workspaces: { a: { members: ["ada@example.com"] } } }), "org.json")
      expect(Object.keys(spec.workspaces)).toEqual(["a"])
      const issues = yield* issuesOf(`{\n  "version": 1,\n  "workspaces": {\n    "a": { "members": ["x"] }\n  }\n}`, "org.json")
      expect(issues).toEqual([{ path: "workspaces.a.members.0", line: 4, column: 24, message: expect.stringContaining("\"x\" is neither") }])
    }))

  it.effect("a schema error names its line and column, and the message names the file", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(OrgSpec.parse(file.replace("    name: Engineering\n", "    name: Engineering\n    memebers: []\n")))
      expect(error.issues).toHaveLength(1)
      expect(error.issues[0]).toMatchObject({ path: "workspaces.engineering.memebers", line: 7, column: 5 })
      expect(error.message).toContain("org.yaml:7:5: workspaces.engineering.memebers: is unexpected")
      expect(error.message).toContain("nothing was changed")
    }))

  it.effect("a slug that is not one, and a wrong version, each at their line", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf("version: 2\nworkspaces:\n  Team_A: {}\n")
      expect(issues.map((i) => [i.path, i.line, i.column])).toEqual([["version", 1, 1], ["workspaces.Team_A", 3, 3]])
      expect(issues[1]!.message).toContain("is not a workspace slug")
    }))

  it.effect("budgets out of order are refused before any request", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf(file.replace("daily: 25, monthly: 500", "daily: 600, monthly: 500"))
      expect(issues).toEqual([{
        path: "workspaces.engineering.budgets",
        line: 9,
        column: 5,
        message: expect.stringContaining("monthly (500) ≤ daily (600)")
      }])
    }))

  it.effect("a member listed twice, directly or through a people list, case-insensitively", () =>
    Effect.gen(function*() {
      const twice = yield* issuesOf(file.replace("[linus@example.com,", "[linus@example.com, Linus@Example.com,"))
      expect(twice).toEqual([{ path: "workspaces.engineering.members.1", line: 10, column: 34, message: expect.stringContaining("listed twice") }])
      const through = yield* issuesOf(file.replace("[linus@example.com,", "[ada@example.com,"))
      expect(through[0]!.message).toBe("ada@example.com (through people:data-science) is listed twice (also at workspaces.engineering.members.0)")
    }))

  it.effect("a guardrail name written twice in a workspace is a duplicate key, at its line", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf(file.replace("      eu-only:\n", "      eu-only: {}\n      eu-only:\n"))
      expect(issues).toEqual([{ path: "", line: 13, column: 7, message: expect.stringContaining("written twice") }])
    }))

  it.effect("an unknown people list, a guardrail member outside the workspace, two guardrails for one member", () =>
    Effect.gen(function*() {
      const unknown = yield* issuesOf(file.replace("people:data-science]", "people:data-sceince]"))
      expect(unknown[0]!.message).toBe("people:data-sceince names no list under people (lists: data-science)")
      const outside = yield* issuesOf(file.replace("members: [ada@example.com]", "members: [bob@example.com]"))
      expect(outside).toEqual([{
        path: "workspaces.engineering.guardrails.eu-only.members.0",
        line: 16,
        column: 19,
        message: expect.stringContaining("not among the members of engineering")
      }])
      const two = yield* issuesOf(
        file.replace(
          "        members: [ada@example.com]\n",
          "        members: [ada@example.com]\n      strict:\n        members: [ada@example.com]\n"
        )
      )
      expect(two[0]!.message).toContain("also a member of guardrail eu-only")
    }))

  it.effect("syntax errors name their line", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf("version: 1\nworkspaces:\n  a: [\n")
      expect(issues.length).toBeGreaterThan(0)
      expect(issues[0]!.line).toBeGreaterThanOrEqual(3)
    }))

  it("the JSON Schema comes from the same Schema: camelCase fields, slugs, closed objects", () => {
    const schema = OrgSpec.jsonSchema() as any
    expect(schema.required).toEqual(["version", "workspaces"])
    expect(schema.additionalProperties).toBe(false)
    const workspace = schema.$defs.WorkspaceSpec
    expect(Object.keys(workspace.properties)).toEqual(expect.arrayContaining(["defaultTextModel", "budgets", "members", "guardrails"]))
    expect(workspace.additionalProperties).toBe(false)
    expect(schema.$defs.Slug.pattern).toBe("^[a-z0-9]+(?:-[a-z0-9]+)*$")
    const member = new RegExp(schema.$defs.MemberRef.pattern)
    expect(["ada@example.com", "user_2dHFt", "people:data-science"].every((s) => member.test(s))).toBe(true)
    expect(member.test("ada")).toBe(false)
  })

  it.effect("decode takes the encoded form from code; encode gives it back", () =>
    Effect.gen(function*() {
      const spec = yield* OrgSpec.parse(file)
      const again = yield* OrgSpec.decode(OrgSpec.encode(spec))
      expect(OrgSpec.encode(again)).toEqual(OrgSpec.encode(spec))
      const error = yield* Effect.flip(OrgSpec.decode({ version: 1, workspaces: { a: { budgets: { daily: -1 } } } }))
      expect(error.source).toBe("input")
      expect(error.issues[0]!.path).toBe("workspaces.a.budgets.daily")
    }))
})

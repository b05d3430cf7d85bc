/**
 * Selections match only what was named: a workspace selector is an exact id, an exact slug, or a glob
 * over slugs and names — never over ids (a property over random workspaces and globs).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck } from "effect"
import { globMatcher, isGlob, select } from "../src/jobs/Selection.ts"

const hex = (n: number) => FastCheck.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`))
const uuid = FastCheck.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join("-"))
const slug = FastCheck.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)
const name = FastCheck.stringMatching(/^[A-Z][a-z]{0,8}( [A-Z][a-z]{0,6})?$/)
const workspaces = FastCheck.uniqueArray(FastCheck.record({ id: uuid, slug, name }), {
  minLength: 1,
  maxLength: 12,
  selector: (w) => w.slug
})
/** Globs built from pieces of slugs, names and ids (ids' letters too: they must never select by id). */
const globFrom = (pieces: ReadonlyArray<string>) =>
  FastCheck.tuple(
    FastCheck.constantFrom(...pieces),
    FastCheck.nat({ max: 6 }),
    FastCheck.constantFrom("*", "?*", "*-*", "")
  ).map(([piece, cut, tail]) => `${piece.slice(0, cut)}${tail === "" ? "*" : tail}`)

describe("workspace selection", () => {
  it("property: no glob selects a workspace whose slug and name it does not match; ids match only exactly", () =>
    FastCheck.assert(
      FastCheck.property(
        workspaces.chain((all) =>
          FastCheck.tuple(
            FastCheck.constant(all),
            FastCheck.array(globFrom(all.flatMap((w) => [w.slug, w.name, w.id, w.id.slice(0, 2)])), { minLength: 1, maxLength: 3 })
          )
        ),
        ([all, globs]) => {
          const result = select("test", all, globs)
          const matchesSomething = globs.every((g) => all.some((w) => globMatcher(g)(w.slug) || globMatcher(g)(w.name)))
          if (!matchesSomething) return Either.isLeft(result)
          if (Either.isLeft(result)) return false
          const selected = result.right.selected
          for (const w of selected) {
            if (!globs.some((g) => globMatcher(g)(w.slug) || globMatcher(g)(w.name))) return false
          }
          // and everything whose slug or name matches is selected
          const ids = new Set(selected.map((w) => w.id))
          return all.every((w) => ids.has(w.id) === globs.some((g) => globMatcher(g)(w.slug) || globMatcher(g)(w.name)))
        }
      ),
      { seed: 14, numRuns: 300 }
    ))

  const all = [
    { id: "d1f0c2a4-0000-4000-8000-000000000001", slug: "sales", name: "Sales" },
    { id: "d9e8f7a6-0000-4000-8000-000000000002", slug: "platform", name: "Platform Team" },
    { id: "fb12aa00-0000-4000-8000-000000000003", slug: "legal", name: "Legal" },
    { id: "0a0b0c0d-0000-4000-8000-000000000004", slug: "research", name: "R&D" }
  ]
  const slugs = (scope: ReadonlyArray<string>) => Either.map(select("test", all, scope), (s) => s.selected.map((w) => w.slug))

  it("a glob never matches an id (the issue's 'd*' and 'f*')", () => {
    expect(Either.isLeft(select("test", all, ["d*"]))).toBe(true)
    expect(Either.isLeft(select("test", all, ["f*"]))).toBe(true)
  })

  it("exact ids and slugs, globs over names", () => {
    expect(slugs([all[0]!.id])).toEqual(Either.right(["sales"]))
    expect(slugs(["legal"])).toEqual(Either.right(["legal"]))
    expect(slugs(["Platform*"])).toEqual(Either.right(["platform"]))
    expect(slugs(["R&*", "s*"])).toEqual(Either.right(["research", "sales"]))
    expect(slugs(["{legal,sales}"])).toEqual(Either.right(["sales", "legal"]))
    expect(isGlob("{legal,sales}")).toBe(true)
    expect(isGlob("team-a")).toBe(false)
  })

  it("a name given where a slug is expected says which slug it has", () => {
    const result = select("test", all, ["Platform Team"])
    expect(Either.isLeft(result) && result.left.message).toContain(`"Platform Team" is the name of platform`)
  })

  it("with create, an exact slug that matches nothing is missing; a glob never creates", () => {
    expect(Either.map(select("test", all, ["new-team"], { create: true }), (s) => s.missing)).toEqual(Either.right(["new-team"]))
    expect(Either.isLeft(select("test", all, ["new-*"], { create: true }))).toBe(true)
  })
})

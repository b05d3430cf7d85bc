/**
 * The jobs' public API against invalid input: thousands of random values (wrong types, null, NaN,
 * huge strings, control characters, near-misses of valid specs) — every one a typed
 * `InvalidRequestError`, no defect, no request. And for specs the decoder accepts, plans never
 * select anything outside them.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, FastCheck, Layer, Schema } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { BudgetPolicy, FileCleanup, Journal, KeyHygiene, Offboarding, Onboarding, Specs, UsersFile } from "../src/jobs/index.ts"
import { globMatcher } from "../src/jobs/Selection.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const layer = Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(
  Layer.provideMerge(servicesLayer({ organization: { members: 120 }, files: { count: 60 } })),
  Layer.merge(Journal.layer(join(mkdtempSync(join(tmpdir(), "specs-")), "j.sqlite")))
)

const nasty = FastCheck.oneof(
  FastCheck.anything(),
  FastCheck.constantFrom(null, undefined, NaN, Infinity, -1, 0, "", " ", "\u0000", "a".repeat(100_000), [], {}, [""], ["\n"]),
  FastCheck.string({ unit: "binary", maxLength: 40 })
)
/** Near-misses: a valid spec with one field replaced by something nasty. */
const nearMiss = (valid: Record<string, unknown>) =>
  FastCheck.tuple(FastCheck.constantFrom(...Object.keys(valid), "unexpected"), nasty).map(([key, value]) => ({ ...valid, [key]: value }))

const jobs = [
  {
    name: "Onboarding",
    valid: { users: ["user_a"], workspaces: ["research"] },
    schema: Specs.OnboardingSpec,
    plan: Onboarding.plan,
    apply: Onboarding.apply
  },
  {
    name: "Offboarding",
    valid: { users: ["a@b.co"], workspaces: ["research"] },
    schema: Specs.OffboardingSpec,
    plan: Offboarding.plan,
    apply: Offboarding.apply
  },
  {
    name: "BudgetPolicy",
    valid: { budgets: { monthly: 5 }, workspaces: "all" },
    schema: Specs.BudgetPolicySpec,
    plan: BudgetPolicy.plan,
    apply: BudgetPolicy.apply
  },
  { name: "FileCleanup", valid: { olderThan: "30d" }, schema: Specs.FileCleanupSpec, plan: FileCleanup.plan, apply: FileCleanup.apply },
  { name: "KeyHygiene", valid: { workspaces: "all", expired: true }, schema: Specs.KeyHygieneSpec, plan: KeyHygiene.plan, apply: KeyHygiene.apply }
] as const

describe("jobs' public API, fuzzed", () => {
  for (const job of jobs) {
    it.scopedLive(`${job.name}: every invalid input is an InvalidRequestError, never a defect or a request`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const accepts = Schema.is(job.schema as Schema.Schema<unknown, unknown>)
        const decodes = (u: unknown) => Either.isRight(Schema.decodeUnknownEither(job.schema as any, { onExcessProperty: "error" })(u))
        const inputs = FastCheck.sample(FastCheck.oneof(nasty, nearMiss(job.valid)), { numRuns: 1500, seed: 7 })
          .filter((u) => !decodes(u) && !accepts(u))
        expect(inputs.length).toBeGreaterThan(1000)
        for (const input of inputs) {
          for (const call of [job.plan(input as any), job.apply(input as any)] as Array<Effect.Effect<unknown, any>>) {
            const exit = yield* Effect.exit(call)
            if (!(Exit.isFailure(exit) && Cause.isFailType(exit.cause) && exit.cause.error._tag === "InvalidRequestError")) {
              expect.fail(
                `${job.name}(${String(JSON.stringify(input)).slice(0, 80)}) gave ${
                  Exit.isFailure(exit) ? Cause.pretty(exit.cause).slice(0, 300) : "success"
                }`
              )
            }
          }
        }
        // invalid options too: rate and concurrency must be ≥ 1
        for (const options of [{ rate: 0 }, { concurrency: 0 }, { rate: NaN }, { concurrency: -3 }]) {
          const error = yield* Effect.flip(job.plan(job.valid as any, options as any) as Effect.Effect<unknown, any>)
          expect(error._tag).toBe("InvalidRequestError")
        }
        expect(yield* sim.requests).toHaveLength(0)
      }).pipe(Effect.provide(layer)), 120_000)
  }

  it.effect("users files: garbage is a typed error with its line, never a defect", () =>
    Effect.gen(function*() {
      const texts = FastCheck.sample(FastCheck.string({ unit: "binary", maxLength: 200 }), { numRuns: 2000, seed: 3 })
      for (const text of texts) {
        const exit = yield* Effect.exit(UsersFile.parseUsers(text))
        if (Exit.isFailure(exit)) expect(Cause.isFailType(exit.cause) && exit.cause.error._tag).toBe("UsersFileError")
        else for (const user of exit.value) expect(/^user_|@/.test(user)).toBe(true)
      }
      const error = yield* Effect.flip(UsersFile.parseUsers("email\nada@example.com\nnot-an-email\n"))
      expect(error.message).toContain("line 3")
    }))
})

describe("property: a plan never selects outside its spec", () => {
  it.scopedLive("budgets and memberships touch only the workspaces their names and globs match", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const slugs = sim.state.workspaces().map((w) => w.slug)
      const globs = FastCheck.sample(
        FastCheck.uniqueArray(FastCheck.constantFrom(...slugs, "*", "r*", "s*", "*ing", "?ales", "team-*"), { minLength: 1, maxLength: 3 }),
        { numRuns: 25, seed: 11 }
      )
      const members = sim.state.members().map((m) => m.id)
      for (const workspaces of globs) {
        const glob = (g: string) => new RegExp(`^${g.replace(/\*/g, ".*").replace(/\?/g, ".")}$`)
        const matches = (slug: string) => workspaces.some((g) => glob(g).test(slug))
        const budget = yield* Effect.either(BudgetPolicy.plan({ budgets: { daily: 1, monthly: 9 }, workspaces }))
        const onboard = yield* Effect.either(Onboarding.plan({ users: members.slice(0, 30), workspaces }))
        if (workspaces.every((g) => slugs.some((slug) => glob(g).test(slug)))) {
          expect(Either.isRight(budget) && budget.right.workspaces.every((w) => matches(w.slug))).toBe(true)
          expect(Either.isRight(onboard) && onboard.right.workspaces.every((w) => matches(w.slug))).toBe(true)
          if (Either.isRight(onboard)) {
            expect(onboard.right.workspaces.flatMap((w) => w.chunks.flat()).every((id) => members.slice(0, 30).includes(id))).toBe(true)
          }
        } else {
          // a name or glob that matches nothing is an error, never "nothing" or "everything"
          expect(Either.isLeft(budget) && budget.left._tag).toBe("InvalidRequestError")
          expect(Either.isLeft(onboard) && onboard.left._tag).toBe("InvalidRequestError")
        }
      }
      expect((yield* sim.requests).filter((r) => r.method !== "GET")).toHaveLength(0)
    }).pipe(Effect.provide(layer)), 120_000)
})

describe("globs (picomatch)", () => {
  it("match names, slugs and MIME types as people write them; a leading ! is literal", () => {
    const cases: ReadonlyArray<readonly [string, string, boolean]> = [
      ["*.tmp", "cache-1.tmp", true],
      ["*.tmp", ".hidden.tmp", true],
      ["*.tmp", "cache-1.tmp.bak", false],
      ["text/*", "text/plain", true],
      ["text/*", "application/json", false],
      ["*", "text/plain", true],
      ["team-?", "team-a", true],
      ["team-?", "team-ab", false],
      ["cache-{1,2}.tmp", "cache-2.tmp", true],
      ["cache-{1,2}.tmp", "cache-3.tmp", false],
      ["[ab]*", "beta", true],
      ["!*.pdf", "report.txt", false],
      ["!*.pdf", "!x.pdf", true]
    ]
    for (const [glob, text, expected] of cases) expect(globMatcher(glob)(text), `${glob} ~ ${text}`).toBe(expected)
  })
})

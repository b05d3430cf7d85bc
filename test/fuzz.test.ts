/**
 * Thousands of invalid inputs to every public service method — wrong types, null, NaN, huge strings,
 * control characters: each fails with a typed `InvalidRequestError`, never a defect, and nothing is
 * sent (the simulator records no request).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Layer, Stream } from "effect"
import * as Activity from "../src/Activity.ts"
import * as Analytics from "../src/Analytics.ts"
import * as Byok from "../src/Byok.ts"
import * as Credits from "../src/Credits.ts"
import * as FilesModule from "../src/Files.ts"
import * as Guardrails from "../src/Guardrails.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"
import * as Keys from "../src/Keys.ts"
import * as Observability from "../src/Observability.ts"
import * as Organization from "../src/Organization.ts"
import * as Scim from "../src/Scim.ts"
import * as Workspaces from "../src/Workspaces.ts"
import { recorded, servicesLayer } from "./support.ts"

/** Values that no field of any operation accepts. */
const invalidValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5, {}, [], "", "x".repeat(100_000), "\u0000", "a\u0007b"),
  fc.integer({ max: -1 }),
  fc.double().filter((n) => !Number.isInteger(n)),
  fc.string({ minLength: 1 }).map((s) => `\u0001${s}`),
  fc.array(fc.anything(), { maxLength: 3 }).map((a) => [...a, Symbol("x")]),
  fc.object({ maxDepth: 1 })
)
/** Anything that is not an options object. */
const notAnObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, Number.NaN, 0, "", "team-a", true, [], [{ id: "x" }]),
  fc.integer(),
  fc.string()
)

const fieldsOf = (declaration: AnyDeclaration) => [
  ...Object.keys(declaration.pathFields),
  ...Object.keys(declaration.queryFields),
  ...Object.keys(declaration.bodyFields)
]

/** An input for a method whose every known field holds an invalid value (so no field can make it valid). */
const inputFor = (fields: ReadonlyArray<string>) =>
  fc.oneof(
    notAnObject,
    fc.record(Object.fromEntries(fields.map((field) => [field, invalidValue])))
  )

type Call = (input: unknown) => Effect.Effect<unknown, unknown> | Stream.Stream<unknown, unknown>
const run = (call: Call, input: unknown) =>
  Effect.suspend(() => {
    const result = call(input)
    return Effect.isEffect(result) ? result : Stream.runDrain(Stream.take(result as Stream.Stream<unknown, unknown>, 1))
  })

/** Every input fails with InvalidRequestError (never a defect). */
const expectRejected = (name: string, call: Call, fields: ReadonlyArray<string>, runs = 150) =>
  Effect.gen(function*() {
    const inputs = fc.sample(inputFor(fields), { numRuns: runs, seed: 42 })
    for (const input of inputs) {
      const exit = yield* Effect.exit(run(call, input))
      if (Exit.isSuccess(exit) || !Cause.isFailType(exit.cause)) {
        throw new Error(
          `${name}(${String(JSON.stringify(input))?.slice(0, 200)}) gave ${Exit.isSuccess(exit) ? "a success" : Cause.pretty(exit.cause)}`
        )
      }
      expect((exit.cause.error as { _tag: string })._tag, name).toBe("InvalidRequestError")
    }
    return inputs.length
  })

describe("fuzzing the services' inputs", () => {
  it.live("every method rejects invalid input with a typed error and sends nothing", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces.Workspaces
      const organization = yield* Organization.Organization
      const files = yield* FilesModule.Files
      let total = 0
      for (const [name, declaration] of Object.entries(Workspaces.operations)) {
        total += yield* expectRejected(`Workspaces.${name}`, (workspaces as any)[name], fieldsOf(declaration))
      }
      total += yield* expectRejected("Organization.listMembers", organization.listMembers as Call, ["offset", "limit"])
      for (
        const [name, fields] of Object.entries({
          find: ["id"],
          pages: ["pageSize", "offset"],
          stream: ["pageSize", "offset"],
          memberPages: ["id", "pageSize", "offset"],
          streamMembers: ["id", "pageSize", "offset"]
        })
      ) total += yield* expectRejected(`Workspaces.${name}`, (workspaces as any)[name], fields)
      for (
        const [name, fields] of Object.entries({
          memberPages: ["pageSize", "offset"],
          streamMembers: ["pageSize", "offset"]
        })
      ) total += yield* expectRejected(`Organization.${name}`, (organization as any)[name], fields)
      for (
        const [name, fields] of Object.entries({
          list: fieldsOf(FilesModule.declarations.list),
          retrieve: ["fileId", "workspaceId", "provider"],
          delete: ["fileId", "workspaceId", "provider"],
          download: ["fileId", "workspaceId", "provider"],
          downloadTo: ["fileId", "path", "workspaceId", "provider"],
          upload: ["file", "filename", "workspaceId", "provider"],
          pages: ["pageSize", "workspaceId", "provider"],
          stream: ["pageSize", "workspaceId", "provider"]
        })
      ) total += yield* expectRejected(`Files.${name}`, (files as any)[name], fields)

      const guardrails = yield* Guardrails.Guardrails
      const keys = yield* Keys.Keys
      for (const [service, module, instance] of [["Keys", Keys, keys], ["Guardrails", Guardrails, guardrails]] as const) {
        for (const [name, declaration] of Object.entries(module.operations) as Array<[string, AnyDeclaration]>) {
          if (fieldsOf(declaration).length === 0) continue // Keys.current takes nothing
          total += yield* expectRejected(`${service}.${name}`, (instance as any)[name], fieldsOf(declaration))
        }
      }
      total += yield* expectRejected("Keys.stream", keys.stream as Call, ["workspaceId", "includeDisabled", "offset"])
      total += yield* expectRejected("Keys.pages", keys.pages as Call, ["workspaceId", "includeDisabled", "offset"])
      total += yield* expectRejected("Guardrails.stream", guardrails.stream as Call, ["workspaceId", "offset", "pageSize"])
      for (const name of ["streamMemberAssignments", "streamKeyAssignments"] as const) {
        total += yield* expectRejected(`Guardrails.${name}`, guardrails[name] as Call, ["id", "offset", "pageSize"])
      }
      for (const name of ["streamAllMemberAssignments", "streamAllKeyAssignments"] as const) {
        total += yield* expectRejected(`Guardrails.${name}`, guardrails[name] as Call, ["offset", "pageSize"])
      }

      expect(total).toBeGreaterThan(7500)
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(Layer.merge(Keys.Keys.Default, Guardrails.Guardrails.Default).pipe(Layer.provideMerge(servicesLayer())))), 120_000)

  it.live("the services added with issue 16 reject invalid input with a typed error and send nothing", () =>
    Effect.gen(function*() {
      const services: ReadonlyArray<readonly [string, Record<string, AnyDeclaration>, unknown]> = [
        ["Activity", Activity.operations, yield* Activity.Activity],
        ["Analytics", Analytics.operations, yield* Analytics.Analytics],
        ["Credits", Credits.operations, yield* Credits.Credits],
        ["Byok", Byok.operations, yield* Byok.Byok],
        ["Scim", Scim.operations, yield* Scim.Scim],
        ["Observability", Observability.operations, yield* Observability.Observability]
      ]
      let total = 0
      for (const [service, operations, instance] of services) {
        for (const [name, declaration] of Object.entries(operations)) {
          if (fieldsOf(declaration).length === 0) continue // meta and credits take nothing
          total += yield* expectRejected(`${service}.${name}`, (instance as any)[name], fieldsOf(declaration), 300)
        }
      }
      const byok = yield* Byok.Byok
      const scim = yield* Scim.Scim
      const observability = yield* Observability.Observability
      const streams: ReadonlyArray<readonly [string, Call, ReadonlyArray<string>]> = [
        ["Byok.pages", byok.pages as Call, ["offset", "pageSize", "workspaceId", "provider"]],
        ["Byok.stream", byok.stream as Call, ["offset", "pageSize", "workspaceId", "provider"]],
        ["Scim.groupPages", scim.groupPages as Call, ["offset", "pageSize"]],
        ["Scim.streamGroups", scim.streamGroups as Call, ["offset", "pageSize"]],
        ["Scim.mappingPages", scim.mappingPages as Call, ["offset", "pageSize"]],
        ["Scim.streamMappings", scim.streamMappings as Call, ["offset", "pageSize"]],
        ["Observability.pages", observability.pages as Call, ["offset", "pageSize", "workspaceId"]],
        ["Observability.stream", observability.stream as Call, ["offset", "pageSize", "workspaceId"]]
      ]
      for (const [name, call, fields] of streams) total += yield* expectRejected(name, call, fields)
      expect(total).toBeGreaterThanOrEqual(6000)
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(
      Layer.mergeAll(
        Activity.Activity.Default,
        Analytics.Analytics.Default,
        Credits.Credits.Default,
        Byok.Byok.Default,
        Scim.Scim.Default,
        Observability.Observability.Default
      ).pipe(Layer.provideMerge(servicesLayer()))
    )), 120_000)

  it.live("a valid call after all that still works (the fuzzing broke nothing)", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces.Workspaces
      const page = yield* workspaces.list({ limit: 1 })
      expect(page.data.length).toBe(1)
    }).pipe(Effect.provide(servicesLayer())))
})

/**
 * The contract's drift on existing operations (the newest SDK's fields): `GET /key` says which
 * organisation and workspace the key belongs to, its data regions and free-model allowance; keys carry
 * the external user they were made for (and may be made from an external user's own secret, which
 * never shows); guardrails restrict data regions.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Inspectable, Redacted, Schema } from "effect"
import { createHash } from "node:crypto"
import { Guardrails } from "../src/Guardrails.ts"
import { Keys } from "../src/Keys.ts"
import { ApiKey, CurrentKey } from "../src/KeysDomain.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { accessLayer, recorded, recordingTracer } from "./support.ts"

const noRetry = { retry: RetryPolicy.none }

describe("drift fields", () => {
  it.scoped("GET /key: organisation, workspace, data regions, free-model requests today", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const { data } = yield* (yield* Keys).current()
      expect(data.organizationId).toMatch(/^org_/)
      expect(data.workspaceId).toBe(sim.state.defaultWorkspaceId)
      expect(data.allowedDataRegions).toEqual(["global", "europe", "us"])
      expect(data.freeModelDailyRequests).toEqual({ limit: 0, remaining: 0, used: 0 })
      // older servers leave them out; a region the client does not know yet still decodes
      const decode = Schema.decodeUnknownSync(CurrentKey)
      const wire = Schema.encodeSync(CurrentKey)(data) as Record<string, unknown>
      const { allowed_data_regions: _, free_model_daily_requests: __, organization_id: ___, workspace_id: ____, ...old } = wire
      expect(decode(old).organizationId).toBeUndefined()
      expect(decode({ ...wire, allowed_data_regions: ["mars"], workspace_id: null })).toMatchObject({
        allowedDataRegions: ["mars"],
        workspaceId: null
      })
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("a key made for an external user names them; their own secret becomes the key and never shows", () =>
    Effect.gen(function*() {
      const keys = yield* Keys
      const secret = "ext-secret-0123456789abcdefghijklmnopqrstuv"
      const { spans, tracer } = recordingTracer()
      const made = yield* keys.create({ name: "end-user", external: { user: "customer-42", apiKey: Redacted.make(secret) } }).pipe(
        Effect.withTracer(tracer)
      )
      expect(made.data.externalUser).toBe("customer-42")
      expect(made.data.hash).toBe(createHash("sha256").update(secret).digest("hex"))
      expect((yield* keys.get({ hash: made.data.hash })).data.externalUser).toBe("customer-42")
      const plain = yield* keys.create({ name: "plain" })
      expect(plain.data.externalUser).toBeNull()
      for (const shown of [String(made.data), Inspectable.format(made.data), JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))]) {
        expect(shown).not.toContain(secret)
      }
      const { external_user: _, ...older } = Schema.encodeSync(ApiKey)(made.data) as Record<string, unknown>
      expect(Schema.decodeUnknownSync(ApiKey)(older).externalUser).toBeUndefined()
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("an external secret that is short or not Redacted is refused before sending, and the refusal never quotes it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      yield* sim.clearRequests
      const secret = "plain-secret-0123456789abcdefghijklmnopqrstuvwxyz"
      const refusals = [
        yield* Effect.flip(keys.create({ name: "x", external: { user: "u", apiKey: secret as never } })),
        yield* Effect.flip(keys.create({ name: "x", external: { user: "u", apiKey: Redacted.make("too-short-secret") } })),
        yield* Effect.flip(keys.create({ name: "x", external: { user: "", apiKey: Redacted.make(secret) } }))
      ]
      for (const refusal of refusals) {
        expect(refusal._tag).toBe("InvalidRequestError")
        expect(refusal.message).not.toContain(secret)
        expect(refusal.message).not.toContain("too-short-secret")
        expect(JSON.stringify(refusal)).not.toContain(secret)
      }
      expect(refusals[0]!.message).toMatch(/external\.apiKey: must be a Redacted string/)
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("a guardrail restricts data regions; null clears the restriction; an unknown region is refused", () =>
    Effect.gen(function*() {
      const guardrails = yield* Guardrails
      const made = yield* guardrails.create({ name: "eu-only", allowedDataRegions: ["europe"] })
      expect(made.data.allowedDataRegions).toEqual(["europe"])
      expect((yield* guardrails.get({ id: made.data.id })).data.allowedDataRegions).toEqual(["europe"])
      const both = yield* guardrails.update({ id: made.data.id, allowedDataRegions: ["europe", "us"] })
      expect(both.data.allowedDataRegions).toEqual(["europe", "us"])
      expect((yield* guardrails.update({ id: made.data.id, allowedDataRegions: null })).data.allowedDataRegions).toBeNull()
      const refused = yield* Effect.flip(guardrails.create({ name: "x", allowedDataRegions: ["mars" as never] }))
      expect(refused._tag).toBe("InvalidRequestError")
    }).pipe(Effect.provide(accessLayer({}, noRetry))))
})

/**
 * The services' static accessors: Effect methods are Effects, Stream methods are Streams (typed and at
 * run time), so `Stream.runForEach(Organization.streamMembers(), …)` streams members, not one stream.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import type { Workspace } from "../src/Domain.ts"
import { Files } from "../src/Files.ts"
import { Organization } from "../src/Organization.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { servicesLayer } from "./support.ts"

/** `true` only when A and B are the same type (a union with `Option<never>` is not). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

describe("static accessors", () => {
  it.effect("Stream methods are Streams of items, Effect methods are Effects", () =>
    Effect.gen(function*() {
      const emails: Array<string> = []
      yield* Stream.runForEach(Organization.streamMembers({ pageSize: 50 }), (member) => Effect.sync(() => emails.push(member.email)))
      expect(emails.length).toBe(200)
      expect(emails.every((email) => email.endsWith("@example.com"))).toBe(true)

      const slugs = yield* Stream.runCollect(Workspaces.stream().pipe(Stream.map((w) => w.slug)))
      expect(Chunk.toReadonlyArray(slugs)).toContain("default")
      const pages = yield* Stream.runCollect(Workspaces.pages({ pageSize: 2 }))
      expect(Chunk.size(pages)).toBe(3)
      const members = yield* Stream.runCount(Workspaces.streamMembers({ id: "engineering" }))
      expect(members).toBeGreaterThan(0)
      const files = yield* Stream.runCount(Files.stream())
      expect(files).toBeGreaterThan(0)

      const page = yield* Workspaces.list({ limit: 1 })
      expect(page.data).toHaveLength(1)
      const found = yield* Workspaces.find({ id: "engineering" })
      const exact: Equals<typeof found, Option.Option<Workspace>> = true
      expect(exact).toBe(true)
      expect(Option.map(found, (w) => w.slug)).toEqual(Option.some("engineering"))
    }).pipe(Effect.provide(servicesLayer())))
})

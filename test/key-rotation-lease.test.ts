/**
 * Key rotation under the job's lease (SQLite journal, the lease's expiry driven by TestClock): a runner
 * whose lease was taken over mid-rotation stops at its next journal write, records nothing more and
 * creates nothing more; the runner that took over finishes with one replacement per key, each delivered.
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { Journal } from "../src/jobs/index.ts"
import { scratch, services, takeover } from "./key-rotation-support.ts"

describe("key rotation under the lease", () => {
  it.scoped.each(["delivering", "creating"] as const)(
    "a takeover while the first runner is %s: it stops at its next journal write, nothing is made twice, no secret is lost",
    (frozen) => {
      const path = join(scratch(), "journal.sqlite")
      return takeover(() => Journal.layer(path), frozen).pipe(Effect.provide(services))
    },
    60_000
  )
})

/**
 * What a plan publishes while it reads the server (`Reading` events: "workspace 3/14", "members
 * 2,300/5,000"), so a plan that takes more than a moment is never silent.
 *
 * @since 0.1.0
 */
import { Effect, PubSub } from "effect"
import type * as Engine from "./Engine.ts"

/**
 * Counts one kind of thing read; publishes when the count crosses a step (about 1 % of the total,
 * or every 500 when the total is unknown) and when it reaches the total.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counter {
  /** One more read. */
  readonly one: Effect.Effect<void>
  /** `n` more read. */
  readonly add: (n: number) => Effect.Effect<void>
  /** Everything read (the total was not known up front): the count, as its own total. */
  readonly end: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export type Reporter = (what: string, total: number | undefined) => Counter

const silent: Counter = { one: Effect.void, add: () => Effect.void, end: Effect.void }

/**
 * A reporter publishing to `events` (none: counts nothing).
 *
 * @since 0.1.0
 * @category constructors
 */
export const reporter = (events: PubSub.PubSub<Engine.JobEvent> | undefined): Reporter => (what, total) => {
  if (events === undefined) return silent
  const step = total === undefined ? 500 : Math.max(1, Math.ceil(total / 100))
  let done = 0
  let published = -1
  const add = (n: number) =>
    Effect.suspend(() => {
      done += n
      const due = done === total || Math.floor(done / step) > Math.floor(Math.max(0, published) / step) || published < 0
      if (!due) return Effect.void
      published = done
      return Effect.asVoid(PubSub.publish(events, { _tag: "Reading", what, done, total }))
    })
  const end = Effect.suspend(() =>
    done === published && total !== undefined ? Effect.void : Effect.asVoid(PubSub.publish(events, { _tag: "Reading", what, done, total: done }))
  )
  return { one: add(1), add, end }
}

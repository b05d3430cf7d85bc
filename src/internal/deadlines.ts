/**
 * Per-attempt timeouts without a timer and a race per attempt (`Effect.timeout` forks two fibers
 * and joins their FiberRefs: about a third of a request's client-side cost). One fiber per client
 * sleeps on the `Clock` (so `TestClock` drives it) until the earliest deadline and interrupts the
 * attempts that passed it. All deadlines of a client share one duration, so registration order is
 * deadline order and the sweeper only ever looks at the oldest attempts; with nothing in flight it
 * waits on a latch instead of waking up.
 */
import { Duration, Effect, Fiber, FiberId, type Scope } from "effect"

interface Entry {
  readonly deadline: number
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  expired: boolean
}

export interface Deadlines {
  /**
   * Run `effect` in its own (daemon) fiber; if it is still running after the client's timeout it
   * is interrupted and the result is `onTimeout()`. Interrupting the caller interrupts the attempt.
   * FiberRefs set by `effect` stay in its fiber.
   */
  readonly run: <A, E, E2>(effect: Effect.Effect<A, E>, onTimeout: () => E2) => Effect.Effect<A, E | E2>
}

export const make = (timeout: Duration.Duration): Effect.Effect<Deadlines, never, Scope.Scope> =>
  Effect.gen(function*() {
    const millis = Duration.toMillis(timeout)
    const clock = yield* Effect.clock
    const entries = new Set<Entry>()
    const pending = yield* Effect.makeLatch(false)

    const sweep = Effect.suspend(() => {
      if (entries.size === 0) {
        pending.unsafeClose()
        return pending.await
      }
      const now = clock.unsafeCurrentTimeMillis()
      for (const entry of entries) {
        if (entry.deadline > now) return clock.sleep(Duration.millis(entry.deadline - now))
        entries.delete(entry)
        entry.expired = true
        entry.fiber.unsafeInterruptAsFork(FiberId.none)
      }
      return Effect.void
    })
    yield* Effect.forkScoped(Effect.forever(sweep))

    const run = <A, E, E2>(effect: Effect.Effect<A, E>, onTimeout: () => E2): Effect.Effect<A, E | E2> =>
      Effect.flatMap(Effect.forkDaemon(Effect.interruptible(effect)), (fiber) => {
        const entry: Entry = { deadline: clock.unsafeCurrentTimeMillis() + millis, fiber, expired: false }
        if (Number.isFinite(entry.deadline)) {
          entries.add(entry)
          pending.unsafeOpen()
        }
        return Effect.async<A, E | E2>((resume) => {
          fiber.addObserver((exit) => {
            entries.delete(entry)
            resume(entry.expired ? Effect.fail(onTimeout()) : exit)
          })
          return Fiber.interrupt(fiber)
        })
      })
    return { run }
  })

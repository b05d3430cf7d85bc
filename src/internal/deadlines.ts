/**
 * Per-attempt timeouts without a timer, a race or a fiber per attempt (`Effect.timeout` forks two
 * fibers and joins their FiberRefs: about a third of a request's client-side cost).
 *
 * Each attempt gets its own `Scope`; the client's `HttpClient` is wrapped in `HttpClient.withScope`,
 * so closing that scope aborts the attempt's request (its `AbortSignal`). One fiber per client sleeps
 * on the `Clock` (so `TestClock` drives it) until the earliest deadline and closes the scopes of the
 * attempts that passed it. All deadlines of a client share one duration, so registration order is
 * deadline order and the sweeper only looks at the oldest attempts; with nothing in flight it waits
 * on a latch instead of waking up. A finished attempt's scope is simply dropped: aborting a finished
 * request costs an `AbortError` for nothing, and there is nothing else to release.
 */
import { Duration, Effect, Exit, Scope } from "effect"

interface Entry {
  readonly deadline: number
  readonly scope: Scope.CloseableScope
  expired: boolean
}

export interface Deadlines {
  /**
   * Run `attempt` with a fresh `Scope` (closing it aborts the request). If it is still running after
   * the client's timeout, the scope is closed and the attempt's failure becomes `onTimeout()`.
   * A failed or interrupted attempt closes its scope, so its request is aborted too.
   */
  readonly run: <A, E, E2>(
    attempt: Effect.Effect<A, E, Scope.Scope>,
    onTimeout: () => E2
  ) => Effect.Effect<A, E | E2>
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
      const expired: Array<Entry> = []
      for (const entry of entries) {
        if (entry.deadline > now) break
        entries.delete(entry)
        entry.expired = true
        expired.push(entry)
      }
      if (expired.length === 0) {
        const [next] = entries
        return clock.sleep(Duration.millis(next!.deadline - now))
      }
      return Effect.forEach(expired, (entry) => Scope.close(entry.scope, Exit.void), { discard: true })
    })
    yield* Effect.forkScoped(Effect.forever(sweep))

    const run = <A, E, E2>(attempt: Effect.Effect<A, E, Scope.Scope>, onTimeout: () => E2) =>
      Effect.flatMap(Scope.make(), (scope) => {
        const entry: Entry = { deadline: clock.unsafeCurrentTimeMillis() + millis, scope, expired: false }
        if (Number.isFinite(entry.deadline)) {
          entries.add(entry)
          pending.unsafeOpen()
        }
        return attempt.pipe(
          Scope.extend(scope),
          Effect.catchAll((error): Effect.Effect<never, E | E2> => Effect.fail(entry.expired ? onTimeout() : error)),
          Effect.onExit((exit) => {
            entries.delete(entry)
            return Exit.isSuccess(exit) ? Effect.void : Scope.close(scope, exit)
          })
        )
      })
    return { run }
  })

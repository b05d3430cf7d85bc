/**
 * Static accessors for Stream methods. `Effect.Service`'s `accessors: true` wraps every method's
 * result in an Effect, so a Stream method's accessor is an `Effect<Stream>` (which "streams" once, the
 * stream itself). This gives the named Stream methods accessors that are Streams, typed as such.
 */
import { Effect, Stream } from "effect"

type Fn = (...args: ReadonlyArray<any>) => any

/** The accessor of a Stream-returning method: the same arguments, a Stream needing the service. */
type StreamAccessor<Self, M> = M extends (...args: infer Args) => Stream.Stream<infer A, infer E, infer R>
  ? (...args: Args) => Stream.Stream<A, E, R | Self>
  : never

/** The methods of `S` that return a Stream. */
export type StreamKeys<S> = {
  [k in keyof S]: S[k] extends (...args: any) => infer R
    ? R extends Effect.Effect<any, any, any> ? never : R extends Stream.Stream<any, any, any> ? k : never
    : never
}[keyof S]

/** The class with the named accessors retyped (its constructor and other statics unchanged). */
export type WithStreamAccessors<C extends abstract new(...args: any) => any, Self, S, K extends keyof S> =
  & (new(...args: ConstructorParameters<C>) => InstanceType<C>)
  & Omit<C, K>
  & { readonly [k in K]: StreamAccessor<Self, S[k]> }

/**
 * Give `Class` (an `Effect.Service` with `accessors: true`) Stream accessors for `keys`:
 * `Workspaces.stream()` is a `Stream<Workspace>`, like `yield* Workspaces` then `.stream()`.
 */
export const withStreamAccessors = <Self, S>() =>
<C extends abstract new(...args: any) => any, const K extends keyof S & string>(
  Class: C,
  // every Stream method must be named: one left out would keep the `Effect<Stream>` accessor
  keys: ReadonlyArray<K> & ([StreamKeys<S>] extends [K] ? unknown : { readonly missing: Exclude<StreamKeys<S>, K> })
): WithStreamAccessors<C, Self, S, K> => {
  const tag = Class as unknown as Effect.Effect<S>
  for (const key of keys as ReadonlyArray<K>) {
    Object.defineProperty(Class, key, {
      value: (...args: ReadonlyArray<unknown>) =>
        Stream.unwrap(Effect.map(tag, (service) => (service[key] as Fn)(...args) as Stream.Stream<unknown>)),
      enumerable: true
    })
  }
  return Class as unknown as WithStreamAccessors<C, Self, S, K>
}

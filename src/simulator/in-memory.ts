/**
 * An `HttpClient` that calls the simulator's handler in the same fiber: no port, no socket, no
 * network. Requests and responses still go through the Fetch API's `Request`/`Response` (bodies,
 * headers, multipart uploads, streamed downloads), so the client runs the same code as over HTTP.
 */
import { HttpClient, HttpClientError, HttpClientResponse, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpBody } from "@effect/platform"
import { Effect, Stream } from "effect"
import { type Answer, Dropped } from "./app.ts"

/** The origin of the in-memory simulator's base URL: never resolved, never dialled. */
export const ORIGIN = "http://simulator.invalid"

const webBody = (body: HttpBody.HttpBody): Effect.Effect<BodyInit | undefined> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body as BodyInit)
    case "Raw":
      return Effect.succeed(body.body as BodyInit)
    case "FormData":
      return Effect.succeed(body.formData)
    case "Stream":
      return Stream.toReadableStreamEffect(body.stream) as Effect.Effect<BodyInit>
  }
}

export const make = (handle: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<Answer>) =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const headers = new Headers(request.headers as Record<string, string>)
      if (request.body._tag !== "Empty" && request.body.contentType && !headers.has("content-type")) {
        headers.set("content-type", request.body.contentType)
      }
      const body = yield* webBody(request.body)
      const web = new Request(url.toString(), {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body, duplex: "half" })
      } as RequestInit)
      const answer = yield* handle(HttpServerRequest.fromWeb(web))
      if (answer === Dropped) {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new Error("socket hang up (the simulator dropped the connection)")
        })
      }
      return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(answer))
    })
  )

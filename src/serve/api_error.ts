/**
 * The errors of the HTTP API: one class, one list of stable codes, one JSON
 * shape (`{ "error": { "code", "message", "field"? } }`), and the one mapping
 * from the library's errors to them.
 *
 * @module
 */
import { PolicyError, SandboxError, UsageError } from "../errors.ts";

/** Every error code the HTTP API answers with, and the HTTP status of each. */
export const API_ERRORS = {
  /** The body is not JSON. */
  invalid_json: 400,
  /** The body is JSON but not what the endpoint takes; `field` names the culprit. */
  invalid_request: 400,
  /** No or a wrong `Authorization: Bearer` token. */
  unauthorized: 401,
  /** The caller may not do this (a policy it is not allowed, a non-loopback request to a server without tokens). */
  forbidden: 403,
  /** No such endpoint. */
  not_found: 404,
  /** The body is larger than the server takes. */
  body_too_large: 413,
  /** The body is not `application/json`. */
  unsupported_media_type: 415,
  /** The caller sent more requests than its rate allows; see `Retry-After`. */
  rate_limited: 429,
  /** The caller has as many runs running and waiting as it may; see `Retry-After`. */
  too_many_runs: 429,
  /** The server is draining for shutdown. */
  shutting_down: 503,
  /** No sandbox could be started right now; see `Retry-After`. */
  sandbox_unavailable: 503,
  /** A fault of the server (its configuration, or a bug); the message says which, never the script's data. */
  internal: 500,
} as const;

/** One of the stable error codes of {@link API_ERRORS}. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** The JSON body of every error response. */
export interface ApiErrorBody {
  /** What went wrong. */
  error: {
    /** A stable code from {@link API_ERRORS}. */
    code: ApiErrorCode;
    /** A sentence for a person. */
    message: string;
    /** The request field at fault (`files`, `timeoutMs`, `code`), when there is one. */
    field?: string;
  };
}

/** An error the API answers with its own status and code, never a stack trace. */
export class ApiError extends Error {
  /** The stable code. */
  readonly code: ApiErrorCode;
  /** The request field at fault, when there is one. */
  readonly field?: string;
  /** Seconds after which a retry may succeed (`Retry-After`), for 429 and 503. */
  readonly retryAfter?: number;

  /** Create an API error; `options.cause` keeps the underlying error for the server's log. */
  constructor(
    code: ApiErrorCode,
    message: string,
    options: { field?: string; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.field = options.field;
    this.retryAfter = options.retryAfter;
  }

  /** The HTTP status of {@link ApiError.code}. */
  get status(): number {
    return API_ERRORS[this.code];
  }

  /** The JSON body. */
  body(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
      },
    };
  }

  /** The whole response: status, JSON body, `Retry-After` where it applies. */
  response(headers: HeadersInit = {}): Response {
    const all = new Headers(headers);
    if (this.retryAfter !== undefined) all.set("retry-after", String(this.retryAfter));
    if (this.code === "unauthorized") all.set("www-authenticate", 'Bearer realm="pyfence"');
    return Response.json(this.body(), { status: this.status, headers: all });
  }
}

/**
 * What the caller is told about an error thrown while serving it. The
 * library's typed errors say whose fault it was: a {@link UsageError} is the
 * request's (its `argument` is the option, which is the request field of the
 * same name), a {@link PolicyError} is the server's configuration, a
 * {@link SandboxError} is the host's. For the server's own failures, and for
 * anything else (a bug), the caller gets a generic message; the error stays
 * in `cause` for the server's log.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UsageError) {
    return new ApiError("invalid_request", err.message, { field: err.argument, cause: err });
  }
  // The server's own failures name files and processes of the host: the
  // caller learns what kind of failure it was, the server's log the rest.
  if (err instanceof PolicyError) {
    return new ApiError("internal", "a policy of this server is invalid; its log says which", {
      cause: err,
    });
  }
  if (err instanceof SandboxError) {
    if (err.reason === "closed") {
      return new ApiError("shutting_down", "the server is shutting down", {
        retryAfter: 5,
        cause: err,
      });
    }
    if (err.reason === "boot") {
      return new ApiError("sandbox_unavailable", "no sandbox process could be started", {
        retryAfter: 2,
        cause: err,
      });
    }
    return new ApiError("internal", `the sandbox could not be prepared (${err.reason})`, {
      cause: err,
    });
  }
  return new ApiError("internal", "internal error; the server's log has the details", {
    cause: err,
  });
}

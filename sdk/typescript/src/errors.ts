import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  type BadRequest_FieldViolation,
  type ErrorInfo,
  ErrorInfoSchema,
} from "./gen/google/rpc/error_details_pb.js";

/** One rejected field of a request, as the API names it (its JSON name, e.g. `fullName`). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
  /** A rule id such as `string.email`, when the API gives one. */
  readonly reason: string;
}

/**
 * An error of the KulturaGo API: the gRPC status code and message, the `ErrorInfo`
 * (`reason` in UPPER_SNAKE, e.g. `EMAIL_TAKEN`, with its `metadata`) and, for bad input,
 * the fields the request got wrong (`google.rpc.BadRequest`).
 *
 * It is a `ConnectError` (so `ConnectError.from` and Connect's own handling keep
 * working); its `name` stays "ConnectError" because Connect recognises its errors by it.
 */
export class KulturaGoError extends ConnectError {
  /** `ErrorInfo.reason`, e.g. `INVALID_ARGUMENT`, `SOLD_OUT`, `SIGN_IN_THROTTLED`. */
  readonly reason: string | undefined;
  readonly errorInfo: ErrorInfo | undefined;
  readonly fieldViolations: readonly FieldViolation[];

  constructor(error: ConnectError) {
    super(error.rawMessage, error.code, error.metadata, undefined, error.cause ?? error);
    this.details = error.details;
    this.isWireError = error.isWireError;
    this.errorInfo = error.findDetails(ErrorInfoSchema)[0];
    this.reason = this.errorInfo?.reason;
    this.fieldViolations = error
      .findDetails(BadRequestSchema)
      .flatMap((bad) => bad.fieldViolations.map(violation));
  }

  /** Converts anything thrown by a call; a KulturaGoError is returned as it is. */
  static override from(reason: unknown, code: Code = Code.Unknown): KulturaGoError {
    if (reason instanceof KulturaGoError) {
      return reason;
    }
    return new KulturaGoError(ConnectError.from(reason, code));
  }

  // ConnectError's own check is structural (any error named "ConnectError" passes);
  // ours is the prototype chain, so that `instanceof KulturaGoError` narrows truthfully.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && KulturaGoError.prototype.isPrototypeOf(value);
  }

  /** The names of the rejected fields, e.g. ["email", "password"]. */
  get fields(): string[] {
    return this.fieldViolations.map((v) => v.field);
  }

  /** `ErrorInfo.metadata`, e.g. `{retryAfterSeconds: "4"}`. */
  get infoMetadata(): Readonly<Record<string, string>> {
    return this.errorInfo?.metadata ?? {};
  }
}

function violation(v: BadRequest_FieldViolation): FieldViolation {
  return { field: v.field, description: v.description, reason: v.reason };
}

/** The object storage refused an avatar upload (a 4xx/5xx of the presigned request). */
export class AvatarUploadError extends Error {
  override name = "AvatarUploadError";

  constructor(
    readonly status: number,
    /** S3's error code (`EntityTooLarge`, `AccessDenied`, ...), when its XML body names one. */
    readonly s3Code: string | undefined,
    readonly body: string,
  ) {
    super(`avatar upload refused by the object storage: HTTP ${status}${s3Code ? ` ${s3Code}` : ""}`);
  }
}

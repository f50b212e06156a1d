import { getOption } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import { Access, access } from "./gen/kulturago/options/v1/access_pb.js";

/** What sign-in and every refresh give: keep both to resume a session later. */
export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** Exchanges a refresh token for a new pair; the old refresh token is spent by it. */
export type Rotate = (refreshToken: string) => Promise<Tokens>;

// An access token this close to its expiry (by the client's clock) is renewed before a
// call rather than after a refusal; the gateway itself allows 5 s of skew.
const RENEW_BEFORE_MS = 30_000;

/**
 * The signed-in state of one client: the current token pair, renewed by refresh-token
 * rotation. Renewals are single-flight: every call that finds the access token expired
 * (or refused) while a renewal runs waits for that one, since a refresh token works
 * once and presenting a spent one revokes the whole session.
 */
export class Session {
  #tokens: Tokens | undefined;
  #renewal: Promise<void> | undefined;

  constructor(
    private readonly rotate: Rotate,
    readonly clock: () => number,
    private readonly onChange: ((tokens: Tokens | undefined) => void) | undefined,
    tokens: Tokens | undefined,
  ) {
    this.#tokens = tokens;
  }

  get tokens(): Tokens | undefined {
    return this.#tokens;
  }

  set(tokens: Tokens | undefined): void {
    this.#tokens = tokens;
    this.onChange?.(tokens);
  }

  /** The access token to send now, renewed first when it has (nearly) expired. */
  async accessToken(): Promise<string | undefined> {
    const current = this.#tokens;
    if (current && expiresAt(current.accessToken) <= this.clock() + RENEW_BEFORE_MS) {
      await this.renew(current.accessToken);
    }
    return this.#tokens?.accessToken;
  }

  /**
   * Replaces `stale` with a fresh pair, once however many callers ask: when the current
   * token is no longer `stale`, someone renewed it already. A refused refresh
   * (UNAUTHENTICATED: spent, expired or revoked) ends the session; other failures
   * (the network) keep it for the next try.
   */
  async renew(stale: string): Promise<void> {
    const current = this.#tokens;
    if (!current || current.accessToken !== stale) {
      return this.#renewal;
    }
    this.#renewal ??= this.rotate(current.refreshToken).then(
      (fresh) => {
        this.#renewal = undefined;
        this.set(fresh);
      },
      (error: unknown) => {
        this.#renewal = undefined;
        if (ConnectError.from(error).code === Code.Unauthenticated) {
          this.set(undefined);
        }
        throw error;
      },
    );
    return this.#renewal;
  }
}

/** Milliseconds since the epoch from a JWT's `exp`; +Infinity when it has none readable. */
export function expiresAt(jwt: string): number {
  const payload = jwt.split(".")[1];
  if (!payload) {
    return Number.POSITIVE_INFINITY;
  }
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp: unknown = JSON.parse(json).exp;
    return typeof exp === "number" ? exp * 1000 : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Sends the access token with every call whose contract (`kulturago.options.v1.access`)
 * is not PUBLIC, renewing it before the call when it has expired. A unary call refused
 * as UNAUTHENTICATED because the token expired (the gateway's TOKEN_EXPIRED: the device's
 * clock may be wrong, or by the client's clock) is renewed and sent once more; a token
 * refused for another reason (invalid, session revoked) is the caller's error as it is.
 */
export function authInterceptor(session: Session): Interceptor {
  return (next) => async (req) => {
    if (getOption(req.method, access) === Access.PUBLIC) {
      return next(req);
    }
    const token = await session.accessToken();
    if (token === undefined) {
      return next(req); // not signed in: the server's UNAUTHENTICATED says so
    }
    req.header.set("Authorization", `Bearer ${token}`);
    try {
      return await next(req);
    } catch (error) {
      if (req.stream || !refusedAsExpired(error, token, session)) {
        throw error;
      }
      await session.renew(token);
      const fresh = session.tokens?.accessToken;
      if (fresh === undefined || fresh === token) {
        throw error;
      }
      req.header.set("Authorization", `Bearer ${fresh}`);
      return next(req);
    }
  };
}

// The gateway answers an expired token with this ErrorInfo reason (domain gateway.kulturago.ru).
const TOKEN_EXPIRED = "TOKEN_EXPIRED";

function refusedAsExpired(error: unknown, token: string, session: Session): boolean {
  const refusal = ConnectError.from(error);
  if (refusal.code !== Code.Unauthenticated) {
    return false;
  }
  const reasons = refusal.findDetails(ErrorInfoSchema).map((info) => info.reason);
  return reasons.includes(TOKEN_EXPIRED) || expiresAt(token) <= session.clock();
}

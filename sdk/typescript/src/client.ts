import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { type AvatarType, uploadAvatar } from "./avatar.js";
import { KulturaGoError } from "./errors.js";
import {
  AuthService,
  type Profile,
  ProfileService,
  type SignUpRequestSchema,
  type User,
} from "./gen/kulturago/auth/v1/auth_service_pb.js";
import { EventService } from "./gen/kulturago/event/v1/event_service_pb.js";
import { GeoService } from "./gen/kulturago/geo/v1/geo_service_pb.js";
import { SearchService } from "./gen/kulturago/search/v1/search_service_pb.js";
import { TicketingService } from "./gen/kulturago/ticketing/v1/ticketing_service_pb.js";
import { authInterceptor, Session, type Tokens } from "./session.js";

export interface KulturaGoOptions {
  /** The gateway, e.g. `https://api.kulturago.ru` or `http://127.0.0.1:8080` locally. */
  readonly baseUrl: string;
  /** A session saved from `onTokens` earlier, to resume it. */
  readonly tokens?: Tokens;
  /** Told every new token pair (after sign-in and each rotation) and `undefined` when the session ends. */
  readonly onTokens?: (tokens: Tokens | undefined) => void;
  /** Defaults to the global fetch (browsers, Node 20+). */
  readonly fetch?: typeof globalThis.fetch;
  /** More interceptors, run inside the client's own (they see the Authorization header). */
  readonly interceptors?: readonly Interceptor[];
  /** A deadline for every call, in milliseconds. */
  readonly timeoutMs?: number;
  /** The clock that judges access-token expiry, in ms since the epoch (for tests). */
  readonly now?: () => number;
}

// Every error of a call leaves the client as a KulturaGoError (outermost interceptor).
const typedErrors: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (error) {
    throw KulturaGoError.from(error);
  }
};

/**
 * The KulturaGo API over gRPC-Web through the gateway: one typed client per service,
 * sign-in with automatic refresh-token rotation, typed errors and the avatar upload.
 */
export class KulturaGo {
  readonly transport: Transport;
  readonly auth: Client<typeof AuthService>;
  readonly profile: Client<typeof ProfileService>;
  readonly events: Client<typeof EventService>;
  readonly search: Client<typeof SearchService>;
  readonly geo: Client<typeof GeoService>;
  readonly tickets: Client<typeof TicketingService>;
  readonly #session: Session;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: KulturaGoOptions) {
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#session = new Session(
      async (refreshToken) => tokensOf(await this.auth.refresh({ refreshToken })),
      options.now ?? Date.now,
      options.onTokens,
      options.tokens,
    );
    this.transport = createGrpcWebTransport({
      baseUrl: options.baseUrl,
      fetch: this.#fetch,
      interceptors: [typedErrors, authInterceptor(this.#session), ...(options.interceptors ?? [])],
      ...(options.timeoutMs === undefined ? {} : { defaultTimeoutMs: options.timeoutMs }),
    });
    this.auth = createClient(AuthService, this.transport);
    this.profile = createClient(ProfileService, this.transport);
    this.events = createClient(EventService, this.transport);
    this.search = createClient(SearchService, this.transport);
    this.geo = createClient(GeoService, this.transport);
    this.tickets = createClient(TicketingService, this.transport);
  }

  /** The current token pair, if signed in. */
  get tokens(): Tokens | undefined {
    return this.#session.tokens;
  }

  async signUp(account: MessageInitShape<typeof SignUpRequestSchema>): Promise<User> {
    return this.auth.signUp(account);
  }

  /** `login` is the login or the e-mail address. */
  async signIn(login: string, password: string): Promise<Tokens> {
    const tokens = tokensOf(await this.auth.signIn({ login, password }));
    this.#session.set(tokens);
    return tokens;
  }

  /** Rotates the refresh token now (the client also does it by itself when needed). */
  async refresh(): Promise<Tokens> {
    const current = this.#session.tokens;
    if (!current) {
      throw new KulturaGoError(new ConnectError("not signed in", Code.Unauthenticated));
    }
    await this.#session.renew(current.accessToken);
    return this.#session.tokens ?? current;
  }

  /** Ends the session on the server too; the tokens are forgotten even if that call fails. */
  async signOut(): Promise<void> {
    try {
      if (this.#session.tokens) {
        await this.auth.logout({});
      }
    } finally {
      this.#session.set(undefined);
    }
  }

  /** Presign, upload to the object storage, save as the profile's avatar; the updated profile. */
  async uploadAvatar(image: Blob | Uint8Array, contentType: AvatarType = "image/jpeg"): Promise<Profile> {
    return uploadAvatar(this.profile, this.#fetch, image, contentType);
  }
}

function tokensOf(reply: { accessToken: string; refreshToken: string }): Tokens {
  return { accessToken: reply.accessToken, refreshToken: reply.refreshToken };
}

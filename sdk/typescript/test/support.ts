// What the SDK's tests share: the gateway, fresh accounts, a forged expired access token,
// a fetch that counts calls, and a real PNG.
import { createPrivateKey, randomBytes, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import assert from "node:assert/strict";
import { type Code, KulturaGo, KulturaGoError, type KulturaGoOptions, type Tokens } from "../src/index.js";

export const GATEWAY = process.env.KGO_GATEWAY_URL ?? `http://127.0.0.1:${process.env.KGO_GATEWAY_PORT ?? "8080"}`;

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly login: string;
  readonly password: string;
}

export function client(options: Partial<KulturaGoOptions> = {}): KulturaGo {
  return new KulturaGo({ baseUrl: GATEWAY, timeoutMs: 15_000, ...options });
}

/** Signs a new user up through the SDK. */
export async function newAccount(kgo: KulturaGo = client()): Promise<Account> {
  const suffix = randomUUID().replace(/-/g, "").slice(0, 10);
  const account = {
    email: `ts-${suffix}@example.com`,
    login: `ts_${suffix}`,
    password: `pw-${suffix}-long`,
  };
  const user = await kgo.signUp({ ...account, fullName: "Тест Тестович" });
  return { id: user.id, ...account };
}

/** A signed-in account's tokens. */
export async function signedIn(): Promise<{ account: Account; tokens: Tokens }> {
  const kgo = client();
  const account = await newAccount(kgo);
  return { account, tokens: await kgo.signIn(account.login, account.password) };
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

/**
 * The same access token (its session, subject, key id) but expired an hour ago, signed
 * with the dev platform's real key (KGO_JWT_SIGNING_KEY): the gateway refuses it only
 * because it expired.
 */
export function expiredCopy(accessToken: string): string {
  const [header, payload] = accessToken.split(".");
  if (!header || !payload) {
    throw new Error(`not a JWT: ${accessToken}`);
  }
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const forged = { ...claims, iat: now - 7200, exp: now - 3600, jti: randomUUID() };
  const input = `${header}.${b64url(JSON.stringify(forged))}`;
  const keyFile = process.env.KGO_JWT_SIGNING_KEY ?? new URL("../../../../.dev/secrets/jwt-signing-key.pem", import.meta.url);
  const key = createPrivateKey(readFileSync(keyFile));
  return `${input}.${b64url(sign(null, Buffer.from(input), key))}`;
}

/** The pair with its access token replaced by an expired copy (see expiredCopy). */
export function withExpiredAccess(tokens: Tokens): Tokens {
  return { accessToken: expiredCopy(tokens.accessToken), refreshToken: tokens.refreshToken };
}

/** For assert.rejects: the call failed with a KulturaGoError of this code. */
export function failsWith(code: Code): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof KulturaGoError, `not a KulturaGoError: ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

/** A fetch that records the gRPC method of each request it sends (the path's last part). */
export function countingFetch(): { fetch: typeof globalThis.fetch; calls: string[] } {
  const calls: string[] = [];
  const counting: typeof globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push(new URL(url).pathname.split("/").pop() ?? "");
    return fetch(input, init);
  };
  return { fetch: counting, calls };
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A `size` x `size` RGB PNG of noise (so it stays above the 1 KiB minimum). */
export function noisePng(size = 48): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.concat([Buffer.of(0), randomBytes(size * 3)])));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]),
  );
}

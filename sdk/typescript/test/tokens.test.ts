// Refresh-token rotation: an expired access token is renewed once, by one refresh,
// however many calls need it, and the spent refresh token is refused afterwards.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, type KulturaGoError, type Tokens } from "../src/index.js";
import { client, countingFetch, failsWith, signedIn, withExpiredAccess } from "./support.js";

const HOUR_MS = 3_600_000;

test("an access token the client knows to be expired is renewed before the call", async () => {
  const { account, tokens } = await signedIn();
  const { fetch, calls } = countingFetch();
  const seen: (Tokens | undefined)[] = [];
  const kgo = client({
    fetch,
    tokens: withExpiredAccess(tokens),
    onTokens: (t) => seen.push(t),
  });

  assert.equal((await kgo.profile.getMe({})).id, account.id);
  assert.deepEqual(calls, ["Refresh", "GetMe"]);
  assert.equal(seen.length, 1);
  assert.notEqual(kgo.tokens?.refreshToken, tokens.refreshToken, "rotated");
  assert.deepEqual(kgo.tokens, seen[0]);
});

test("a call refused as expired (TOKEN_EXPIRED) is renewed and sent again once: the device clock is wrong", async () => {
  const { account, tokens } = await signedIn();
  const { fetch, calls } = countingFetch();
  const kgo = client({
    fetch,
    tokens: withExpiredAccess(tokens),
    now: () => Date.now() - 2 * HOUR_MS, // by this clock the token is still good
  });

  assert.equal((await kgo.profile.getMe({})).id, account.id);
  assert.deepEqual(calls, ["GetMe", "Refresh", "GetMe"]);
});

test("a token refused for another reason than expiry is the caller's error, without a refresh", async () => {
  const { tokens } = await signedIn();
  const { fetch, calls } = countingFetch();
  const kgo = client({ fetch, tokens: { accessToken: "not-a-token", refreshToken: tokens.refreshToken } });

  await assert.rejects(kgo.profile.getMe({}), (error: unknown) => {
    failsWith(Code.Unauthenticated)(error);
    assert.equal((error as KulturaGoError).reason, "TOKEN_INVALID");
    return true;
  });
  assert.deepEqual(calls, ["GetMe"]);
  assert.equal(kgo.tokens?.refreshToken, tokens.refreshToken, "the session is kept");
});

test("concurrent calls share one refresh, whether they renew before or after a refusal", async () => {
  for (const skew of [0, -2 * HOUR_MS]) {
    const { account, tokens } = await signedIn();
    const { fetch, calls } = countingFetch();
    const kgo = client({
      fetch,
      tokens: withExpiredAccess(tokens),
      now: () => Date.now() + skew,
    });
    const cards = await Promise.all(Array.from({ length: 6 }, () => kgo.profile.getMe({})));
    assert.ok(cards.every((me) => me.id === account.id));
    assert.equal(calls.filter((c) => c === "Refresh").length, 1, `skew ${skew}: ${calls.join(",")}`);
  }
});

test("the spent refresh token is refused; its reuse ends the session, and the client forgets it", async () => {
  const { tokens } = await signedIn();
  const seen: (Tokens | undefined)[] = [];
  const kgo = client({ tokens, onTokens: (t) => seen.push(t) });
  const rotated = await kgo.refresh();
  assert.notEqual(rotated.refreshToken, tokens.refreshToken);

  // Someone replays the old refresh token: refused, and the whole session is revoked.
  await assert.rejects(client().auth.refresh({ refreshToken: tokens.refreshToken }), failsWith(Code.Unauthenticated));
  await assert.rejects(kgo.refresh(), failsWith(Code.Unauthenticated));
  assert.equal(kgo.tokens, undefined);
  assert.deepEqual(seen, [rotated, undefined]);
});

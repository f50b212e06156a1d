// A developer's first steps with the SDK, through the gateway over gRPC-Web.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Code } from "../src/index.js";
import { client, failsWith, newAccount, noisePng } from "./support.js";

test("sign up, sign in, search, open the event card, read /me", async () => {
  const kgo = client();
  const account = await newAccount(kgo);
  const tokens = await kgo.signIn(account.login, account.password);
  assert.ok(tokens.accessToken && tokens.refreshToken);

  const found = await kgo.search.search({ q: "концерт", perPage: 5 });
  assert.ok(found.total > 0, "the demo city has concerts");
  const hit = found.hits[0];
  assert.ok(hit);

  const card = await kgo.events.getEvent({ slug: hit.slug });
  assert.equal(card.slug, hit.slug);
  assert.equal(card.title, hit.title);
  assert.ok(card.sessions.length > 0);

  const me = await kgo.profile.getMe({});
  assert.equal(me.id, account.id);
  assert.equal(me.login, account.login);
  assert.equal(me.fullName, "Тест Тестович");
});

test("public methods need no session; private ones say UNAUTHENTICATED without one", async () => {
  const kgo = client();
  const page = await kgo.events.listEvents({ pageSize: 3, city: "spb" });
  assert.equal(page.events.length, 3);
  assert.ok(page.events.every((e) => e.city === "spb"));

  await assert.rejects(kgo.profile.getMe({}), failsWith(Code.Unauthenticated));
});

test("the avatar: presign, upload to the object storage, save; the view URL serves it", async () => {
  const kgo = client();
  const account = await newAccount(kgo);
  await kgo.signIn(account.login, account.password);

  const profile = await kgo.uploadAvatar(noisePng(), "image/png");
  assert.match(profile.avatar, /^[0-9a-f]{64}\.png$/);
  const view = await fetch(profile.avatarUrl);
  assert.equal(view.status, 200);
  assert.equal(view.headers.get("content-type"), "image/png");

  await assert.rejects(kgo.uploadAvatar(new Uint8Array(10), "image/png"), RangeError);
});

test("signOut ends the session on the server and in the client", async () => {
  const seen: unknown[] = [];
  const kgo = client({ onTokens: (tokens) => seen.push(tokens) });
  const account = await newAccount(kgo);
  const tokens = await kgo.signIn(account.login, account.password);
  await kgo.signOut();
  assert.equal(kgo.tokens, undefined);
  assert.deepEqual(seen, [tokens, undefined]);
  await assert.rejects(kgo.auth.refresh({ refreshToken: tokens.refreshToken }), failsWith(Code.Unauthenticated));
});

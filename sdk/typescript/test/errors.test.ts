// Errors arrive typed: code, ErrorInfo reason and the fields a bad request got wrong.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectError } from "@connectrpc/connect";
import { Code, KulturaGoError } from "../src/index.js";
import { client, newAccount } from "./support.js";

async function failure(call: Promise<unknown>): Promise<KulturaGoError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof KulturaGoError, `not a KulturaGoError: ${String(error)}`);
    assert.ok(error instanceof ConnectError, "still a ConnectError for Connect's own tools");
    return error;
  }
  assert.fail("the call succeeded");
}

test("bad sign-up input names every wrong field", async () => {
  const error = await failure(client().signUp({ email: "nope", login: "a", password: "x" }));
  assert.equal(error.code, Code.InvalidArgument);
  assert.equal(error.reason, "INVALID_ARGUMENT");
  for (const field of ["email", "login", "password"]) {
    assert.ok(error.fields.includes(field), `${field} in ${JSON.stringify(error.fieldViolations)}`);
  }
  assert.ok(error.fieldViolations.every((v) => v.description.length > 0));
});

test("a word outside a field's vocabulary is refused on that field", async () => {
  const error = await failure(client().events.listEvents({ when: "someday" }));
  assert.equal(error.code, Code.InvalidArgument);
  assert.deepEqual(error.fields, ["when"]);
});

test("a taken login is ALREADY_EXISTS with its reason", async () => {
  const kgo = client();
  const account = await newAccount(kgo);
  const error = await failure(
    kgo.signUp({ email: `other-${account.email}`, login: account.login, password: account.password }),
  );
  assert.equal(error.code, Code.AlreadyExists);
  assert.equal(error.reason, "LOGIN_TAKEN");
});

test("an unknown event is NOT_FOUND", async () => {
  const error = await failure(client().events.getEvent({ slug: "no-such-event-anywhere" }));
  assert.equal(error.code, Code.NotFound);
  assert.ok(error.reason, "an ErrorInfo reason");
});

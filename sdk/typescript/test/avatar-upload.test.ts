// The avatar helper follows whatever upload the presign reply describes. The platform's
// S3 signs POST policies (journey.test.ts uploads through it); a presigned PUT is checked
// here against a local HTTP server standing in for the object storage.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { uploadAvatar } from "../src/avatar.js";
import { AvatarUploadError } from "../src/index.js";
import {
  PresignAvatarResponseSchema,
  ProfileSchema,
  type ProfileService,
} from "../src/gen/kulturago/auth/v1/auth_service_pb.js";

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function storage(status: number, reply = ""): Promise<{ url: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/bucket/key`, received, close: () => server.close() };
}

// The two ProfileService methods the helper calls; the key it saves is recorded.
function profileClient(presign: object, saved: string[]): Client<typeof ProfileService> {
  return {
    presignAvatar: async () => create(PresignAvatarResponseSchema, presign),
    editProfile: async (req: { avatar?: string }) => {
      saved.push(req.avatar ?? "");
      return create(ProfileSchema, { avatar: req.avatar ?? "" });
    },
  } as unknown as Client<typeof ProfileService>;
}

const image = new Uint8Array(2048).fill(7);

test("a presigned PUT sends the image with every header the reply names", async () => {
  const s3 = await storage(200);
  const saved: string[] = [];
  try {
    const presign = {
      url: s3.url, method: "PUT", objectKey: "k.png", contentType: "image/png",
      minSizeBytes: 1024n, maxSizeBytes: 4096n, headers: { "x-amz-acl": "private", "x-amz-meta-owner": "u1" },
    };
    const profile = await uploadAvatar(profileClient(presign, saved), fetch, image, "image/png");
    assert.equal(profile.avatar, "k.png");
    assert.deepEqual(saved, ["k.png"]);
    const [put] = s3.received;
    assert.ok(put);
    assert.equal(put.method, "PUT");
    assert.equal(put.headers["x-amz-acl"], "private");
    assert.equal(put.headers["x-amz-meta-owner"], "u1");
    assert.equal(put.headers["content-type"], "image/png");
    assert.deepEqual(new Uint8Array(put.body), image);
  } finally {
    s3.close();
  }
});

test("a POST policy sends its fields, then the file; a refusal is an AvatarUploadError and nothing is saved", async () => {
  const s3 = await storage(400, "<Error><Code>EntityTooLarge</Code></Error>");
  const saved: string[] = [];
  try {
    const presign = {
      url: s3.url, method: "POST", objectKey: "k.png", contentType: "image/png",
      minSizeBytes: 1024n, maxSizeBytes: 4096n, fields: { key: "avatars/pending/k.png", policy: "p" },
    };
    await assert.rejects(uploadAvatar(profileClient(presign, saved), fetch, image, "image/png"), (error: unknown) => {
      assert.ok(error instanceof AvatarUploadError);
      assert.equal(error.status, 400);
      assert.equal(error.s3Code, "EntityTooLarge");
      return true;
    });
    assert.deepEqual(saved, []);
    const [post] = s3.received;
    assert.ok(post);
    assert.match(post.headers["content-type"] ?? "", /^multipart\/form-data; boundary=/);
    const body = post.body.toString("latin1");
    const order = ['name="key"', 'name="policy"', 'name="file"'].map((part) => body.indexOf(part));
    assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0))), `parts in order: ${order}`);
  } finally {
    s3.close();
  }
});

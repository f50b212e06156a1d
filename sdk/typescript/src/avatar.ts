import type { Client } from "@connectrpc/connect";
import { AvatarUploadError } from "./errors.js";
import type {
  PresignAvatarResponse,
  Profile,
  ProfileService,
} from "./gen/kulturago/auth/v1/auth_service_pb.js";

/** The image types the API takes for an avatar. */
export type AvatarType = "image/jpeg" | "image/png" | "image/webp";

/**
 * Presign -> upload straight to the object storage -> save the key in the profile, which
 * checks the image (its type by the first bytes, its size in pixels) and answers with
 * the profile and its new `avatarUrl`.
 */
export async function uploadAvatar(
  profile: Client<typeof ProfileService>,
  fetchImpl: typeof globalThis.fetch,
  image: Blob | Uint8Array,
  contentType: AvatarType,
): Promise<Profile> {
  const presign = await profile.presignAvatar({ contentType });
  // A copy of the bytes: a Blob cannot take a view of a SharedArrayBuffer.
  const blob = image instanceof Blob ? image : new Blob([new Uint8Array(image)], { type: contentType });
  const { minSizeBytes, maxSizeBytes } = presign;
  if (BigInt(blob.size) < minSizeBytes || BigInt(blob.size) > maxSizeBytes) {
    // The storage would refuse it (the size range is in the signature); say so without the trip.
    throw new RangeError(`an avatar takes ${minSizeBytes}..${maxSizeBytes} bytes, this one is ${blob.size}`);
  }
  const reply = await fetchImpl(presign.url, upload(presign, blob));
  if (!reply.ok) {
    const body = await reply.text();
    throw new AvatarUploadError(reply.status, /<Code>([^<]+)<\/Code>/.exec(body)?.[1], body);
  }
  return profile.editProfile({ avatar: presign.objectKey });
}

function upload(presign: PresignAvatarResponse, blob: Blob): RequestInit {
  // The headers the upload's signature covers, each exactly as given (none for a POST
  // policy, whose signed values are all form fields).
  const headers = new Headers(presign.headers);
  if (presign.method === "PUT") {
    // A presigned PUT: the body is the image itself.
    if (!headers.has("Content-Type")) {
      headers.set("Content-Type", presign.contentType);
    }
    return { method: "PUT", body: blob, headers };
  }
  // An S3 POST policy (what the API gives today): every field as given, the file last;
  // fetch sets the multipart Content-Type with its boundary.
  const form = new FormData();
  for (const [name, value] of Object.entries(presign.fields)) {
    form.append(name, value);
  }
  form.append("file", blob, "avatar");
  return { method: "POST", body: form, headers };
}

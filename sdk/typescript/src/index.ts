// @kulturago/sdk: the hand-written client; messages and services of each API are
// exported by package (`events.ListEventsRequestSchema`), and any generated file is
// importable as `@kulturago/sdk/gen/<path>_pb` (e.g. `@kulturago/sdk/gen/google/rpc/error_details_pb`).
export { KulturaGo, type KulturaGoOptions } from "./client.js";
export { AvatarUploadError, type FieldViolation, KulturaGoError } from "./errors.js";
export type { AvatarType } from "./avatar.js";
export type { Tokens } from "./session.js";
export { Code } from "@connectrpc/connect";

export * as auth from "./gen/kulturago/auth/v1/auth_service_pb.js";
export * as events from "./gen/kulturago/event/v1/event_service_pb.js";
export * as geo from "./gen/kulturago/geo/v1/geo_service_pb.js";
export * as search from "./gen/kulturago/search/v1/search_service_pb.js";
export * as ticketing from "./gen/kulturago/ticketing/v1/ticketing_service_pb.js";

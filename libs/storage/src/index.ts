// The lib's public surface: each folder's index says what it exposes.
export * from "./dynamodb";
export * from "./kms";
export * from "./s3";

// One jest preset for the workspace: ts-jest in transpile-only mode (tsconfig has
// isolatedModules), because type-checking happens once, in the workspace's `typecheck` target.
const path = require("node:path");
const { pathsToModuleNameMapper } = require("ts-jest");
const { compilerOptions } = require("./tsconfig.base.json");

module.exports = {
  testEnvironment: `${__dirname}/tools/synth/jest-environment.cjs`,
  testMatch: ["<rootDir>/src/**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: path.join(__dirname, "tsconfig.base.json") }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: `${__dirname}/` }),
  // Pulumi programs under the mock runtime take a few seconds to load @pulumi/aws.
  testTimeout: 60_000,
};

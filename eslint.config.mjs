// ESLint flat config: typescript-eslint's recommended rules for all TypeScript, and Pulumi's
// own rules (an Output inside a plain template literal is a bug: use pulumi.interpolate),
// which need type information, so those files are linted with the type information of the
// workspace's one program (tsconfig.json: built once per run, where the project service would
// build one per project's tsconfig, @pulumi/aws's declarations each time). Projects that never
// see a Pulumi type are left out of it: the rules cannot fire there.
import js from "@eslint/js";
import jest from "eslint-plugin-jest";
import nx from "@nx/eslint-plugin";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**", "**/*.cjs", "**/*.mjs", "jest.preset.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["apps/**/*.ts", "libs/**/*.ts", "tools/**/*.ts"],
    ignores: ["libs/payment-lambda/**", "libs/api-keys/**", "tools/local-api/**", "tools/keys/**", "tools/dr/**", "tools/scripts/**", "tools/cli-support/**", "tools/testing/**"],
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  // Tests that cannot fail are defects (DEVELOPERS.md): a test asserts something (helpers named
  // expect… count), none is skipped or focused, no expect is left outside a test or unawaited.
  // Not no-conditional-expect: the suite's expects in hooks and branches are each backed by one
  // that always runs (a count of calls, both branches asserting).
  {
    files: ["**/*.test.ts"],
    plugins: { jest },
    rules: {
      "jest/expect-expect": ["error", { assertFunctionNames: ["expect", "expect*", "fc.assert"] }],
      "jest/no-disabled-tests": "error",
      "jest/no-focused-tests": "error",
      "jest/no-identical-title": "error",
      "jest/no-standalone-expect": "error",
      "jest/valid-expect": "error",
      "jest/valid-title": "error",
    },
  },
  // DESIGN §2's boundaries, from the projects' tags: apps never import each other, libs never
  // import apps or tools (the test harnesses tagged scope:testing aside), and nothing reaches into
  // another project by a relative path.
  {
    files: ["**/*.ts"],
    plugins: { "@nx": nx },
    rules: {
      "@nx/enforce-module-boundaries": [
        "error",
        {
          depConstraints: [
            { sourceTag: "type:pulumi-app", onlyDependOnLibsWithTags: ["type:lib", "scope:testing"] },
            { sourceTag: "type:lib", onlyDependOnLibsWithTags: ["type:lib", "scope:testing"] },
            { sourceTag: "type:tool", onlyDependOnLibsWithTags: ["type:lib", "type:tool"] },
          ],
        },
      ],
    },
  },
  // The test harnesses (a throwaway PostgreSQL, the mock synth, payment-lambda's test events) stay
  // out of what apps and libs deploy: only their tests import them (the policy pack reads the
  // synth's plan types, which compile away).
  {
    files: ["apps/**/*.ts", "libs/**/*.ts"],
    ignores: ["**/*.test.ts", "**/test-support/**", "**/*.testing.ts", "libs/payment-lambda/src/testing.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["@payments-dr/testing", "@payments-dr/testing/scratch-dir", "@payments-dr/synth", "@payments-dr/payment-lambda/testing"].map((name) => ({
            name,
            message: "A test harness: import it from tests only.",
            allowTypeImports: true,
          })),
        },
      ],
    },
  },
  {
    files: ["**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);

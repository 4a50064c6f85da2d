// ESLint flat config: typescript-eslint's recommended rules for all TypeScript, and Pulumi's
// own rules (an Output inside a plain template literal is a bug: use pulumi.interpolate),
// which need type information, so those files are linted with the TypeScript project service.
// Projects that never see a Pulumi type are left out of it: the rules cannot fire there, and
// building type information is most of lint's time.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**", "**/*.cjs", "**/*.mjs"] },
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
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    files: ["**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);

// ESLint for the --html page's own script and stylesheet (gradtrace/render/page), as
// tests/test_page_assets.py runs it: the recommended rules, in a browser, where the page runs.
import css from "@eslint/css";
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    files: ["**/*.js"],
    languageOptions: {ecmaVersion: "latest", sourceType: "script", globals: globals.browser},
    rules: {
      ...js.configs.recommended.rules,
      // The page asks only its own object literals (BINARY, FUNCTIONS, ALIASES), which nothing
      // shadows, whether they hold a name: obj.hasOwnProperty(name) is safe there.
      "no-prototype-builtins": "off",
      // catch (refused) { return null; }: the reason is dropped on purpose, and named for the reader.
      "no-unused-vars": ["error", {caughtErrors: "none"}],
    },
  },
  {
    files: ["**/*.css"],
    plugins: {css},
    language: "css/css",
    rules: {
      ...css.configs.recommended.rules,
      // ui-monospace is followed by monospace, which every browser has.
      "css/use-baseline": ["error", {allowPropertyValues: {"font-family": ["ui-monospace"]}}],
    },
  },
];

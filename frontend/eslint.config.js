import { readdirSync } from "node:fs";
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * Feature boundaries. Each folder in src/features is a feature; every other feature sees only its
 * public entry, `@/features/<name>` (its index.ts). Code two features need lives in src/components
 * (UI) or src/lib (logic), which import no feature. Read from the disk, so a new feature folder is
 * covered without editing this file.
 */
const FEATURES = readdirSync(new URL("./src/features/", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
/** Nesting levels inside a feature folder that get their own relative-import limit. */
const MAX_DEPTH = 6;

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const PUBLIC_ENTRY_ONLY =
  "Import another feature only through its public entry, '@/features/<name>' (its index.ts); " +
  "move code that several features need to src/components or src/lib.";

/** no-restricted-imports patterns for a file `depth` folders below src/features/<feature>/. */
function featurePatterns(feature, depth) {
  return [
    { regex: `^@/features/(?!${escapeRegex(feature)}/)[^/]+/`, message: PUBLIC_ENTRY_ONLY },
    {
      // One "../" more than the file's depth climbs out of the feature folder.
      regex: `^(\\.\\./){${depth + 1}}`,
      message: "Relative imports stay inside the feature; use '@/…' for shared code or '@/features/<name>'.",
    },
  ];
}

const featureBoundaries = FEATURES.flatMap((feature) =>
  Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    files: [`src/features/${feature}/${"*/".repeat(depth)}*.{ts,tsx}`],
    rules: { "no-restricted-imports": ["error", { patterns: featurePatterns(feature, depth) }] },
  })),
);

const sharedBoundaries = [
  {
    // Shared UI and logic sit below every feature.
    files: ["src/components/**/*.{ts,tsx}", "src/lib/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/|(\\.\\./)+)(features|app)(/|$)",
              message: "src/components and src/lib are shared: they import no feature and not the app shell.",
            },
          ],
        },
      ],
    },
  },
  {
    // Test helpers follow the same rule as a feature: other features through their public entry.
    files: ["src/test/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^@/features/[^/]+/", message: PUBLIC_ENTRY_ONLY }] }],
    },
  },
];

export default tseslint.config(
  { ignores: ["dist", "src/api/schema.d.ts"] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ["**/*.{ts,tsx}"],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  ...featureBoundaries,
  ...sharedBoundaries,
);

/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the API; empty (same origin) unless set, e.g. by the test runner. */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}

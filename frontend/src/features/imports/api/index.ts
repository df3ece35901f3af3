export {
  applyProgress,
  downloadErrorCsv,
  fileProblems,
  importInProgress,
  isFinished,
  LIST_POLL_MS,
  uploadSubscribers,
  useImport,
  useImports,
  type UploadOptions,
} from "./imports";
export { importKeys } from "./keys";
export type * from "./types";

export {
  applyProgress,
  downloadErrorCsv,
  downloadSampleCsv,
  fileRefusal,
  importInProgress,
  isFinished,
  LIST_POLL_MS,
  uploadImport,
  useImport,
  useImports,
  type UploadOptions,
  type UploadTarget,
} from "./imports";
export { importKeys } from "./keys";
export type * from "./types";

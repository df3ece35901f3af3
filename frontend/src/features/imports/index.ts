export { isFinished, type Import, type ImportDetail, type ImportProgress, type UploadTarget } from "./api";
export { ErrorCsvButton } from "./components/ErrorCsvButton";
export { ImportErrors } from "./components/ImportErrors";
export { ImportJobPage } from "./components/ImportJobPage";
export { ImportProgressPanel } from "./components/ImportProgressPanel";
export { ImportsPage } from "./components/ImportsPage";
export { UploadCard, type UploadCardProps } from "./components/UploadCard";
export { importPath } from "./constants";
export { useLiveImport, type LiveImport } from "./socket";

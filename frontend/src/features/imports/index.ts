export { ImportJobPage } from "./components/ImportJobPage";
export { ImportsPage } from "./components/ImportsPage";

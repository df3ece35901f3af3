export { ContractDetailPage } from "./components/ContractDetailPage";
export { ContractsPage } from "./components/ContractsPage";
export { ContractWizardPage } from "./components/ContractWizard";

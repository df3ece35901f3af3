export { contractKeys } from "./keys";
export {
  downloadContractPdf,
  useContract,
  useContractAction,
  useContracts,
  useCreateContract,
  type ContractAction,
} from "./contracts";
export type * from "./types";

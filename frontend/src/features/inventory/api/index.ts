export {
  useInvalidateInventory,
  useInventoryItem,
  useInventoryItems,
  useStock,
  useTemplate,
  useTemplates,
  useTransition,
  type TransitionAction,
  type TransitionRequest,
} from "./inventory";
export { inventoryKeys } from "./keys";
export type * from "./types";

export {
  useCreateItem,
  useCreateTemplate,
  useInvalidateInventory,
  useInventoryItem,
  useInventoryItems,
  useStock,
  useTemplate,
  useTemplates,
  useTransition,
  useUpdateTemplate,
  type TransitionAction,
  type TransitionRequest,
} from "./inventory";
export { inventoryKeys } from "./keys";
export type * from "./types";

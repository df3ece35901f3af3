export { productKeys } from "./keys";
export {
  useCreateProduct,
  useDisableProduct,
  useProduct,
  useProductOptions,
  useProducts,
  useTemplateNames,
  useUpdateProduct,
} from "./products";
export type * from "./types";

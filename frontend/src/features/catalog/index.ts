export { useProducts, type Product } from "./api";
export { BILLING_PERIOD_LABELS } from "./constants";
export { ProductDetailPage } from "./components/ProductDetailPage";
export { ProductSelect } from "./components/ProductSelect";
export { ProductsPage } from "./components/ProductsPage";
